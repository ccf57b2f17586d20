// Checks against the continuity facts: the dead and the departed do not speak again, an object destroyed in one
// scene is not picked up in a later one, and the story's clock does not run backwards outside a flashback. The
// facts are the ones the model read from the plan and the page (kept with them), and the heuristics' own
// reading of both, so the checks work without a model too.
import type { ContinuityFact, ReviewIssue } from '../story/types';
import { findByName } from '../story/names';
import { continuityLedger, destroyedObjects, factsInText, goneFromStory, headNoun, planFacts, sceneTimes } from '../story/continuity';
import type { Check, CheckContext } from './checks';
import type { ReviewScene } from './text';

/** What a scene's narrator says, heading included (a heading may say "FLASHBACK"). */
function narrationOf(scene: ReviewScene): string {
  return [scene.heading ?? '', scene.narration].join('\n');
}

/** Every fact the review knows: stored readings of the page, the heuristics' reading of it, then the plan's. */
export function reviewLedger({ document, cast, cards, facts }: Pick<CheckContext, 'document' | 'cast' | 'cards' | 'facts'>): ContinuityFact[] {
  if (document.kind === 'text') return [];
  const page = document.scenes.flatMap((scene) => factsInText(scene.number, narrationOf(scene), cast));
  return continuityLedger(facts, page, planFacts(cards ?? [], cast));
}

/** The dead and those gone for good do not speak (screenplay cues) again. */
export const checkGoneSpeaking: Check = (context) => {
  const { document, cast } = context;
  if (document.kind !== 'screenplay') return [];
  const issues: ReviewIssue[] = [];
  for (const gone of goneFromStory(reviewLedger(context), cast)) {
    for (const scene of document.scenes.filter((s) => s.number > gone.scene)) {
      if (!(scene.speakers ?? []).some((speaker) => findByName(speaker, cast)?.name === gone.name)) continue;
      issues.push({
        code: 'continuity_break',
        severity: 'error',
        sceneNumber: scene.number,
        message: `Scene ${scene.number}: ${gone.name} speaks, but ${gone.how === 'died' ? 'died' : 'left for good'} in scene ${gone.scene}; cut the lines or give them to someone present`,
      });
    }
  }
  return issues;
};

const USE = /\b(reads?|opens?|unfolds?|holds?|holding|picks? up|hands?|shows?|takes? out|takes|wears?|uses?|plays?|lifts?|clutches|waves?|studies|pockets?|examines?|smooths?|rereads?|winds?|strokes?)\b/i;
/** A later sentence about what is left of a destroyed thing, or about the thing being gone, is consistent. */
const REMAINS = /\b(ash(?:es)?|remains|pieces|fragments?|shards?|what(?:'s| is| was) left|charred|burnt|burned|broken|ruined|remember\w*|memory|copy|another|missing|gone|no longer|without)\b/i;

/** A destroyed object handled again in a later scene's narration. */
export const checkDestroyedObjects: Check = (context) => {
  const { document } = context;
  if (document.kind === 'text') return [];
  const issues: ReviewIssue[] = [];
  for (const { object, scene: lost } of destroyedObjects(reviewLedger(context))) {
    // Named as that very thing ("the map", "her old map"): "a map" is another one.
    const noun = new RegExp(`\\b(?:the|his|her|their|its|my|your|our)\\s+(?:[\\p{L}'-]+\\s+){0,2}${headNoun(object).replace(/[^\p{L}\p{M}\p{N}'-]/gu, '')}\\b`, 'iu');
    for (const scene of document.scenes.filter((s) => s.number > lost)) {
      const used = scene.narration.split(/(?<=[.!?])\s+|\n+/).find((sentence) => noun.test(sentence) && USE.test(sentence) && !REMAINS.test(sentence));
      if (!used) continue;
      issues.push({
        code: 'continuity_object',
        severity: 'error',
        sceneNumber: scene.number,
        message: `Scene ${scene.number}: ${object} is used ("${used.trim().slice(0, 80)}"), but it was destroyed in scene ${lost}; use something else or show what is left of it`,
      });
    }
  }
  return issues;
};

/** A scene set before the one it follows, not marked as a flashback. */
export const checkTimeline: Check = (context) => {
  const { document } = context;
  if (document.kind === 'text') return [];
  return sceneTimes(reviewLedger(context).filter((f) => f.kind === 'time'), document.scenes.map((s) => s.number))
    .filter((time) => !time.flashback && time.day < time.latest)
    .map((time) => ({
      code: 'continuity_time',
      severity: 'error' as const,
      sceneNumber: time.scene,
      message: `Scene ${time.scene}: time runs backwards ("${time.phrase}" puts it on day ${time.day}, after an earlier scene reached day ${time.latest}); mark it as a flashback or keep the clock moving forward`,
    }));
};
