// Which plan of a module or stack waits for approval, which older ones a newer plan supersedes, and
// the AwaitingApproval condition of a plan (docs/adr/0007-apply-approval-and-state.md). Pure: the
// owner reconciler, the execution status and the approve route all decide from these.
import {
  ApprovalReason,
  ConditionType,
  nameOf,
  Reason,
  type ApprovalRecord,
  type DriftModeName,
  type PendingPlan,
  type TofuExecution,
  type TofuExecutionStatus,
} from '@tofu-operator/api-types';
import { setCondition, type ConditionInput } from '@tofu-operator/reconcile-runtime';
import { byNewest, waitingMessage } from './owner-status.js';

/** Whether an execution is a plan (a destroy plan is a plan too). */
export function isPlan(execution: TofuExecution): boolean {
  return execution.spec.action === 'plan';
}

/** On a drift check: the driftDetection mode it was made for (Detect, Approve, AutoApply), fixed at creation. */
export const DRIFT_MODE_ANNOTATION = 'tofu-operator.io/drift-mode';

/** The drift mode of a drift check (spec.purpose DriftCheck; Detect unless it says otherwise); undefined for other executions. */
export function driftModeOfPlan(plan: TofuExecution): DriftModeName | undefined {
  if (plan.spec.purpose !== 'DriftCheck') return undefined;
  const mode = plan.metadata.annotations?.[DRIFT_MODE_ANNOTATION];
  return mode === 'Approve' || mode === 'AutoApply' ? mode : 'Detect';
}

/** A drift check of mode Detect: it reports drift and is never pending approval nor applied. */
export function isDetectOnly(plan: TofuExecution): boolean {
  return driftModeOfPlan(plan) === 'Detect';
}

/**
 * The newest plan among an owner's executions, running or finished, and not being deleted: the only
 * one that can be approved. Older plans are superseded by it. Both the owner reconciler and the
 * approve route and apply validation use this rule, so they never disagree about which plan counts.
 */
export function newestPlanOf(executions: readonly TofuExecution[]): TofuExecution | undefined {
  return executions.filter((e) => isPlan(e) && !e.metadata.deletionTimestamp).sort(byNewest)[0];
}

/** Names of the plans an apply or destroy execution among `executions` carries out. */
export function plansCarriedOut(executions: readonly TofuExecution[]): Set<string> {
  return new Set(executions.flatMap((e) => (e.spec.action !== 'plan' && e.spec.planRef ? [e.spec.planRef.name] : [])));
}

/**
 * Whether a plan waits for a decision: it succeeded, has changes, nobody decided on it
 * (status.approval) and no apply carries it out (an apply created with kubectl is an approval too).
 */
export function isUndecided(plan: TofuExecution, carriedOut: ReadonlySet<string>): boolean {
  return (
    isPlan(plan) &&
    plan.status?.phase === 'Succeeded' &&
    plan.status.plan?.hasChanges === true &&
    !isDetectOnly(plan) &&
    !plan.status.approval &&
    !carriedOut.has(nameOf(plan))
  );
}

/** What waits for approval among an owner's executions, and what a newer plan supersedes. */
export interface ApprovalView {
  /** The owner's newest plan (see newestPlanOf). */
  newest?: TofuExecution;
  /** The newest plan, when it waits for a decision (before autoApply acts on it). */
  undecided?: TofuExecution;
  /** Older plans that still wait: a newer plan exists, so they are marked Superseded. */
  superseded: TofuExecution[];
}

/** Sorts an owner's executions into the newest plan, the one waiting and the ones superseded. Pure. */
export function approvalViewOf(executions: readonly TofuExecution[]): ApprovalView {
  const newest = newestPlanOf(executions);
  const carriedOut = plansCarriedOut(executions);
  const superseded = executions.filter((e) => e !== newest && isUndecided(e, carriedOut));
  const view: ApprovalView = { superseded };
  if (newest) view.newest = newest;
  if (newest && isUndecided(newest, carriedOut)) view.undecided = newest;
  return view;
}

/** The owner's status.pendingPlan for a plan that waits. */
export function pendingPlanOf(plan: TofuExecution): PendingPlan {
  const pending: PendingPlan = { name: nameOf(plan), digest: plan.status?.plan?.digest ?? '' };
  if (plan.status?.summary) pending.summary = plan.status.summary;
  return pending;
}

/**
 * A plan execution's own AwaitingApproval condition, from its own fields: True while it waits, False
 * with the reason once decided, superseded or without changes; undefined before the plan succeeded
 * (and for applies), when there is nothing to say yet. `carriedOut`: whether an apply names it.
 */
export function planAwaitingCondition(plan: TofuExecution, carriedOut = false): ConditionInput | undefined {
  if (!isPlan(plan) || plan.status?.phase !== 'Succeeded') return undefined;
  const observedGeneration = plan.metadata.generation;
  const base = { type: ConditionType.AwaitingApproval, ...(observedGeneration !== undefined ? { observedGeneration } : {}) };
  const approval = plan.status.approval;
  if (approval) {
    const reason = ApprovalReason[approval.state];
    const who = approval.by ? ` by ${approval.by}` : '';
    return { ...base, status: 'False', reason, message: approval.message ?? `${approval.state.toLowerCase()}${who}` };
  }
  if (plan.status.plan?.hasChanges !== true) {
    return { ...base, status: 'False', reason: ApprovalReason.NoChanges, message: 'the plan changes nothing; nothing to approve' };
  }
  if (carriedOut) return { ...base, status: 'False', reason: ApprovalReason.Approved, message: 'an apply carries out this plan' };
  if (isDetectOnly(plan))
    return { ...base, status: 'False', reason: Reason.DriftCheckNotApplied, message: 'drift check (mode Detect): not applied' };
  return { ...base, status: 'True', reason: ApprovalReason.PlanWaiting, message: waitingMessage(pendingPlanOf(plan)) };
}

/**
 * A plan's status with a decision recorded (status.approval) and its AwaitingApproval condition
 * following it; unchanged when someone decided first (the first decision stands). Pure.
 */
export function decidedStatus(plan: TofuExecution, approval: ApprovalRecord, now: Date): TofuExecutionStatus {
  const status = plan.status ?? {};
  if (status.approval) return status;
  const decided: TofuExecutionStatus = { ...status, approval };
  const condition = planAwaitingCondition({ ...plan, status: decided });
  if (condition) decided.conditions = setCondition(status.conditions, condition, now);
  return decided;
}
