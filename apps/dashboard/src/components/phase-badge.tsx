import type { Phase } from '@tofu-operator/api-types';
import { displayPhase } from '../lib/format.ts';

const ICON: Record<string, string> = { Pending: '◷', Running: '●', Succeeded: '✓', Failed: '✕', Unknown: '?' };

/** The phase as a coloured badge with an icon, so it is not told by colour alone. */
export function PhaseBadge({ phase }: { phase: Phase | undefined }) {
  const p = displayPhase(phase);
  return (
    <span className={`badge badge-${p.toLowerCase()}`} data-testid="phase">
      <span aria-hidden="true">{ICON[p]}</span> {p}
    </span>
  );
}
