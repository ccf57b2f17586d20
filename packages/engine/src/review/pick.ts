// Which of a node's candidates goes on when nobody chooses: the one the review's checks find the fewest
// problems in (an error counts as three warnings), the first on a tie or when the output is not text.
import type { StoryMemory } from '../nodes/types';
import { castOf, sceneCardsOf } from '../story/memory';
import { runChecks } from './checks';
import { reviewDocumentOf } from './text';

function problems(output: unknown, memory: StoryMemory): number {
  const document = reviewDocumentOf(output);
  if (!document) return 0;
  const issues = runChecks({ document, cast: castOf(memory), knownWords: new Set(), cards: document.kind === 'text' ? [] : sceneCardsOf(memory) });
  return issues.reduce((sum, issue) => sum + (issue.severity === 'error' ? 3 : 1), 0);
}

export function pickCandidate(candidates: readonly unknown[], memory: StoryMemory): number {
  let best = 0;
  let fewest = Infinity;
  candidates.forEach((candidate, index) => {
    const count = problems(candidate, memory);
    if (count < fewest) {
      fewest = count;
      best = index;
    }
  });
  return best;
}
