import type { Job, Pod } from '@tofu-operator/reconcile-runtime';
import { finishedJobConditions } from '../execution/finished.js';
import { runnerTerminated } from '../execution/runner-pod.js';

/**
 * Whether a Job change decides the run (a finishing condition appeared): such a change goes to the
 * execution at once, while the bursts of a starting run (active counts, ready pods) are coalesced.
 */
export function decidesRun(job: Pick<Job, 'status'>, old: Pick<Job, 'status'> | undefined): boolean {
  return finishedJobConditions(job).join() !== finishedJobConditions(old).join();
}

/** Whether a Pod change decides the run: the pod finished or its runner container terminated. */
export function podDecidesRun(pod: Pod, old: Pod | undefined): boolean {
  return runnerTerminated(pod) !== runnerTerminated(old);
}
