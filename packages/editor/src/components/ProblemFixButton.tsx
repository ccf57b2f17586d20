// The one-click fix a validation problem may offer, beside its message: "Connect cast → lines" adds the edge the
// message asks for (undoable like any edit), and the problem goes away with the next validation.
import type { ValidationProblem } from '@storyloom/engine';
import { applyProblemFix } from '../store/documentActions';

export function ProblemFixButton({ problem }: { problem: ValidationProblem }) {
  const { fix } = problem;
  if (!fix) return null;
  return (
    <button
      className="ghost small problem-fix"
      data-testid="problem-fix"
      title={`Add the edge ${fix.source} → ${fix.target}`}
      onClick={() => applyProblemFix(fix)}
    >
      Connect {fix.source} → {fix.target}
    </button>
  );
}
