import { Inject, Injectable } from '@nestjs/common';
import {
  controllerOf,
  controllerUid,
  nameOf,
  namespaceOf,
  Reason,
  tofuExecutionCrd,
  TofuExecutions,
  uidOf,
  validateSchema,
  type TofuExecution,
} from '@tofu-operator/api-types';
import {
  EventRecorder,
  isNotFound,
  Jobs,
  KubeClient,
  StatusWriter,
  updateStatus,
  type Logger,
  type Job,
  type KubeObject,
  type ReconcileContext,
  type ReconcileRequest,
  type ReconcileResult,
} from '@tofu-operator/reconcile-runtime';
import { isJobFinished, isTerminal, isTerminalPhase } from '../execution/finished.js';
import { jobNameFor } from '../execution/naming.js';
import type { CachedJob } from '../kube/cache-transforms.js';
import { byControllerUid, ClusterCache, Index } from '../kube/cluster-cache.js';
import { LOGGER } from '../kube/tokens.js';
import { CACHE_LAG_MS, DEPENDENCY_RETRY_MS, FIRST_STATUS_DELAY_MS, RUN_EVENTS_COALESCE_MS, RUNNING_RESYNC_MS } from './delays.js';
import { cancelledRun } from './execution-cancel.js';
import { deriveRun, invalidSpecRun, type DerivedRun } from './execution-status.js';
import { ExecutionWrites } from './execution-writes.js';
import { JobPreparer } from './job-preparer.js';
import { PlanDecisions } from './plan-decisions.js';
import { runOf } from './job-template.js';
import { byNewest } from './owner-status.js';
import { decidesRun, podDecidesRun } from './run-events.js';
import { RunQueue } from './run-queue.js';
import { placeShownIsStale } from './run-queue-order.js';
import { queuedRun, supersededRun } from './run-queue-status.js';
import { RunResolver } from './run-resolver.js';
import { RunnerJobs } from './runner-jobs.js';
import { specOrMetaChanged, type Queues, type WatchingReconciler } from './watches.js';

/** Jobs by their own uid: the Job a Pod belongs to. */
const JOBS_BY_UID = 'jobsByUid';

/** What an execution runs: its snapshot, or what was resolved into its status. */
type Run = NonNullable<ReturnType<typeof runOf>>;

/** What ensureJob found: the Job to observe, a Job that is gone for good, or when to look again. */
type EnsuredJob = { job: CachedJob } | { gone: true } | { later: ReconcileResult };

/** The name of the execution that controls a Job, if one does. */
const executionOf = (job: KubeObject): string | undefined => {
  const owner = controllerOf(job);
  return owner?.kind === 'TofuExecution' ? owner.name : undefined;
};

/**
 * Turns each TofuExecution into exactly one Job and translates the Job and Pod state back into the
 * execution's status. Finished executions are never run again.
 */
@Injectable()
export class ExecutionReconciler implements WatchingReconciler {
  readonly kind = 'TofuExecution';
  /** Executions whose Job this process created and whose status does not name it yet (by uid). */
  private readonly jobsAwaitingStatus = new Set<string>();
  /** Status writes happen in the background; reconciles do not wait for them. */
  readonly statuses: StatusWriter<TofuExecution>;
  private readonly jobs: RunnerJobs;
  private readonly writes: ExecutionWrites;

  constructor(
    private readonly cache: ClusterCache,
    private readonly client: KubeClient,
    events: EventRecorder,
    private readonly resolver: RunResolver,
    private readonly preparer: JobPreparer,
    private readonly decisions: PlanDecisions,
    private readonly queue: RunQueue,
    @Inject(LOGGER) log: Logger,
  ) {
    this.jobs = new RunnerJobs(client, cache);
    this.writes = new ExecutionWrites(client, cache, events, this.jobs, log);
    this.statuses = this.writes.statuses;
  }

  /**
   * Executions (their spec and owners; an ended run wakes its waiting siblings), their Jobs and the
   * Jobs' pods. Job and Pod changes reach the execution after a short window, so the bursts of a
   * starting run become one status write; the change that decides the run goes at once.
   */
  setupWatches(queues: Queues): void {
    const { executions, jobs, pods } = this.cache;
    jobs.addIndex(Index.ownerUid, byControllerUid);
    jobs.addIndex(JOBS_BY_UID, (j) => (uidOf(j) ? [uidOf(j)] : []));
    executions.onEvent((e, x, old) => {
      if (specOrMetaChanged(e, x, old)) queues.executions.enqueue(x.metadata.namespace, x.metadata.name);
      // A run that ends (or goes away) lets the next waiting execution of its owner start.
      const ended = e === 'delete' || (x.status?.phase !== old?.status?.phase && isTerminal(x));
      const ownerUid = controllerUid(x);
      if (!ended || !ownerUid) return;
      for (const sibling of executions.byIndex(Index.ownerUid, ownerUid))
        queues.executions.enqueue(sibling.metadata.namespace, sibling.metadata.name);
    });
    jobs.onEvent((e, j, old) => {
      const now = e === 'delete' || decidesRun(j, old);
      queues.executions.enqueueAfter(j.metadata?.namespace, executionOf(j), now ? 0 : RUN_EVENTS_COALESCE_MS);
    });
    pods.onEvent((_e, p, old) => {
      // Pod -> its Job (by owner uid) -> the Job's execution.
      const jobUid = controllerUid(p);
      const job = jobUid ? jobs.byIndex(JOBS_BY_UID, jobUid)[0] : undefined;
      if (job) queues.executions.enqueueAfter(p.metadata?.namespace, executionOf(job), podDecidesRun(p, old) ? 0 : RUN_EVENTS_COALESCE_MS);
    });
    this.queue.setupWatches(queues);
  }

  /** Validate, drop stale Jobs, resolve the run, ensure its one Job, observe the Job into status. */
  async reconcile(req: ReconcileRequest, ctx: ReconcileContext): Promise<ReconcileResult> {
    const execution = this.cache.executions.get(req.namespace, req.name);
    if (!execution || execution.metadata.deletionTimestamp) return;
    const jobName = jobNameFor(nameOf(execution));
    if (execution.status?.jobName) this.jobsAwaitingStatus.delete(uidOf(execution));
    if (isTerminal(execution)) {
      await this.decisions.act(execution, ctx);
      return this.jobs.stopLeftover(execution, jobName, ctx);
    }

    const cancelled = cancelledRun(execution, new Date());
    if (cancelled) return this.writes.cancel(execution, jobName, cancelled, ctx);
    if (await this.supersede(execution, jobName, ctx)) return;
    if (await this.refuseInvalid(execution, jobName, ctx)) return;
    await this.jobs.dropStale(execution, jobName, ctx);
    const run = runOf(execution);
    if (!run) return this.resolveRun(execution, ctx);
    const ensured = await this.ensureJob(execution, run, jobName, ctx);
    if ('later' in ensured) return ensured.later;
    return this.observe(execution, jobName, 'job' in ensured ? ensured.job : undefined, ctx);
  }

  /**
   * Admission validates new executions; one stored before a stricter schema ends Failed (final: the
   * spec is immutable) instead of running, unless its Job already runs. Whether it was refused.
   */
  private async refuseInvalid(execution: TofuExecution, jobName: string, ctx: ReconcileContext): Promise<boolean> {
    const violations = validateSchema(execution.spec, tofuExecutionCrd.spec, 'spec');
    if (violations.length === 0 || this.cache.jobs.get(namespaceOf(execution), jobName)) return false;
    ctx.log.warn({ violations }, 'invalid spec; not run');
    const message = `the spec does not match the schema: ${violations.map((v) => `${v.path} ${v.message}`).join('; ')}`;
    await this.writes.fail(execution, invalidSpecRun(message, new Date()));
    return true;
  }

  /** Resolves the source and template of an execution created without a snapshot (by a user), once. */
  private async resolveRun(execution: TofuExecution, ctx: ReconcileContext): Promise<ReconcileResult> {
    const resolved = this.resolver.resolveForExecution(execution);
    if ('invalid' in resolved) {
      ctx.log.warn({ reason: resolved.invalid }, 'invalid spec; not run');
      await this.writes.fail(execution, invalidSpecRun(resolved.invalid, new Date()));
      return;
    }
    if ('missing' in resolved) {
      this.writes.submit(execution, undefined, { phase: 'Pending', reason: Reason.ModuleNotFound, message: resolved.missing });
      ctx.log.info({ missing: resolved.missing }, 'execution waits for its module or stack');
      return { requeueAfterMs: DEPENDENCY_RETRY_MS };
    }
    // Recorded once: a second resolve (the cache had not shown the first yet) keeps the first answer.
    await updateStatus(this.client, TofuExecutions, execution, (current) => ({
      ...current.status,
      resolved: current.status?.resolved ?? { source: resolved.source, executionTemplate: resolved.template },
    }));
    return { requeueAfterMs: CACHE_LAG_MS };
  }

  /** The execution's one Job: found in the cache, known to be gone, or created now (one run at a time per owner). */
  private async ensureJob(execution: TofuExecution, run: Run, jobName: string, ctx: ReconcileContext): Promise<EnsuredJob> {
    const uid = uidOf(execution);
    const job = this.cache.jobs.get(namespaceOf(execution), jobName);
    if (job && controllerUid(job) !== uid) {
      // Same name, another owner: left from a deleted execution of the same name.
      await this.jobs.delete(job, 'a Job of the same name that belongs to another execution', ctx);
      return { later: { requeueAfterMs: CACHE_LAG_MS } };
    }
    if (job) return job.metadata?.deletionTimestamp && !isJobFinished(job) ? { gone: true } : { job };
    if (execution.status?.jobName || this.jobsAwaitingStatus.has(uid)) {
      // We created it before; the cache may lag behind, so ask the API server before concluding.
      try {
        const current = await this.client.get<Job>(Jobs, namespaceOf(execution), jobName);
        if (controllerUid(current) === uid) return { later: { requeueAfterMs: CACHE_LAG_MS } };
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      return { gone: true };
    }
    const blocker = this.runningSibling(execution);
    if (blocker) {
      const derived: DerivedRun = {
        phase: 'Pending',
        reason: Reason.WaitingForRunningExecution,
        message: `waiting for ${nameOf(blocker)} to finish: one run at a time per module or stack`,
      };
      this.writes.submit(execution, undefined, derived);
      return { later: { requeueAfterMs: RUNNING_RESYNC_MS } };
    }
    const admission = this.queue.acquire(execution);
    if (!admission.slot) {
      // Not ordered yet (the queue's last pass was moments ago): asks again at its next pass.
      if (!admission.place) return { later: { requeueAfterMs: admission.retryInMs } };
      // Waiting for a slot: the queue wakes it when one frees; its place is written when it moved enough.
      const shown = execution.status?.queue;
      if (placeShownIsStale(shown, admission.place) || execution.status?.phase !== 'Pending')
        this.writes.submit(execution, undefined, queuedRun(admission.place, execution, new Date()));
      return { later: { requeueAfterMs: RUNNING_RESYNC_MS } };
    }
    const prepared = await this.preparer.prepare(execution, run, ctx);
    if ('refuse' in prepared) {
      // An apply whose plan cannot be carried out: final, and nothing runs.
      await this.writes.fail(execution, prepared.refuse);
      this.writes.recordTransition(execution, prepared.refuse, ctx);
      return { later: undefined };
    }
    if ('wait' in prepared) {
      this.queue.release(execution, DEPENDENCY_RETRY_MS);
      this.writes.submit(execution, undefined, prepared.wait);
      return { later: { requeueAfterMs: DEPENDENCY_RETRY_MS } };
    }
    const created = await this.jobs.create(execution, prepared.job, ctx);
    if (!created) return { later: { requeueAfterMs: CACHE_LAG_MS } };
    // Until the status names the Job, remember that it existed: a Job deleted in between must end
    // the run (JobDeleted), never start a second one.
    this.jobsAwaitingStatus.add(uid);
    return { later: { requeueAfterMs: FIRST_STATUS_DELAY_MS } };
  }

  /** Translates the Job and its pods (or the Job's disappearance) into the execution's status. */
  private async observe(
    execution: TofuExecution,
    jobName: string,
    job: CachedJob | undefined,
    ctx: ReconcileContext,
  ): Promise<ReconcileResult> {
    const now = new Date();
    const pods = job ? this.cache.pods.byIndex(Index.ownerUid, uidOf(job)) : [];
    const derived = await this.preparer.verifyPlan(execution, deriveRun({ job, jobGone: !job, pods, now }));
    const before = execution.status?.phase;
    // A final status is written before anything acts on it (deleting a stuck Job, the next
    // reconcile), so a later view of the same run cannot replace it (e.g. with JobDeleted).
    // Events mark the transitions a user acts on (running, finished); Pending is the starting point.
    // A final one only by the write that ended the run (a reconcile racing the cache ends nothing).
    const final = isTerminalPhase(derived.phase);
    const ended = final ? await this.writes.write(execution, jobName, derived, now) : false;
    if (!final) this.writes.submit(execution, jobName, derived, now);
    if (before !== derived.phase && derived.phase !== 'Pending' && (!final || ended)) this.writes.recordTransition(execution, derived, ctx);
    if (derived.phase === 'Failed' && job && !isJobFinished(job)) {
      // E.g. an image that cannot be pulled: the run is over, free the node.
      await this.jobs.delete(job, `the run failed (${derived.reason})`, ctx);
    }
    return isTerminalPhase(derived.phase) ? undefined : { requeueAfterMs: RUNNING_RESYNC_MS };
  }

  /**
   * A run its owner marked superseded (a newer plan replaces it) ends Failed, Superseded, unless it
   * already has a Job: then the mark is ignored and it runs to the end. Whether it ended.
   */
  private async supersede(execution: TofuExecution, jobName: string, ctx: ReconcileContext): Promise<boolean> {
    const run = supersededRun(execution, new Date());
    if (!run || execution.status?.jobName || this.jobsAwaitingStatus.has(uidOf(execution))) return false;
    if (this.cache.jobs.get(namespaceOf(execution), jobName)) return false;
    if (await this.writes.fail(execution, run)) this.writes.recordTransition(execution, run, ctx);
    return true;
  }

  /**
   * Another unfinished execution of the same owner that runs first: one that has a Job, or else the
   * oldest. Owners create one execution at a time; this also orders hand-made ones they adopted.
   */
  private runningSibling(execution: TofuExecution): TofuExecution | undefined {
    const owner = controllerUid(execution);
    if (!owner) return undefined;
    const others = this.cache.executions.byIndex(Index.ownerUid, owner).filter((e) => uidOf(e) !== uidOf(execution) && !isTerminal(e));
    return others.find((e) => e.status?.jobName) ?? others.find((e) => byNewest(execution, e) < 0);
  }
}
