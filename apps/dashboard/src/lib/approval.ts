/**
 * Where a plan stands in its review, and what the page offers for it: pure, from the plan execution,
 * its owner (whose status.pendingPlan names the one plan that may be approved) and the caller's
 * permissions (the same SubjectAccessReviews the API makes).
 */
import type { Permissions } from '@tofu-operator/api-contracts';
import type { ApprovalRecord, TofuExecution, TofuModule, TofuStack } from '@tofu-operator/api-types';

/** The condition a waiting plan (and its owner) carries (api-types' ConditionType.AwaitingApproval). */
export const AWAITING_APPROVAL = 'AwaitingApproval';

/**
 * - not-a-plan: an apply or destroy execution
 * - planning: the plan has not succeeded (yet, or at all)
 * - no-changes: the plan changes nothing, so there is nothing to approve
 * - waiting: it waits for a decision, and it is its owner's pending plan
 * - stale: it has changes and no decision, but it is not its owner's pending plan (a newer plan
 *   replaced it and the operator has not recorded it yet): only the newest plan can be approved
 * - approved, rejected, superseded: decided (status.approval)
 */
export type ReviewState = 'not-a-plan' | 'planning' | 'no-changes' | 'waiting' | 'stale' | 'approved' | 'rejected' | 'superseded';

export type Owner = TofuModule | TofuStack;

/** The owner whose status.pendingPlan decides (a stack's run belongs to the stack, else the module). */
export function ownerRef(e: TofuExecution): { kind: 'stacks' | 'modules'; name: string } | undefined {
  if (e.spec.stackRef) return { kind: 'stacks', name: e.spec.stackRef.name };
  if (e.spec.moduleRef) return { kind: 'modules', name: e.spec.moduleRef.name };
  return undefined;
}

/**
 * Where the plan stands. A decision recorded on it wins; a finished plan with changes waits when its
 * owner names it in status.pendingPlan (only that plan can be approved), else when it carries
 * AwaitingApproval=True. `owner` undefined (not loaded, or not readable by the caller): the condition
 * decides, and without one the plan is offered (the API checks it again and answers 409).
 */
export function reviewState(e: TofuExecution, owner: Owner | undefined): ReviewState {
  if (e.spec.action !== 'plan') return 'not-a-plan';
  const decided = e.status?.approval?.state;
  if (decided === 'Approved') return 'approved';
  if (decided === 'Rejected') return 'rejected';
  if (decided === 'Superseded') return 'superseded';
  if (e.status?.phase !== 'Succeeded' || !e.status.plan?.digest) return 'planning';
  if (e.status.plan.hasChanges === false) return 'no-changes';
  const pending = owner?.status?.pendingPlan;
  if (pending) return pending.name === e.metadata.name ? 'waiting' : 'stale';
  const awaiting = e.status.conditions?.find((c) => c.type === AWAITING_APPROVAL);
  if (awaiting) return awaiting.status === 'True' ? 'waiting' : 'stale';
  // Neither says: with the owner loaded, it names no waiting plan; without it, the API decides.
  return owner === undefined ? 'waiting' : 'stale';
}

/** What the plan page offers: buttons only to a caller who may approve, and only on a waiting plan. */
export interface ReviewActions {
  approve: boolean;
  reject: boolean;
  /** Why no button is shown on a waiting plan (for a note). */
  note?: string;
}

export function reviewActions(state: ReviewState, perms: Permissions | undefined, ns: string): ReviewActions {
  if (state !== 'waiting') return { approve: false, reject: false };
  if (!perms) return { approve: false, reject: false };
  if (!perms.executions?.approve)
    return { approve: false, reject: false, note: `Your token may not approve tofuexecutions in ${ns} (Kubernetes RBAC).` };
  return { approve: true, reject: true };
}

/** The decision in words: "Approved by alice at …", "Rejected by …", "Superseded (…)". */
export function decisionText(a: ApprovalRecord): string {
  const by = a.by ? ` by ${a.by}` : a.state === 'Approved' ? ' automatically (autoApply)' : '';
  return `${a.state}${by}`;
}

/**
 * The plan that superseded this one, when the operator's message names it ("… superseded by
 * <name> …"); undefined otherwise.
 */
export function supersededBy(a: ApprovalRecord | undefined): string | undefined {
  if (a?.state !== 'Superseded' || !a.message) return undefined;
  return /superseded by (?:the newer plan |plan )?([a-z0-9]([-a-z0-9.]*[a-z0-9])?)/i.exec(a.message)?.[1];
}

/** Whether an owner's autoApply is on: a stack's own value wins over its module's; off by default. */
export function effectiveAutoApply(owner: Owner, module?: TofuModule): boolean {
  // Told by the spec, not by `kind`: list items of the Kubernetes API may come without it.
  if ('moduleRef' in owner.spec) return owner.spec.autoApply ?? module?.spec.autoApply ?? false;
  return owner.spec.autoApply ?? false;
}

/** The action of an execution for display: "plan", "destroy plan", "apply", "destroy". */
export function actionLabel(e: TofuExecution): string {
  if (e.spec.action === 'plan' && e.spec.destroy) return 'destroy plan';
  return e.spec.action ?? 'plan';
}
