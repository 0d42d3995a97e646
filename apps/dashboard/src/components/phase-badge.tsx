import type { Phase } from '@tofu-operator/api-types';
import { displayPhase } from '../lib/format.ts';
import { ownerProblem, type OwnerProblem } from '../lib/owner-state.ts';

const ICON: Record<string, string> = { Pending: '◷', Running: '●', Succeeded: '✓', Failed: '✕', Unknown: '?' };

/**
 * The phase as a coloured badge with an icon, so it is not told by colour alone. An owner with a
 * problem only the user can fix (its module is gone) shows that reason in red instead of its phase.
 */
export function PhaseBadge({ phase, problem }: { phase: Phase | undefined; problem?: OwnerProblem | undefined }) {
  if (problem)
    return (
      <span className="badge badge-failed" data-testid="phase" data-problem={problem.reason} title={problem.message}>
        <span aria-hidden="true">✕</span> <span className="visually-hidden">Error: </span>
        {problem.reason}
      </span>
    );
  const p = displayPhase(phase);
  return (
    <span className={`badge badge-${p.toLowerCase()}`} data-testid="phase">
      <span aria-hidden="true">{ICON[p]}</span> {p}
    </span>
  );
}

/** The badge of a module or stack: its phase, or its problem (see ownerProblem). */
export function OwnerPhaseBadge({ owner }: { owner: Parameters<typeof ownerProblem>[0] }) {
  return <PhaseBadge phase={owner?.status?.phase} problem={ownerProblem(owner)} />;
}
