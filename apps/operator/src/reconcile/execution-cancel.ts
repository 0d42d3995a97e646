// A user's cancel request (POST …/executions/{name}/cancel sets tofu-operator.io/cancel-requested-at)
// as the final state of the run. Pure: the execution reconciler writes it and then deletes the Job.
import { Annotations, Reason, type TofuExecution } from '@tofu-operator/api-types';
import { isTerminal } from '../execution/finished.js';
import type { DerivedRun } from './execution-status.js';

/**
 * The final run of an unfinished execution whose cancel was requested: Failed, failureCategory and
 * reason Cancelled, completed now. Undefined without a request, and for a finished execution (its
 * result stands; the API answers 409 to such a request).
 */
export function cancelledRun(execution: TofuExecution, now: Date): DerivedRun | undefined {
  const requested = execution.metadata.annotations?.[Annotations.cancelRequestedAt];
  if (!requested || isTerminal(execution)) return undefined;
  return {
    phase: 'Failed',
    reason: Reason.Cancelled,
    message: `cancelled (requested at ${requested}): the Job was deleted and the run stopped; request a new plan to run again`,
    failureCategory: Reason.Cancelled,
    completionTime: now.toISOString(),
  };
}
