// The owner reconciler's creates: plan executions (with the expectations that hold its decisions
// until the cache shows them) and the superseded-by mark on a queued plan a newer one replaces.
import { Annotations, controllerOf, nameOf, TofuExecutions, uidOf, type TofuExecution } from '@tofu-operator/api-types';
import {
  isAlreadyExists,
  isConflict,
  isNotFound,
  type EventRecorder,
  type KubeClient,
  type ReconcileContext,
} from '@tofu-operator/reconcile-runtime';
import { isTerminal } from '../execution/finished.js';
import type { ClusterCache } from '../kube/cluster-cache.js';
import { Expectations } from './expectations.js';
import type { Owner } from './owner-status.js';

/**
 * The one unfinished execution of an owner when it is a plan still waiting in the run queue (no Job
 * yet): a newer trigger replaces it instead of waiting for it. Undefined otherwise.
 */
export function queuedPlanOf(executions: readonly TofuExecution[]): TofuExecution | undefined {
  const running = executions.filter((e) => !isTerminal(e));
  const [only] = running;
  if (running.length !== 1 || !only || only.spec.action !== 'plan') return undefined;
  return only.status?.queue && !only.status.jobName ? only : undefined;
}

/** Creates an owner's executions; idempotent (deterministic names: a 409 is the one made before). */
export class OwnerRuns {
  private readonly expectations = new Expectations();

  constructor(
    private readonly client: KubeClient,
    private readonly cache: ClusterCache,
    private readonly events: EventRecorder,
  ) {}

  /** Whether an execution this reconciler created is not in the cache yet (decisions would be stale). */
  pending(ownerUid: string): boolean {
    return this.expectations.pending(ownerUid);
  }

  /** The cache has seen an execution (clears a pending expectation). */
  observed(execution: TofuExecution): void {
    const owner = controllerOf(execution);
    if (owner) this.expectations.observe(owner.uid, nameOf(execution));
  }

  /** Creates `body` for `owner`, with an ExecutionCreated Event saying `what` and why (`trigger`). */
  async create(owner: Owner, body: TofuExecution, what: string, ctx: ReconcileContext): Promise<TofuExecution> {
    const name = nameOf(body);
    const trigger = body.metadata.annotations?.[Annotations.trigger] ?? '';
    this.expectations.expect(uidOf(owner), name);
    try {
      const created = await this.client.create<TofuExecution>(TofuExecutions, owner.metadata.namespace, body);
      this.cache.executions.observeCreate(created);
      ctx.log.info({ execution: name, trigger }, 'created execution');
      this.events.record(owner, 'Normal', 'ExecutionCreated', 'Plan', `Created ${what} ${name} (${trigger})`);
      return created;
    } catch (err) {
      if (!isAlreadyExists(err)) {
        this.expectations.observe(uidOf(owner), name);
        throw err;
      }
      // Created by an earlier reconcile whose status write did not land: not a duplicate.
      return this.client.get<TofuExecution>(TofuExecutions, owner.metadata.namespace, name);
    }
  }

  /**
   * Marks a plan waiting in the run queue as replaced by `by` (tofu-operator.io/superseded-by): the
   * execution reconciler records it Failed/Superseded and never runs it. False when it started
   * meanwhile (a Job exists: the owner waits for it like for any run) or was deleted.
   */
  async supersedeQueued(plan: TofuExecution, by: string, ctx: ReconcileContext): Promise<boolean> {
    if (plan.metadata.annotations?.[Annotations.supersededBy] === by) return true;
    try {
      // The resourceVersion makes this a precondition: a plan whose Job was created since is left alone.
      await this.client.mergePatch<TofuExecution>(TofuExecutions, plan.metadata.namespace, nameOf(plan), {
        metadata: { resourceVersion: plan.metadata.resourceVersion, annotations: { [Annotations.supersededBy]: by } },
      });
      ctx.log.info({ plan: nameOf(plan), by }, 'queued plan superseded by a newer one');
      return true;
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) return false;
      throw err;
    }
  }
}
