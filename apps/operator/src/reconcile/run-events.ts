import type { Job, Pod } from '@tofu-operator/reconcile-runtime';
import { runnerTerminated } from './execution-status.js';

/** Job conditions that end a run. */
const FINISHED = new Set(['Complete', 'Failed', 'FailureTarget', 'SuccessCriteriaMet']);

const finishedConditions = (job: Job | undefined): string =>
  (job?.status?.conditions ?? [])
    .filter((c) => c.status === 'True' && FINISHED.has(c.type))
    .map((c) => c.type)
    .sort()
    .join(',');

/**
 * Whether a Job change decides the run (a finishing condition appeared): such a change goes to the
 * execution at once, while the bursts of a starting run (active counts, ready pods) are coalesced.
 */
export function decidesRun(job: Job, old: Job | undefined): boolean {
  return finishedConditions(job) !== finishedConditions(old);
}

/** Whether a Pod change decides the run: the pod finished or its runner container terminated. */
export function podDecidesRun(pod: Pod, old: Pod | undefined): boolean {
  return runnerTerminated(pod) !== runnerTerminated(old);
}
