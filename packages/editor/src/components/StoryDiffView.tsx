// Renders a story comparison: a summary ("2 of 8 scenes changed"), then each scene / character / beat with
// word-level insertions and deletions in place. The first changes are open; later ones and unchanged parts
// fold away and are worked out only when opened, so a 60-scene comparison shows at once.
import { useState, type ReactNode } from 'react';
import { wordChanges, type DiffField, type DiffSection, type StoryDiff } from '../lib/storyDiff';

/** Changed sections shown open; the rest open on demand. */
const OPEN_SECTIONS = 4;

function Changes({ field }: { field: DiffField }) {
  return (
    <div className={`diff-field ${field.changed ? 'changed' : ''}`}>
      {field.label && <span className="diff-label">{field.label}</span>}
      <div className="diff-text">
        {wordChanges(field).map((change, i) =>
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

function SectionTitle({ section }: { section: DiffSection }) {
  return (
    <>
      {section.title} <span className={`diff-badge ${section.status}`}>{STATUS_WORDS[section.status]}</span>
    </>
  );
}

function SectionFields({ section }: { section: DiffSection }) {
  return (
    <>
      {section.fields
        .filter((f) => f.changed || section.status !== 'changed')
        .map((f, i) => (
          <Changes key={i} field={f} />
        ))}
    </>
  );
}

/** A section folded away until opened; its words are compared only then. */
function FoldedSection({ section, children }: { section: DiffSection; children: ReactNode }) {
  const [open, setOpen] = useState(false);
  return (
    <details className={`diff-section ${section.status}`} data-status={section.status} onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary>
        <SectionTitle section={section} />
      </summary>
      {open && children}
    </details>
  );
}

export function StoryDiffView({ diff, beforeLabel, afterLabel }: { diff: StoryDiff; beforeLabel: string; afterLabel: string }) {
  const total = diff.sections.length;
  let shownOpen = 0;
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
      {diff.sections.map((section, index) => {
        const open = section.status !== 'same' && shownOpen++ < OPEN_SECTIONS;
        return open ? (
          <section key={index} className={`diff-section ${section.status}`} data-status={section.status}>
            <h5>
              <SectionTitle section={section} />
            </h5>
            <SectionFields section={section} />
          </section>
        ) : (
          <FoldedSection key={index} section={section}>
            <SectionFields section={section} />
          </FoldedSection>
        );
      })}
    </div>
  );
}
