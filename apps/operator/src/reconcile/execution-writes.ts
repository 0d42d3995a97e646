import { controllerUid, namespaceOf, TofuExecutions, uidOf, type TofuExecution } from '@tofu-operator/api-types';
import { StatusWriter, type EventRecorder, type KubeClient, type Logger, type ReconcileContext } from '@tofu-operator/reconcile-runtime';
import { isTerminal, isTerminalPhase } from '../execution/finished.js';
import type { ClusterCache } from '../kube/cluster-cache.js';
import { executionStatusFor, type DerivedRun } from './execution-status.js';
import type { RunnerJobs } from './runner-jobs.js';

/**
 * The execution reconciler's writes of an execution's outcome: status in the background (coalesced)
 * or at once when final, the Events of transitions, and a cancelled run's end.
 */
export class ExecutionWrites {
  /** Status writes happen in the background; reconciles do not wait for them. */
  readonly statuses: StatusWriter<TofuExecution>;

  constructor(
    client: KubeClient,
    private readonly cache: ClusterCache,
    private readonly events: EventRecorder,
    private readonly jobs: RunnerJobs,
    log: Logger,
  ) {
    this.statuses = new StatusWriter(client, TofuExecutions, log);
  }

  /** Queues a status write of an unfinished run (a final status is never changed again). */
  submit(execution: TofuExecution, jobName: string | undefined, run: DerivedRun, now = new Date()): void {
    this.statuses.submit(execution, (current) => statusUnlessFinished(current, jobName, run, now));
  }

  /**
   * Writes the status now (a final status is written before anything acts on it). Whether this write
   * ended the run: false when the stored execution was already finished (a second reconcile that
   * ran before the cache showed the first one's final status), so its Event is recorded once.
   */
  async write(execution: TofuExecution, jobName: string | undefined, run: DerivedRun, now = new Date()): Promise<boolean> {
    let ended = false;
    const written = await this.statuses.writeNow(execution, (current) => {
      ended = !isTerminal(current) && isTerminalPhase(run.phase);
      return statusUnlessFinished(current, jobName, run, now);
    });
    return Boolean(written) && ended;
  }

  /** Ends the execution Failed at once; whether this call ended it. */
  fail(execution: TofuExecution, run: DerivedRun): Promise<boolean> {
    return this.write(execution, undefined, run);
  }

  /**
   * A cancel request: the final status first (so the Job's deletion never reads as JobDeleted); the
   * Event and the Job's deletion only by the write that ended the run (a retry or a second replica
   * does neither), in the foreground so the pod is gone before the Job is.
   */
  async cancel(execution: TofuExecution, jobName: string, run: DerivedRun, ctx: ReconcileContext): Promise<void> {
    const now = new Date();
    let ended = false;
    const written = await this.statuses.writeNow(execution, (current) => {
      ended = !isTerminal(current);
      return statusUnlessFinished(current, undefined, run, now);
    });
    // Finished meanwhile (or by an earlier reconcile of this request): its result stands.
    if (!written || !ended) return;
    this.recordTransition(execution, run, ctx);
    const job = this.cache.jobs.get(namespaceOf(execution), jobName);
    if (job && controllerUid(job) === uidOf(execution)) await this.jobs.delete(job, 'the run was cancelled', ctx, 'Foreground');
  }

  /** An Event (and a log line) for a transition a user acts on. */
  recordTransition(execution: TofuExecution, run: DerivedRun, ctx: ReconcileContext): void {
    ctx.log.info({ phase: run.phase, reason: run.reason }, run.message);
    const type = run.phase === 'Failed' ? 'Warning' : 'Normal';
    this.events.record(execution, type, run.reason, run.phase, run.message);
  }
}

/** The execution's new status, except that a final status is never changed again. */
export function statusUnlessFinished(
  current: TofuExecution,
  jobName: string | undefined,
  run: DerivedRun,
  now: Date,
): TofuExecution['status'] {
  return isTerminal(current) ? current.status : executionStatusFor(current, jobName, run, now);
}
