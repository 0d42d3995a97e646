// What the run queue writes into an execution's status: its place while it waits, and the end of a
// queued plan that a newer one replaced. Pure.
import { Annotations, ReconciliationReason, type ExecutionQueueStatus, type TofuExecution } from '@tofu-operator/api-types';
import type { DerivedRun } from './execution-status.js';
import { queueMessage, type QueuePlace } from './run-queue-order.js';

/** A waiting run: Pending, reason Queued, its place in status.queue (waiting since it first queued). */
export function queuedRun(place: QueuePlace, current: TofuExecution, now: Date): DerivedRun {
  const queue: ExecutionQueueStatus = {
    position: place.position,
    length: Math.max(place.position, place.length),
    limit: place.limit,
    since: current.status?.queue?.since ?? now.toISOString(),
  };
  return { phase: 'Pending', reason: ReconciliationReason.Queued, message: queueMessage(place), queue };
}

/**
 * A run its owner marked superseded (tofu-operator.io/superseded-by) before it had a Job: Failed,
 * Superseded, naming the newer plan; it never runs. Undefined when not marked.
 */
export function supersededRun(execution: TofuExecution, now: Date): DerivedRun | undefined {
  const by = execution.metadata.annotations?.[Annotations.supersededBy];
  if (!by) return undefined;
  return {
    phase: 'Failed',
    reason: ReconciliationReason.Superseded,
    message: `superseded by ${by} before it started: a newer plan of the same module or stack replaces it; it never ran`,
    failureCategory: ReconciliationReason.Superseded,
    completionTime: now.toISOString(),
  };
}
