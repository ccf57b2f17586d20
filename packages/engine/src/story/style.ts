// The house voice of every stage: a system message (who the model is and the house style), the producer's
// style inputs (tone, audience, length, prose point of view) and one short example per writing stage, so that a
// real model writes to the same standard whichever stage it is in.
import type { InputRead } from '../nodes/types';
import type { RunInputs } from '../pipeline/schema';

export type Stage = 'logline' | 'characters' | 'setting' | 'outline' | 'scenes' | 'dialogue' | 'prose' | 'review' | 'continuity';

const HOUSE_STYLE =
  'House style: specific over general, concrete nouns and active verbs, no clichés, no moralising, no summaries of ' +
  'feelings the action already shows. Every character wants something in every scene. Never write commentary, ' +
  'apologies or offers of help: only the thing asked for.';

const PERSONAS: Record<Stage, string> = {
  logline: 'You are a development executive who writes sharp, saleable loglines.',
  characters: 'You are a casting-minded story editor who builds characters with clear wants, flaws and distinct voices.',
  setting: 'You are a production designer who builds worlds through a few telling, filmable details.',
  outline: 'You are a story architect who plots cause and effect: every beat follows from the one before it.',
  scenes: 'You are a showrunner breaking a story into scene cards for a writers’ room.',
  dialogue: 'You are a produced screenwriter. You write lean scenes in Fountain: action in the present tense, subtext in the dialogue.',
  prose: 'You are a literary novelist who writes vivid, economical scenes.',
  review: 'You are a script editor: exact, fair and specific. You judge against the anchors given and never praise in a note.',
  continuity: 'You are a script supervisor: you track who is alive and present, who knows what, the state of every prop, injuries and the story’s clock.',
};

/** The producer's style choices, from the run inputs of the same names (all optional). */
export interface StyleInputs {
  tone?: string;
  audience?: string;
  length?: string;
  pov?: string;
}

export const STYLE_INPUTS: readonly InputRead[] = [
  { input: 'tone', optional: true, description: 'Tone the writing keeps (e.g. "dry, melancholy").' },
  { input: 'audience', optional: true, description: 'Who it is for (e.g. "family", "adult drama").' },
  { input: 'length', optional: true, description: 'How long scenes run: "short", "medium" or "long".' },
  { input: 'pov', optional: true, description: 'Prose point of view: "third limited", "third omniscient", "first" or "second".' },
];

function textInput(inputs: RunInputs, name: string): string | undefined {
  const value = inputs[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

export function styleOf(inputs: RunInputs): StyleInputs {
  return { tone: textInput(inputs, 'tone'), audience: textInput(inputs, 'audience'), length: textInput(inputs, 'length'), pov: textInput(inputs, 'pov') };
}

/** The prose point of view asked for: third person unless the producer chose another. */
export function pointOfView(style: StyleInputs): 'first' | 'second' | 'third' {
  if (style.pov && /^first/i.test(style.pov)) return 'first';
  if (style.pov && /^second/i.test(style.pov)) return 'second';
  return 'third';
}

/** Words per scene the writers aim at, by the `length` input. */
export function sceneWords(style: StyleInputs): { min: number; max: number } {
  if (style.length && /^short/i.test(style.length)) return { min: 120, max: 350 };
  if (style.length && /^long/i.test(style.length)) return { min: 500, max: 1200 };
  return { min: 250, max: 700 };
}

function styleLines(style: StyleInputs): string[] {
  return [
    style.tone ? `Tone: ${style.tone}.` : '',
    style.audience ? `Audience: ${style.audience}; keep content suitable for it.` : '',
    style.length ? `Length: ${style.length}.` : '',
    style.pov ? `Prose point of view: ${style.pov}.` : '',
  ].filter(Boolean);
}

/** The system message of one stage: persona, house style and the producer's choices. */
export function systemFor(stage: Stage, inputs: RunInputs): string {
  return [PERSONAS[stage], HOUSE_STYLE, ...styleLines(styleOf(inputs))].join('\n');
}

// The examples show form, not content: short, in a world no premise is likely to share.
export const DIALOGUE_EXAMPLE = `INT. BEEKEEPER'S SHED - DUSK

Smoke curls from a tin smoker. ADA (60s) scrapes wax from a frame without looking up. JONAH (20s) hovers in the door.

JONAH
You sold the north hives.

ADA
(not looking up)
I sold the bees. The hives were always yours.

JONAH
That's not the same thing and you know it.

Ada sets the frame down. For the first time, she looks at him.`;

export const PROSE_EXAMPLE =
  'The shed smelled of smoke and old wax. Ada scraped at a frame without looking up, and Jonah stayed in the ' +
  'doorway as if the threshold were a line he had promised not to cross.\n\n“You sold the north hives,” he said.\n\n' +
  '“I sold the bees.” She turned the frame to the light. “The hives were always yours.”';

/** An example of form for a writing stage, with the reminder that its people and places are not this story's. */
export function exampleSection(stage: 'dialogue' | 'prose'): { label: string; body: string } {
  return {
    label: 'Example of the form (other characters, another story: copy the form, never the content)',
    body: stage === 'dialogue' ? DIALOGUE_EXAMPLE : PROSE_EXAMPLE,
  };
}
