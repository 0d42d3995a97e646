import type { TofuExecution } from '@tofu-operator/api-types';
import type { Job } from '@tofu-operator/reconcile-runtime';

/** Whether a phase is final: a run in it is over and is never run again. */
export function isTerminalPhase(phase: string | undefined): boolean {
  return phase === 'Succeeded' || phase === 'Failed';
}

/** Whether an execution has reached a final phase; a final execution is never run again. */
export function isTerminal(execution: Pick<TofuExecution, 'status'> | undefined): boolean {
  return isTerminalPhase(execution?.status?.phase);
}

/**
 * Job conditions that decide a run: once one is True the Job controller has settled the outcome (and
 * stops the pod itself). FailureTarget and SuccessCriteriaMet come first (Kubernetes 1.31+), Failed
 * and Complete follow once the pods have stopped.
 */
export const FINISHED_JOB_CONDITIONS: ReadonlySet<string> = new Set(['Complete', 'Failed', 'SuccessCriteriaMet', 'FailureTarget']);

/** The finishing conditions a Job has (True), sorted, so two views of a Job can be compared. */
export function finishedJobConditions(job: Pick<Job, 'status'> | undefined): string[] {
  return (job?.status?.conditions ?? [])
    .filter((c) => c.status === 'True' && FINISHED_JOB_CONDITIONS.has(c.type))
    .map((c) => c.type)
    .sort();
}

/** Whether the Job controller has decided the Job's outcome. */
export function isJobFinished(job: Pick<Job, 'status'>): boolean {
  return finishedJobConditions(job).length > 0;
}
