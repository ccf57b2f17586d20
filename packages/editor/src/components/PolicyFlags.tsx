// What a review's content-policy checks flagged, shown at the gate they raised: each flag's category in plain
// words, what was found (the checks' own message and the words that raised it) and where (the scene, or the
// whole text). The checks are an aid for the producer, not a verdict.
import type { PolicyCategory, PolicyFlag } from '@storyloom/engine';

const CATEGORY_NAMES: Record<PolicyCategory, string> = {
  minors: 'Sexual content involving minors',
  hate: 'Hate',
  'graphic-violence': 'Graphic violence',
  'self-harm': 'Self-harm',
  defamation: 'Claims about a real person',
  verbatim: 'Long passage copied from the reference texts',
};

/** The flags in a review's output; anything not shaped like a flag is left out rather than shown half-read. */
export function policyFlagsIn(draft: unknown): PolicyFlag[] {
  const policy = (draft as { policy?: unknown } | null | undefined)?.policy;
  if (!Array.isArray(policy)) return [];
  return policy.filter((flag): flag is PolicyFlag => typeof flag === 'object' && flag !== null && typeof (flag as PolicyFlag).category === 'string');
}

export function PolicyFlags({ flags }: { flags: PolicyFlag[] }) {
  return (
    <div className="policy-flags" data-testid="policy-flags" role="note">
      <p className="small">
        The content checks flagged {flags.length === 1 ? 'something' : `${flags.length} things`} for you to look at before the run goes on. They are
        an aid, not a verdict: approve to go on, or send it back.
      </p>
      <ul>
        {flags.map((flag, index) => (
          <li key={index} data-testid="policy-flag" data-category={flag.category}>
            <strong>{CATEGORY_NAMES[flag.category] ?? flag.category}</strong>
            <span className="muted small"> · {flag.scene ? `scene ${flag.scene}` : 'the whole text'} · found by {flag.source === 'judge' ? 'the model judge' : 'the checks'}</span>
            <div>{flag.message}</div>
            {flag.evidence && <blockquote className="small">{flag.evidence}</blockquote>}
          </li>
        ))}
      </ul>
    </div>
  );
}
