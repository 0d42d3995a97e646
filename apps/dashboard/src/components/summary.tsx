import type { PlanSummary } from '@tofu-operator/api-types';

/** +add ~change -destroy of a plan. */
export function Summary({ summary }: { summary: PlanSummary | undefined }) {
  if (!summary) return null;
  return (
    <span className="summary" data-testid="summary" aria-label={summary.text}>
      <span className="sum-add">+{summary.add ?? 0}</span> <span className="sum-change">~{summary.change ?? 0}</span>{' '}
      <span className="sum-destroy">-{summary.destroy ?? 0}</span>
      {summary.text && <span className="muted"> {summary.text}</span>}
    </span>
  );
}
