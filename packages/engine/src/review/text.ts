// What the review reads: a target's output (dialogue, prose draft or plain text) as scenes of text.
import { DialogueSchema, DraftSchema } from '../story/types';
import { screenplaySceneText } from '../story/screenplay';

export interface ReviewScene {
  number: number;
  /** Screenplay scenes only: the heading as written. */
  heading?: string;
  /** Screenplay scenes only: the speaker of each line, as written. */
  speakers?: string[];
  /** Units that may repeat: action paragraphs and dialogue lines, or prose paragraphs and sentences. */
  blocks: string[];
  /** Everything a reader sees. */
  text: string;
  /** The narrator's words (action or prose outside quotation marks): where first person would be wrong. */
  narration: string;
}

export interface ReviewDocument {
  kind: 'screenplay' | 'prose' | 'text';
  scenes: ReviewScene[];
}

/** Short sentences ("She nodded.") recur in any prose; only long ones count as repeatable blocks. */
const MIN_SENTENCE_BLOCK = 50;

const QUOTED = /“[^”]*”|"[^"]*"/g;

function sentencesOf(paragraph: string): string[] {
  return paragraph.match(/[^.!?]+[.!?]+["”]?|[^.!?]+$/g)?.map((s) => s.trim()).filter(Boolean) ?? [];
}

export function reviewDocumentOf(output: unknown): ReviewDocument | undefined {
  const dialogue = DialogueSchema.safeParse(output);
  if (dialogue.success) {
    return {
      kind: 'screenplay',
      scenes: dialogue.data.scenes.map((scene) => ({
        number: scene.number,
        heading: scene.heading,
        speakers: scene.elements.flatMap((e) => (e.type === 'line' ? [e.character] : [])),
        blocks: scene.elements.map((e) => e.text).filter((t) => t.trim() !== ''),
        text: screenplaySceneText(scene),
        narration: scene.elements.flatMap((e) => (e.type === 'action' ? [e.text] : [])).join('\n'),
      })),
    };
  }
  const draft = DraftSchema.safeParse(output);
  if (draft.success) {
    return { kind: 'prose', scenes: draft.data.passages.map((p) => proseScene(p.number, p.text)) };
  }
  if (typeof output === 'string') return { kind: 'text', scenes: [proseScene(1, output)] };
  return undefined;
}

function proseScene(number: number, text: string): ReviewScene {
  const paragraphs = text.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean);
  const narration = text.replace(QUOTED, ' ');
  // Blocks: paragraphs, long narrated sentences, and each quoted speech (a line said again and again is a loop).
  const speeches = (text.match(QUOTED) ?? []).map((quote) => quote.slice(1, -1).trim()).filter((quote) => quote.length >= 25);
  const sentences = narration.split(/\n\s*\n/).flatMap(sentencesOf).filter((s) => s.length >= MIN_SENTENCE_BLOCK);
  return { number, blocks: [...paragraphs, ...sentences, ...speeches], text, narration };
}
