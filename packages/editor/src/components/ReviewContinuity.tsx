// A review's continuity, readable at a glance: the facts the reviewed text is held to (what the planning and the
// writing passes read in the scene cards and the written scenes, or the review's own list when it keeps one) and,
// pass after pass, which of the earlier pass's notes a later pass confirms resolved and which are still
// unresolved. Shown with a review node's output and on its approval card.
import type { ContinuityFact, Review, SceneNote } from '@storyloom/engine';

/** A fact's kind in a producer's words. */
const KIND_WORDS: Record<ContinuityFact['kind'], string> = {
  state: 'how things stand',
  death: 'death',
  absence: 'gone for good',
  injury: 'injury',
  object: 'object',
  knowledge: 'who knows',
  relationship: 'relationship',
  time: 'time',
};

const isFact = (value: unknown): value is ContinuityFact => {
  const fact = value as Partial<ContinuityFact> | null;
  return typeof fact === 'object' && fact !== null && typeof fact.scene === 'number' && typeof fact.text === 'string' && typeof fact.kind === 'string';
};

const factsIn = (output: unknown): ContinuityFact[] => {
  const continuity = (output as { continuity?: unknown } | null | undefined)?.continuity;
  return Array.isArray(continuity) ? continuity.filter(isFact) : [];
};

/** Whether a value is a review node's output (its passes are what this view reads). */
export function isReview(value: unknown): value is Review {
  const review = value as Partial<Review> | null | undefined;
  return typeof review === 'object' && review !== null && typeof review.target === 'string' && Array.isArray(review.passes);
}

/**
 * The facts a review held its target to: its own list when it keeps one, else the facts stored beside the
 * target's text and beside the scene cards of the run (once each, in scene order).
 */
export function reviewFacts(review: Review, outputs: Record<string, unknown>): ContinuityFact[] {
  const own = factsIn(review);
  const found = own.length > 0 ? own : [review.target, ...Object.keys(outputs).filter((id) => id !== review.target)].flatMap((id) => factsIn(outputs[id]));
  const seen = new Set<string>();
  return found
    .filter((fact) => {
      const key = `${fact.scene}|${fact.kind}|${fact.subject}|${fact.text}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.scene - b.scene);
}

const noteWhere = (note: SceneNote) => (note.scene === null ? 'The plan' : `Scene ${note.scene}`);

function NoteList({ notes, status }: { notes: SceneNote[]; status: 'resolved' | 'unresolved' }) {
  if (notes.length === 0) return null;
  return (
    <ul className={`review-notes ${status}`}>
      {notes.map((note, index) => (
        <li key={index} data-testid={`note-${status}`}>
          <span className={`note-status ${status}`}>{status === 'resolved' ? '✓ resolved' : '○ still unresolved'}</span> {noteWhere(note)}: {note.note}
        </li>
      ))}
    </ul>
  );
}

export function ReviewContinuity({ review, outputs }: { review: Review; outputs: Record<string, unknown> }) {
  const facts = reviewFacts(review, outputs);
  const later = review.passes.slice(1);
  return (
    <section className="review-continuity" data-testid="review-continuity">
      <h5>Continuity facts the text is held to ({facts.length})</h5>
      {facts.length === 0 ? (
        <p className="muted small">No continuity facts were read for this text.</p>
      ) : (
        <ul className="continuity-facts">
          {facts.map((fact, index) => (
            <li key={index} data-testid="continuity-fact" data-kind={fact.kind} data-scene={fact.scene}>
              <span className="fact-where">Scene {fact.scene}</span> <span className="fact-kind">{KIND_WORDS[fact.kind] ?? fact.kind}</span>{' '}
              <strong>{fact.subject}</strong>: {fact.text}
            </li>
          ))}
        </ul>
      )}
      <h5>Earlier notes</h5>
      {later.length === 0 ? (
        <p className="muted small" data-testid="no-later-pass">
          One pass, no revision: no earlier notes to confirm.
        </p>
      ) : (
        later.map((pass, index) => (
          <div key={index} className="review-pass" data-testid="review-pass" data-pass={index + 2}>
            <p className="small">
              Pass {index + 2}, after revision {index + 1}: {pass.resolved.length} resolved, {pass.unresolved.length} still unresolved
            </p>
            <NoteList notes={pass.unresolved} status="unresolved" />
            <NoteList notes={pass.resolved} status="resolved" />
          </div>
        ))
      )}
    </section>
  );
}
