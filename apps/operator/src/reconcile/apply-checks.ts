// Whether a plan may be carried out (docs/adr/0007-apply-approval-and-state.md): checked by the
// execution reconciler before an apply's Job exists, and by the approve route before it creates the
// apply. Pure: both read the informer cache and decide from the same rules.
import { nameOf, Reason, uidOf, type ReasonName, type TofuExecution } from '@tofu-operator/api-types';
import { isDetectOnly, newestPlanOf } from './approval.js';

/** Why a plan cannot be carried out, with the reason constant for conditions and Events. */
export interface PlanRefusal {
  reason: ReasonName;
  message: string;
  /** The refusal concerns the digest alone (the REST approve answers 422, not 409). */
  digest?: boolean;
}

/** What the checks look at: the plan, the digest approved, the owner's executions, and the apply itself (if it exists). */
export interface PlanCheckInput {
  plan: TofuExecution | undefined;
  /** The name the apply's spec.planRef gives (for messages when the plan is gone). */
  planName: string;
  digest: string;
  /** Every execution of the plan's owner (module or stack), the plan included. */
  siblings: readonly TofuExecution[];
  /** The apply being checked; undefined before it is created (the approve route). */
  apply?: TofuExecution;
}

/** Whose state an execution uses, in words: its stack, else its module (as the runner API decides). */
export const ownerOfRefs = (e: TofuExecution): string =>
  e.spec.stackRef ? `stack ${e.spec.stackRef.name}` : `module ${e.spec.moduleRef?.name}`;

/** The executions among `all` that share `execution`'s state owner (hand-made ones not adopted yet included). */
export function executionsOfOwner(all: readonly TofuExecution[], execution: TofuExecution): TofuExecution[] {
  const owner = ownerOfRefs(execution);
  return all.filter((e) => ownerOfRefs(e) === owner);
}

/**
 * The first reason `plan` cannot be carried out now, or undefined when it can: it exists, is a
 * Succeeded plan with changes whose stored digest is the approved one, belongs to the apply's module
 * or stack, is its owner's newest plan, was neither rejected nor superseded, and no other apply
 * execution names it.
 */
export function refusePlan(input: PlanCheckInput): PlanRefusal | undefined {
  const { plan, planName, digest, siblings, apply } = input;
  if (!plan || plan.metadata.deletionTimestamp)
    return { reason: Reason.PlanNotFound, message: `plan ${planName} does not exist in this namespace` };
  if (plan.spec.action !== 'plan' || plan.status?.phase !== 'Succeeded')
    return {
      reason: Reason.PlanNotSucceeded,
      message: `${plan.spec.action} ${planName} is not a succeeded plan (phase ${plan.status?.phase ?? 'unset'})`,
    };
  const stored = plan.status.plan?.digest;
  if (stored !== digest)
    return {
      reason: Reason.PlanDigestMismatch,
      message: `plan ${planName} has digest ${stored ?? '(none)'}, not the approved ${digest}`,
      digest: true,
    };
  if (plan.status.plan?.hasChanges !== true)
    return { reason: Reason.PlanHasNoChanges, message: `plan ${planName} changes nothing: a plan without changes is never applied` };
  if (isDetectOnly(plan))
    return {
      reason: Reason.DriftCheckNotApplied,
      message: `plan ${planName} is a drift check (mode Detect): it reports drift and is never applied`,
    };
  if (apply && ownerOfRefs(apply) !== ownerOfRefs(plan))
    return { reason: Reason.PlanOfAnotherOwner, message: `plan ${planName} belongs to ${ownerOfRefs(plan)}, not ${ownerOfRefs(apply)}` };
  const approval = plan.status.approval;
  if (approval?.state === 'Rejected')
    return { reason: Reason.PlanRejected, message: `plan ${planName} was rejected${approval.by ? ` by ${approval.by}` : ''}` };
  if (approval?.state === 'Superseded')
    return { reason: Reason.PlanSuperseded, message: `plan ${planName} was superseded${approval.message ? `: ${approval.message}` : ''}` };
  const newest = newestPlanOf(siblings);
  if (newest && uidOf(newest) !== uidOf(plan))
    return {
      reason: Reason.PlanSuperseded,
      message: `plan ${planName} is not the newest plan of ${ownerOfRefs(plan)}: ${nameOf(newest)} is`,
    };
  const other = siblings.find(
    (e) => e.spec.action !== 'plan' && e.spec.planRef?.name === planName && (!apply || uidOf(e) !== uidOf(apply)),
  );
  if (other)
    return {
      reason: Reason.PlanAlreadyApplied,
      message: `plan ${planName} is carried out by ${other.spec.action} ${nameOf(other)} already`,
    };
  return undefined;
}
