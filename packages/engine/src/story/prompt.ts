// The published prompt pattern (Dramatron, Re3, DOC): labelled sections, then a clear instruction and
// a fixed output shape. Every node type builds its prompt from these pieces.
import type { Character, Logline, SceneCard, Setting } from './types';

export interface PromptSection {
  label: string;
  body: string | undefined;
}

/** Joins the non-empty sections as "Label:\nbody" blocks, then the instruction. */
export function buildPrompt(sections: PromptSection[], instruction: string): string {
  const blocks = sections
    .filter((section) => section.body !== undefined && section.body.trim() !== '')
    .map((section) => `${section.label}:\n${section.body!.trim()}`);
  return [...blocks, instruction.trim()].join('\n\n');
}

export function loglineText(logline: Logline | undefined): string | undefined {
  if (!logline) return undefined;
  return `${logline.title} (${logline.genre}; ${logline.tone})\n${logline.logline}`;
}

export function castText(characters: readonly Character[]): string | undefined {
  if (characters.length === 0) return undefined;
  return characters
    .map(
      (c) =>
        `- ${c.name} (${c.role}; ${c.pronouns}; ${c.age}): ${c.description} Wants: ${c.want} Flaw: ${c.flaw} ` +
        `Voice: ${c.voice} Ties: ${c.relationships} Sounds like: “${c.sampleLine}”`,
    )
    .join('\n');
}

export function settingText(setting: Setting | undefined): string | undefined {
  if (!setting) return undefined;
  const places = setting.locations.map((l) => `- ${l.name} (${l.interior ? 'interior' : 'exterior'}): ${l.description}`);
  return [`${setting.world} Period: ${setting.period}.`, ...places].join('\n');
}

export function sceneCardText(card: SceneCard): string {
  return [
    `Scene ${card.number}. ${card.heading}`,
    `Characters: ${card.characters.join(', ') || 'none named'}`,
    `Beat: ${card.beat}`,
    `Goal: ${card.goal}`,
    `Conflict: ${card.conflict}`,
    `Turn: ${card.turn}`,
    `Outcome: ${card.outcome}`,
    `Steps: ${card.subBeats.map((step, i) => `(${i + 1}) ${step}`).join(' ')}`,
  ].join('\n');
}

/** The notes a rewrite must address (reviewer notes or a producer's reject feedback). */
export function feedbackSections(feedback: readonly string[], previous: string | undefined): PromptSection[] {
  if (feedback.length === 0) return [];
  return [
    { label: 'Your previous version', body: previous },
    { label: 'Notes to address', body: feedback.map((note) => `- ${note}`).join('\n') },
  ];
}

export function rewriteInstruction(feedback: readonly string[]): string {
  return feedback.length > 0 ? ' Rewrite it so that every note above is addressed; keep what the notes do not mention.' : '';
}
