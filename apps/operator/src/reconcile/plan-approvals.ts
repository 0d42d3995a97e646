import { ApprovalReason, nameOf, TofuExecutions, type TofuExecution, type TofuExecutionStatus } from '@tofu-operator/api-types';
import {
  isAlreadyExists,
  isNotFound,
  updateStatus,
  type EventRecorder,
  type KubeClient,
  type KubeObject,
  type ReconcileContext,
} from '@tofu-operator/reconcile-runtime';
import { applyExecutionFor, NotApplicableError } from '../execution/apply-execution.js';
import type { ClusterCache } from '../kube/cluster-cache.js';
import { decidedStatus } from './approval.js';

/** Event reason on a plan and its owner when a newer plan replaces the plan that waited. */
const PLAN_SUPERSEDED = 'PlanSuperseded';
/** Event reason on a plan and its owner when autoApply creates its apply. */
const PLAN_AUTO_APPLIED = 'PlanAutoApplied';
/** Event reason when autoApply cannot carry out a plan (no saved plan or commit recorded). */
const AUTO_APPLY_FAILED = 'AutoApplyFailed';

/**
 * The decisions the owner reconciler takes on its plans: marking older waiting plans Superseded, and
 * with autoApply creating the apply of the newest plan. Each write is idempotent (the first decision
 * stands; the apply has a deterministic name), so a repeated reconcile changes nothing.
 */
export class PlanApprovals {
  constructor(
    private readonly client: KubeClient,
    private readonly cache: ClusterCache,
    private readonly events: EventRecorder,
  ) {}

  /** Marks each of `plans` Superseded by `newest`, with an Event on the plan and on the owner. */
  async supersede(owner: KubeObject, plans: readonly TofuExecution[], newest: TofuExecution, ctx: ReconcileContext): Promise<void> {
    for (const plan of plans) {
      const message = `superseded by ${nameOf(newest)}`;
      const now = new Date();
      const approval = { state: ApprovalReason.Superseded, at: isoSeconds(now), message };
      if (!(await this.decide(plan, approval, now))) continue;
      ctx.log.info({ plan: nameOf(plan), newest: nameOf(newest) }, 'plan superseded');
      this.events.record(plan, 'Normal', PLAN_SUPERSEDED, 'Supersede', message);
      this.events.record(owner, 'Normal', PLAN_SUPERSEDED, 'Supersede', `plan ${nameOf(plan)} ${message}`);
    }
  }

  /**
   * Creates the apply (or destroy) execution of `plan` as the operator (autoApply), then records the
   * approval on the plan. Its name, or undefined when the plan cannot be applied (said in an Event).
   */
  async autoApply(owner: KubeObject, plan: TofuExecution, ctx: ReconcileContext): Promise<string | undefined> {
    let body: TofuExecution;
    try {
      body = applyExecutionFor(plan);
    } catch (err) {
      if (!(err instanceof NotApplicableError)) throw err;
      ctx.log.warn({ plan: nameOf(plan), reason: err.message }, 'autoApply cannot carry out the plan');
      this.events.record(owner, 'Warning', AUTO_APPLY_FAILED, 'Apply', err.message);
      return undefined;
    }
    const name = nameOf(body);
    try {
      const created = await this.client.create<TofuExecution>(TofuExecutions, body.metadata.namespace, body);
      this.cache.executions.observeCreate(created);
      ctx.log.info({ plan: nameOf(plan), execution: name }, 'autoApply: created the apply');
      const text = `autoApply: ${body.spec.action} ${name} carries out plan ${nameOf(plan)} (${plan.status?.plan?.digest ?? ''})`;
      this.events.record(owner, 'Normal', PLAN_AUTO_APPLIED, 'Apply', text);
      this.events.record(plan, 'Normal', PLAN_AUTO_APPLIED, 'Apply', text);
    } catch (err) {
      // Deterministic name: an earlier reconcile (or replica) created it already.
      if (!isAlreadyExists(err)) throw err;
    }
    const now = new Date();
    const why = plan.spec.purpose === 'DriftCheck' ? 'driftDetection mode AutoApply' : 'spec.autoApply';
    const approval = { state: ApprovalReason.Approved, at: isoSeconds(now), message: `applied automatically (${why}) by ${name}` };
    const digest = plan.status?.plan?.digest;
    await this.decide(plan, digest ? { ...approval, digest } : approval, now);
    return name;
  }

  /** Records a decision on a plan unless one is there; whether this call recorded it. */
  private async decide(plan: TofuExecution, approval: NonNullable<TofuExecutionStatus['approval']>, now: Date): Promise<boolean> {
    try {
      const written = await updateStatus(this.client, TofuExecutions, plan, (current) => decidedStatus(current, approval, now));
      return written !== undefined;
    } catch (err) {
      if (isNotFound(err)) return false; // deleted meanwhile (history limit, by hand): nothing to decide
      throw err;
    }
  }
}

function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
