// The story as the exporters see it, assembled from a run's memory.
import type { StoryMemory } from '../nodes/types';
import { castOf, readDialogue, readDraft, readLogline, readOutline, readSceneList, readSetting } from '../story/memory';
import type { Character, Dialogue, Draft, Logline, Outline, SceneCard, Setting } from '../story/types';

export interface StoryDocument {
  title: string;
  logline?: Logline;
  cast: Character[];
  setting?: Setting;
  outline?: Outline;
  scenes: SceneCard[];
  dialogue?: Dialogue;
  draft?: Draft;
  /** The text came from the offline writer: title pages say it is a placeholder. */
  placeholder: boolean;
}

/** What title pages print when the offline writer wrote the text. */
export const PLACEHOLDER_NOTICE = 'PLACEHOLDER: written by the offline writer (no model), for trying the pipeline; not a draft.';

export function storyDocumentOf(memory: StoryMemory): StoryDocument {
  const logline = readLogline(memory);
  const dialogue = readDialogue(memory);
  const draft = readDraft(memory);
  return {
    title: logline?.title ?? 'Untitled',
    logline,
    cast: castOf(memory),
    setting: readSetting(memory),
    outline: readOutline(memory),
    scenes: readSceneList(memory)?.scenes ?? [],
    dialogue,
    draft,
    placeholder: Boolean((dialogue ?? draft)?.placeholder),
  };
}

export function slugOf(title: string): string {
  return (
    title
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'story'
  );
}

export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/** Every screenplay format renders prose the same way: one action-only scene per passage. */
export interface ScreenplayScene {
  heading: string;
  elements: Dialogue['scenes'][number]['elements'];
}

export function screenplayScenesOf(document: StoryDocument): ScreenplayScene[] | undefined {
  if (document.dialogue) {
    return document.dialogue.scenes.map((scene) => ({
      heading: scene.heading || document.scenes.find((card) => card.number === scene.number)?.heading || `SCENE ${scene.number}`,
      elements: scene.elements,
    }));
  }
  if (document.draft) {
    return document.draft.passages.map((passage) => ({
      heading: document.scenes.find((card) => card.number === passage.number)?.heading ?? `${passage.number}. ${passage.title || 'Untitled'}`.toUpperCase(),
      elements: passage.text
        .split(/\n\s*\n/)
        .map((paragraph) => paragraph.replace(/\s*\n\s*/g, ' ').trim())
        .filter(Boolean)
        .map((text) => ({ type: 'action' as const, text })),
    }));
  }
  return undefined;
}
