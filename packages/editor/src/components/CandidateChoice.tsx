// The alternatives a node with `candidates` wrote, side by side at its approval: each as the same read-only
// draft form, with "Choose this one" to keep it as written, or "Edit, then choose" to keep an edited copy.
import { useState } from 'react';
import type { DraftSource } from '../lib/draftCheck';
import { DraftEditSession, DraftReadView } from './draft/DraftSession';

export interface CandidateChoiceProps {
  candidates: unknown[];
  source?: DraftSource;
  inputs?: Record<string, unknown>;
  disabled: boolean;
  onChoose(candidate: number, output?: unknown): Promise<boolean>;
}

export function CandidateChoice({ candidates, source, inputs, disabled, onChoose }: CandidateChoiceProps) {
  // The candidate being edited (one at a time), and a new session each time editing opens.
  const [editing, setEditing] = useState<number | null>(null);
  const [session, setSession] = useState(0);
  return (
    <div className="candidate-choice" data-testid="candidates" data-count={candidates.length}>
      <p className="small muted">
        {candidates.length} drafts to choose from, side by side (scroll sideways, or Widen the panel). Choose one as written, or edit it
        first; the run goes on with the one you choose.
      </p>
      <div className="candidate-columns">
        {candidates.map((candidate, index) => (
          <section key={index} className="candidate" data-candidate={index} aria-label={`Draft ${index + 1}`}>
            <h6 className="candidate-title">Draft {index + 1}</h6>
            {editing === index ? (
              <DraftEditSession
                key={session}
                initial={candidate}
                source={source}
                inputs={inputs}
                context="candidate"
                submitLabel={`Choose draft ${index + 1} as edited`}
                submitTestId="submit-choose-edited"
                onSubmit={(output) => onChoose(index, output)}
                onCancel={() => setEditing(null)}
              />
            ) : (
              <>
                <div className="button-row">
                  <button className="primary" data-testid="choose-candidate" disabled={disabled} onClick={() => void onChoose(index)}>
                    Choose this one
                  </button>
                  <button
                    data-testid="edit-candidate"
                    disabled={disabled || editing !== null}
                    onClick={() => {
                      setSession((n) => n + 1);
                      setEditing(index);
                    }}
                  >
                    Edit, then choose
                  </button>
                </div>
                <DraftReadView value={candidate} source={source} context="candidate" />
              </>
            )}
          </section>
        ))}
      </div>
    </div>
  );
}
