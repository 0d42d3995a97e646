// Deleting a module or stack (docs/adr/0007-apply-approval-and-state.md): with deletionPolicy Destroy
// its finalizer holds it while a destroy is planned, approved (or autoApplied) and run, and the state
// is removed; Orphan (the default) lets it go at once, also when set on an object being deleted.
import { Annotations, ApprovalReason, Finalizers, nameOf, type PendingPlan, type TofuExecution } from '@tofu-operator/api-types';
import { isTerminal } from '../execution/finished.js';
import { pendingPlanOf } from './approval.js';
import type { Owner } from './owner-status.js';

/** What the finalizer waits for, or what it does next. */
export type DestroyStep =
  /** Remove the state (after a destroy, or when there was nothing to destroy), then the finalizer. */
  | { kind: 'release'; removeState: boolean; why: string }
  /** Create the destroy plan. */
  | { kind: 'plan' }
  /** Create the destroy execution of the destroy plan (autoApply). */
  | { kind: 'apply'; plan: TofuExecution }
  /** Wait: a run goes on, the plan waits for approval, or something failed (the message says the way out). */
  | { kind: 'wait'; failed: boolean; message: string; pending?: PendingPlan; unresolved?: boolean };

/** What a destroy that cannot finish tells the user to do. */
export const WAY_OUT =
  `set the ${Annotations.requestedAt} annotation to plan the destroy again, or spec.deletionPolicy: Orphan to let ` +
  'the object go and leave its resources and state';

/** Whether the owner should carry the destroy finalizer: only with deletionPolicy Destroy. */
export function wantsDestroy(owner: Owner): boolean {
  return owner.spec.deletionPolicy === 'Destroy';
}

/** Whether the owner carries the destroy finalizer. */
export function hasDestroyFinalizer(owner: Owner): boolean {
  return owner.metadata.finalizers?.includes(Finalizers.destroy) ?? false;
}

/** The owner's finalizers with the destroy finalizer added or removed. */
export function finalizersWith(owner: Owner, want: boolean): string[] {
  const others = (owner.metadata.finalizers ?? []).filter((f) => f !== Finalizers.destroy);
  return want ? [...others, Finalizers.destroy] : others;
}

/** The trigger of the destroy plan: a new re-plan request while deleting plans the destroy again. */
export function destroyTriggerOf(owner: Owner): string {
  const requested = owner.metadata.annotations?.[Annotations.requestedAt];
  return requested ? `destroy/r${requested}` : 'destroy';
}

/**
 * The next step of deleting an owner that carries the destroy finalizer, from its executions and the
 * name of its destroy plan; `unresolved` says why no destroy plan can be made (a missing module). Pure.
 */
export function destroyStepOf(
  owner: Owner,
  executions: readonly TofuExecution[],
  planName: string,
  autoApply: boolean,
  unresolved?: string,
): DestroyStep {
  if (!wantsDestroy(owner)) return { kind: 'release', removeState: false, why: 'deletionPolicy Orphan: the resources and the state stay' };
  const plan = executions.find((e) => nameOf(e) === planName);
  if (!plan) {
    const running = executions.find((e) => !isTerminal(e));
    if (running) return { kind: 'wait', failed: false, message: `the destroy is planned when ${nameOf(running)} has finished` };
    if (unresolved) return { kind: 'wait', failed: true, unresolved: true, message: `cannot plan the destroy: ${unresolved}; ${WAY_OUT}` };
    return { kind: 'plan' };
  }
  const phase = plan.status?.phase ?? 'Pending';
  if (!isTerminal(plan)) return { kind: 'wait', failed: false, message: `planning the destroy: ${planName} is ${phase.toLowerCase()}` };
  if (phase === 'Failed') {
    return {
      kind: 'wait',
      failed: true,
      message: `the destroy plan ${planName} failed (${plan.status?.message ?? 'no message'}); ${WAY_OUT}`,
    };
  }
  if (plan.status?.plan?.hasChanges !== true) return { kind: 'release', removeState: true, why: `${planName}: nothing to destroy` };
  const destroy = executions.find((e) => e.spec.action !== 'plan' && e.spec.planRef?.name === planName);
  if (!destroy) {
    const decision = plan.status.approval?.state;
    if (decision === 'Rejected' || decision === 'Superseded') {
      return { kind: 'wait', failed: true, message: `the destroy plan ${planName} was ${decision.toLowerCase()}; ${WAY_OUT}` };
    }
    if (autoApply) return { kind: 'apply', plan };
    const pending = pendingPlanOf(plan);
    return { kind: 'wait', failed: false, message: `the destroy plan ${planName} waits for approval`, pending };
  }
  const name = nameOf(destroy);
  if (!isTerminal(destroy))
    return { kind: 'wait', failed: false, message: `destroying: ${name} is ${(destroy.status?.phase ?? 'Pending').toLowerCase()}` };
  if (destroy.status?.phase === 'Failed') {
    return { kind: 'wait', failed: true, message: `the destroy ${name} failed (${destroy.status.message ?? 'no message'}); ${WAY_OUT}` };
  }
  return { kind: 'release', removeState: true, why: `${name} destroyed the resources` };
}

/** The reason of the owner's conditions while it is being deleted. */
export function destroyReason(step: Extract<DestroyStep, { kind: 'wait' }>): string {
  return step.failed ? ApprovalReason.DestroyFailed : ApprovalReason.Destroying;
}
