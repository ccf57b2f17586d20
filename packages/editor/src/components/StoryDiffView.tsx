// Renders a story comparison: a summary ("2 of 8 scenes changed"), then each scene / character / beat with
// word-level insertions and deletions in place; unchanged ones fold away so the changes stand out.
import type { StoryDiff, DiffField } from '../lib/storyDiff';

function Changes({ field }: { field: DiffField }) {
  return (
    <div className={`diff-field ${field.changed ? 'changed' : ''}`}>
      {field.label && <span className="diff-label">{field.label}</span>}
      <div className="diff-text">
        {field.changes.map((change, i) =>
          change.added ? (
            <ins key={i}>{change.value}</ins>
          ) : change.removed ? (
            <del key={i}>{change.value}</del>
          ) : (
            <span key={i}>{change.value}</span>
          ),
        )}
      </div>
    </div>
  );
}

const STATUS_WORDS = { changed: 'changed', added: 'added', removed: 'removed', same: 'unchanged' } as const;

export function StoryDiffView({ diff, beforeLabel, afterLabel }: { diff: StoryDiff; beforeLabel: string; afterLabel: string }) {
  const total = diff.sections.length;
  return (
    <div className="story-diff" data-testid="diff-view" data-changed={diff.changedCount}>
      <p className="diff-summary" data-testid="diff-summary">
        {diff.changedCount === 0
          ? `No changes between ${beforeLabel} and ${afterLabel}.`
          : `${diff.changedCount} of ${total} ${diff.unit}${total === 1 ? '' : 's'} differ between ${beforeLabel} and ${afterLabel}.`}{' '}
        <span className="legend">
          <del>removed</del> <ins>added</ins>
        </span>
      </p>
      {diff.sections.map((section, index) =>
        section.status === 'same' ? (
          <details key={index} className="diff-section same">
            <summary>
              {section.title} <span className="muted small">unchanged</span>
            </summary>
            {section.fields.map((f, i) => (
              <Changes key={i} field={f} />
            ))}
          </details>
        ) : (
          <section key={index} className={`diff-section ${section.status}`} data-status={section.status}>
            <h5>
              {section.title} <span className={`diff-badge ${section.status}`}>{STATUS_WORDS[section.status]}</span>
            </h5>
            {section.fields
              .filter((f) => f.changed || section.status !== 'changed')
              .map((f, i) => (
                <Changes key={i} field={f} />
              ))}
          </section>
        ),
      )}
    </div>
  );
}
