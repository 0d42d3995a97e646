import { Injectable } from '@nestjs/common';
import { Annotations, nameOf, namespaceOf, Reason, TofuExecutions, type TofuExecution } from '@tofu-operator/api-types';
import { EventRecorder, isAlreadyExists, KubeClient, updateStatus, type ReconcileContext } from '@tofu-operator/reconcile-runtime';
import { applyExecutionFor, applyNameFor } from '../execution/apply-execution.js';
import { ClusterCache } from '../kube/cluster-cache.js';
import { executionsOfOwner, refusePlan } from './apply-checks.js';
import { decidedStatus } from './approval.js';

/**
 * The kubectl way to decide on a plan (docs/guides/approving-a-plan.md): the annotation
 * `tofu-operator.io/approve=<digest>` on a finished plan creates its apply, as the REST approve does;
 * `tofu-operator.io/reject=<digest>` records it Rejected. The admission policy has already checked
 * that whoever set the annotation may approve. A digest that is not the plan's, or a plan that cannot
 * be decided now, gets a Warning Event naming why, and nothing runs.
 */
@Injectable()
export class PlanDecisions {
  constructor(
    private readonly cache: ClusterCache,
    private readonly client: KubeClient,
    private readonly events: EventRecorder,
  ) {}

  /** Acts on a decision annotation of a finished plan, once: a decided plan or an existing apply ends it. */
  async act(plan: TofuExecution, ctx: ReconcileContext): Promise<void> {
    if (plan.spec.action !== 'plan' || plan.status?.phase !== 'Succeeded' || plan.status.approval) return;
    const approve = plan.metadata.annotations?.[Annotations.approve];
    const reject = plan.metadata.annotations?.[Annotations.reject];
    if (!approve && !reject) return;
    const ns = namespaceOf(plan);
    if (this.cache.executions.get(ns, applyNameFor(plan))) return;
    const digest = (reject ?? approve) as string;
    const refusal = refusePlan({ plan, planName: nameOf(plan), digest, siblings: executionsOfOwner(this.cache.executions.list(ns), plan) });
    if (refusal) {
      const annotation = reject ? Annotations.reject : Annotations.approve;
      ctx.log.warn({ reason: refusal.reason, annotation }, refusal.message);
      this.events.record(
        plan,
        'Warning',
        refusal.reason,
        reject ? 'Reject' : 'Approve',
        `${annotation}: ${refusal.message}; nothing is applied`,
      );
      return;
    }
    if (reject) {
      const now = new Date();
      await updateStatus(this.client, TofuExecutions, plan, (current) =>
        decidedStatus(current, { state: 'Rejected', at: now.toISOString(), digest }, now),
      );
      this.events.record(plan, 'Normal', Reason.PlanRejected, 'Reject', `rejected by the ${Annotations.reject} annotation`);
      return;
    }
    try {
      const apply = await this.client.create<TofuExecution>(TofuExecutions, ns, applyExecutionFor(plan));
      this.cache.executions.observeCreate(apply);
      ctx.log.info({ apply: nameOf(apply) }, 'approved by annotation; created the apply');
      this.events.record(
        plan,
        'Normal',
        'Approved',
        'Approve',
        `approved by the ${Annotations.approve} annotation: ${nameOf(apply)} applies it`,
      );
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }
}
