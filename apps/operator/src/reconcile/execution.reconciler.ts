import { Inject, Injectable } from '@nestjs/common';
import { Reason, tofuExecutionCrd, TofuExecutions, validateSchema, type TofuExecution } from '@tofu-operator/api-types';
import {
  EventRecorder,
  isAlreadyExists,
  isConflict,
  isNotFound,
  Jobs,
  KubeClient,
  StatusWriter,
  updateStatus,
  type Logger,
  type Job,
  type ReconcileContext,
  type ReconcileRequest,
  type ReconcileResult,
  type Reconciler,
} from '@tofu-operator/reconcile-runtime';
import type { OperatorConfig } from '../config/operator-config.js';
import { ClusterCache, controllerUid, Index } from '../kube/cluster-cache.js';
import { LOGGER, OPERATOR_CONFIG } from '../kube/tokens.js';
import { isJobFinished, isTerminal, isTerminalPhase } from '../execution/finished.js';
import { jobNameFor } from '../execution/naming.js';
import { deriveRun, executionStatusFor, type DerivedRun } from './execution-status.js';
import { buildJob, runOf } from './job-template.js';
import { RunResolver } from './run-resolver.js';
import { byNewest } from './owner-status.js';

/** How often a running execution is looked at even without events (a safety net, not the driver). */
const RUNNING_RESYNC_MS = 60_000;
/** How soon to look again while the cache catches up with our own writes. */
const CACHE_LAG_MS = 500;
/** How often an execution whose module or stack is missing checks again. */
const DEPENDENCY_RETRY_MS = 15_000;
/**
 * After creating a Job, the first status write waits this long (or for the Pod's first events), so
 * "Job created" and "Pod created/scheduled" become one write instead of two.
 */
const FIRST_STATUS_DELAY_MS = 500;

/**
 * Turns each TofuExecution into exactly one Job and translates the Job and Pod state back into the
 * execution's status. Finished executions are never run again.
 */
@Injectable()
export class ExecutionReconciler implements Reconciler {
  readonly kind = 'TofuExecution';
  /** Executions whose Job this process created and whose status does not name it yet (by uid). */
  private readonly jobsAwaitingStatus = new Set<string>();
  /** Status writes happen in the background; reconciles do not wait for them. */
  readonly statuses: StatusWriter<TofuExecution>;

  constructor(
    private readonly cache: ClusterCache,
    private readonly client: KubeClient,
    private readonly events: EventRecorder,
    private readonly resolver: RunResolver,
    @Inject(OPERATOR_CONFIG) private readonly config: OperatorConfig,
    @Inject(LOGGER) log: Logger,
  ) {
    this.statuses = new StatusWriter(client, TofuExecutions, log);
  }

  async reconcile(req: ReconcileRequest, ctx: ReconcileContext): Promise<ReconcileResult> {
    const execution = this.cache.executions.get(req.namespace, req.name);
    if (!execution || execution.metadata.deletionTimestamp) return;
    const jobName = jobNameFor(execution.metadata.name ?? '');
    const uid = execution.metadata.uid ?? '';
    if (execution.status?.jobName) this.jobsAwaitingStatus.delete(uid);

    if (isTerminal(execution)) {
      await this.stopLeftoverJob(execution, jobName, ctx);
      return;
    }

    // Admission validates new executions; one stored before a stricter schema ends Failed (final: the
    // spec is immutable) instead of running, unless its Job already runs.
    const violations = validateSchema(execution.spec, tofuExecutionCrd.spec, 'spec');
    if (violations.length > 0 && !this.cache.jobs.get(req.namespace, jobName)) {
      const now = new Date();
      const message = `the spec does not match the schema: ${violations.map((v) => `${v.path} ${v.message}`).join('; ')}`;
      const derived: DerivedRun = {
        phase: 'Failed',
        reason: Reason.InvalidSpec,
        message,
        failureCategory: Reason.InvalidSpec,
        completionTime: now.toISOString(),
      };
      ctx.log.warn({ violations }, 'invalid spec; not run');
      await updateStatus(this.client, TofuExecutions, execution, (current) => statusUnlessFinished(current, undefined, derived, now));
      return;
    }

    // Jobs that claim this execution under another name (e.g. from an older naming) are removed.
    for (const stale of this.cache.jobs.byIndex(Index.ownerUid, execution.metadata.uid ?? '')) {
      if (stale.metadata?.name !== jobName) await this.deleteJob(stale, 'a stale Job of this execution', ctx);
    }

    const run = runOf(execution);
    if (!run) return this.resolveRun(execution, ctx);

    let job = this.cache.jobs.get(req.namespace, jobName);
    if (job && controllerUid(job) !== execution.metadata.uid) {
      // Same name, another owner: left from a deleted execution of the same name.
      await this.deleteJob(job, 'a Job of the same name that belongs to another execution', ctx);
      return { requeueAfterMs: CACHE_LAG_MS };
    }
    let jobGone = false;
    if (!job && (execution.status?.jobName || this.jobsAwaitingStatus.has(uid))) {
      // We created it before; the cache may lag behind, so ask the API server before concluding.
      try {
        job = await this.client.get<Job>(Jobs, req.namespace, jobName);
        if (controllerUid(job) !== execution.metadata.uid) jobGone = true;
        else return { requeueAfterMs: CACHE_LAG_MS };
      } catch (err) {
        if (!isNotFound(err)) throw err;
        jobGone = true;
      }
      job = undefined;
    } else if (job?.metadata?.deletionTimestamp && !isJobFinished(job)) {
      jobGone = true;
      job = undefined;
    } else if (!job) {
      const blocker = this.runningSibling(execution);
      if (blocker) {
        const derived: DerivedRun = {
          phase: 'Pending',
          reason: Reason.WaitingForRunningExecution,
          message: `waiting for ${blocker.metadata.name} to finish: one run at a time per module or stack`,
        };
        this.statuses.submit(execution, (current) => statusUnlessFinished(current, undefined, derived, new Date()));
        return { requeueAfterMs: RUNNING_RESYNC_MS };
      }
      job = await this.createJob(
        execution,
        buildJob(execution, run, {
          runnerImage: this.config.runnerImage,
          imagePullPolicy: this.config.runnerImagePullPolicy,
          noColor: this.config.runnerNoColor,
        }),
        ctx,
      );
      if (!job) return { requeueAfterMs: CACHE_LAG_MS };
      // Until the status names the Job, remember that it existed: a Job deleted in between must
      // end the run (JobDeleted), never start a second one.
      this.jobsAwaitingStatus.add(uid);
      return { requeueAfterMs: FIRST_STATUS_DELAY_MS };
    }

    const now = new Date();
    const pods = job ? this.cache.pods.byIndex(Index.ownerUid, job.metadata?.uid ?? '') : [];
    const derived = deriveRun({ job, jobGone, pods, now });
    const before = execution.status?.phase;
    const compute = (current: TofuExecution) => statusUnlessFinished(current, job || jobGone ? jobName : undefined, derived, now);
    if (isTerminalPhase(derived.phase)) {
      // A final status is written before anything acts on it (deleting a stuck Job, the next
      // reconcile), so a later view of the same run cannot replace it (e.g. with JobDeleted).
      this.statuses.cancel(execution);
      await updateStatus(this.client, TofuExecutions, execution, compute);
    } else {
      this.statuses.submit(execution, compute);
    }
    // Events mark the transitions a user acts on (running, finished); Pending is the starting point.
    if (before !== derived.phase && derived.phase !== 'Pending') this.recordTransition(execution, derived, ctx);
    if (derived.phase === 'Failed' && job && !isJobFinished(job)) {
      // E.g. an image that cannot be pulled: the run is over, free the node.
      await this.deleteJob(job, `the run failed (${derived.reason})`, ctx);
    }
    return isTerminalPhase(derived.phase) ? undefined : { requeueAfterMs: RUNNING_RESYNC_MS };
  }

  /**
   * Another unfinished execution of the same owner that runs first: one that has a Job, or else the
   * oldest. Owners create one execution at a time; this also orders hand-made ones they adopted.
   */
  private runningSibling(execution: TofuExecution): TofuExecution | undefined {
    const owner = execution.metadata.ownerReferences?.find((r) => r.controller)?.uid;
    if (!owner) return undefined;
    const others = this.cache.executions
      .byIndex(Index.ownerUid, owner)
      .filter((e) => e.metadata.uid !== execution.metadata.uid && !isTerminal(e));
    return others.find((e) => e.status?.jobName) ?? others.find((e) => byNewest(execution, e) < 0);
  }

  /** Resolves the source and template of an execution created without a snapshot (by a user). */
  private async resolveRun(execution: TofuExecution, ctx: ReconcileContext): Promise<ReconcileResult> {
    const resolved = this.resolver.resolveForExecution(execution);
    const now = new Date();
    if ('missing' in resolved) {
      const derived: DerivedRun = { phase: 'Pending', reason: Reason.ModuleNotFound, message: resolved.missing };
      this.statuses.submit(execution, (current) => statusUnlessFinished(current, undefined, derived, now));
      ctx.log.info({ missing: resolved.missing }, 'execution waits for its module or stack');
      return { requeueAfterMs: DEPENDENCY_RETRY_MS };
    }
    await updateStatus(this.client, TofuExecutions, execution, (current) => ({
      ...current.status,
      resolved: { source: resolved.source, executionTemplate: resolved.template },
    }));
    return { requeueAfterMs: CACHE_LAG_MS };
  }

  private async createJob(execution: TofuExecution, job: Job, ctx: ReconcileContext): Promise<Job | undefined> {
    const ns = execution.metadata.namespace;
    try {
      const created = await this.client.create<Job>(Jobs, ns, job);
      this.cache.jobs.observeCreate(created);
      ctx.log.info({ job: job.metadata?.name }, 'created Job');
      return created;
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      // Deterministic name: it exists already (an earlier reconcile, or another replica before a
      // failover). Use it if it is ours.
      const existing = await this.client.get<Job>(Jobs, ns, job.metadata?.name ?? '');
      return controllerUid(existing) === execution.metadata.uid ? existing : undefined;
    }
  }

  private async deleteJob(job: Job, why: string, ctx: ReconcileContext): Promise<void> {
    try {
      await this.client.delete(Jobs, job.metadata?.namespace, job.metadata?.name ?? '', {
        propagationPolicy: 'Background',
        preconditions: { uid: job.metadata?.uid },
      });
      ctx.log.info({ job: job.metadata?.name, why }, 'deleted Job');
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  /** A finished execution whose Job still runs (e.g. marked Failed for an unpullable image). */
  private async stopLeftoverJob(execution: TofuExecution, jobName: string, ctx: ReconcileContext): Promise<void> {
    const job = this.cache.jobs.get(execution.metadata.namespace, jobName);
    if (job && controllerUid(job) === execution.metadata.uid && !isJobFinished(job) && !job.metadata?.deletionTimestamp) {
      await this.deleteJob(job, 'the execution has finished', ctx);
    }
  }

  private recordTransition(execution: TofuExecution, run: DerivedRun, ctx: ReconcileContext): void {
    ctx.log.info({ phase: run.phase, reason: run.reason }, run.message);
    const type = run.phase === 'Failed' ? 'Warning' : 'Normal';
    this.events.record(execution, type, run.reason, run.phase, run.message);
  }
}

/** The execution's new status, except that a final status is never changed again. */
function statusUnlessFinished(current: TofuExecution, jobName: string | undefined, run: DerivedRun, now: Date): TofuExecution['status'] {
  return isTerminal(current) ? current.status : executionStatusFor(current, jobName, run, now);
}
