import { controllerUid, nameOf, namespaceOf, uidOf, type TofuExecution } from '@tofu-operator/api-types';
import {
  isAlreadyExists,
  isConflict,
  isNotFound,
  Jobs,
  type Job,
  type KubeClient,
  type KubeObject,
  type ReconcileContext,
} from '@tofu-operator/reconcile-runtime';
import { isJobFinished } from '../execution/finished.js';
import { Index, type ClusterCache } from '../kube/cluster-cache.js';

/**
 * The writes the execution reconciler makes to runner Jobs: create one (a deterministic name makes a
 * repeat harmless), delete one by uid precondition, and clean up Jobs that should not run.
 */
export class RunnerJobs {
  constructor(
    private readonly client: KubeClient,
    private readonly cache: ClusterCache,
  ) {}

  /** Creates the Job; an existing one of the same name is used if the execution owns it, else undefined. */
  async create(execution: TofuExecution, job: Job, ctx: ReconcileContext): Promise<Job | undefined> {
    const ns = namespaceOf(execution);
    try {
      const created = await this.client.create<Job>(Jobs, ns, job);
      this.cache.jobs.observeCreate(created);
      ctx.log.info({ job: nameOf(job) }, 'created Job');
      return created;
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      // Deterministic name: it exists already (an earlier reconcile, or another replica before a
      // failover). Use it if it is ours.
      const existing = await this.client.get<Job>(Jobs, ns, nameOf(job));
      return controllerUid(existing) === uidOf(execution) ? existing : undefined;
    }
  }

  /** Deletes the Job (this very one: uid precondition); gone already or replaced is fine. */
  async delete(
    job: KubeObject,
    why: string,
    ctx: ReconcileContext,
    propagationPolicy: 'Background' | 'Foreground' = 'Background',
  ): Promise<void> {
    try {
      await this.client.delete(Jobs, job.metadata?.namespace, nameOf(job), {
        propagationPolicy,
        preconditions: { uid: job.metadata?.uid },
      });
      ctx.log.info({ job: nameOf(job), why }, 'deleted Job');
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  /** Jobs that claim the execution under another name than its own (e.g. from an older naming). */
  async dropStale(execution: TofuExecution, jobName: string, ctx: ReconcileContext): Promise<void> {
    for (const stale of this.cache.jobs.byIndex(Index.ownerUid, uidOf(execution))) {
      if (nameOf(stale) !== jobName) await this.delete(stale, 'a stale Job of this execution', ctx);
    }
  }

  /** A finished execution whose Job still runs (e.g. marked Failed for an unpullable image). */
  async stopLeftover(execution: TofuExecution, jobName: string, ctx: ReconcileContext): Promise<void> {
    const job = this.cache.jobs.get(namespaceOf(execution), jobName);
    if (job && controllerUid(job) === uidOf(execution) && !isJobFinished(job) && !job.metadata?.deletionTimestamp) {
      await this.delete(job, 'the execution has finished', ctx);
    }
  }
}
