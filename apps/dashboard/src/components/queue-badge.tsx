import type { TofuExecution } from '@tofu-operator/api-types';
import { exactTime, purposeLabel, queueLabel } from '../lib/continuous.ts';
import { PhaseBadge } from './phase-badge.tsx';

/**
 * The phase of a run, or while it waits in the run queue (status.queue) its place: "Queued: 3rd of 12
 * (operator cap)" instead of a bare Pending, with the time it started waiting in the title.
 */
export function RunPhaseBadge({ e }: { e: TofuExecution }) {
  const q = e.status?.queue;
  if (!q || e.status?.phase === 'Succeeded' || e.status?.phase === 'Failed') return <PhaseBadge phase={e.status?.phase} />;
  return (
    <span
      className="badge badge-pending"
      data-testid="queue-position"
      title={q.since ? `Waiting since ${exactTime(q.since) ?? q.since}` : undefined}
    >
      <span aria-hidden="true">◷</span> {queueLabel(q)}
    </span>
  );
}

/** "Drift check" for a run with purpose DriftCheck; nothing for an ordinary change. */
export function PurposeBadge({ e }: { e: TofuExecution }) {
  const label = purposeLabel(e);
  if (!label) return null;
  return (
    <span className="badge" data-testid="execution-purpose">
      {label}
    </span>
  );
}
