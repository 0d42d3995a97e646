// What happened between two versions of an object, as notifications (issue 13): computed from the
// old and new objects an informer update delivers, never from an object alone, so the first list
// after a restart (adds without an old object) notifies nothing again.
import {
  ConditionType,
  NotificationEvent,
  type NotificationEventName,
  type NotificationsSpec,
  type TofuExecution,
  type TofuModule,
  type TofuStack,
} from '@tofu-operator/api-types';

type WithConditions = { status?: { conditions?: { type: string; status: string }[] } };

const conditionTrue = (obj: WithConditions | undefined, type: string): boolean =>
  obj?.status?.conditions?.some((c) => c.type === type && c.status === 'True') ?? false;

const ended = (phase: string | undefined): boolean => phase === 'Succeeded' || phase === 'Failed';

/**
 * The notifications an execution's update from `old` to `now` makes, in the order they happened:
 * RunStarted when its phase becomes Running (or it ends having started, when the watch skipped the
 * Running version), RunSucceeded or RunFailed when it ends, AwaitingApproval when a plan's
 * AwaitingApproval condition turns True. Nothing for an unchanged phase, so a resync or a status
 * write that changes something else repeats nothing.
 */
export function executionTransitions(old: TofuExecution, now: TofuExecution): NotificationEventName[] {
  const before = old.status?.phase;
  const after = now.status?.phase;
  const found: NotificationEventName[] = [];
  if (!ended(before)) {
    const startedNow = after === 'Running' || (ended(after) && before !== 'Running' && !!now.status?.startTime);
    if (startedNow && before !== 'Running') found.push(NotificationEvent.RunStarted);
    if (after === 'Succeeded') found.push(NotificationEvent.RunSucceeded);
    if (after === 'Failed') found.push(NotificationEvent.RunFailed);
  }
  if (
    now.spec.action === 'plan' &&
    !conditionTrue(old, ConditionType.AwaitingApproval) &&
    conditionTrue(now, ConditionType.AwaitingApproval)
  )
    found.push(NotificationEvent.AwaitingApproval);
  return found;
}

/** Drifted when a module's or stack's Drifted condition turns True; nothing while it stays True. */
export function ownerTransitions(old: TofuModule | TofuStack, now: TofuModule | TofuStack): NotificationEventName[] {
  return !conditionTrue(old, ConditionType.Drifted) && conditionTrue(now, ConditionType.Drifted) ? [NotificationEvent.Drifted] : [];
}

/** The notifications settings that apply to an owner: a stack's own replace its module's as a whole. */
export function effectiveNotifications(owner: TofuModule | TofuStack, module: TofuModule | undefined): NotificationsSpec | undefined {
  if (owner.spec.notifications) return owner.spec.notifications;
  return owner.kind === 'TofuStack' ? module?.spec.notifications : undefined;
}

/** Whether `settings` ask for `event` (no events list: all of them). */
export function wants(settings: NotificationsSpec, event: NotificationEventName): boolean {
  return !settings.events?.length || settings.events.includes(event);
}

/**
 * Whether a webhook goes out for `event` of `execution`: what the settings ask for, except the start
 * and success of a drift check, which are routine (every interval, for every owner): a drift check
 * is news when it finds drift (Drifted), fails (RunFailed) or waits for approval.
 */
export function webhookWanted(settings: NotificationsSpec, event: NotificationEventName, execution: TofuExecution | undefined): boolean {
  const routine =
    execution?.spec.purpose === 'DriftCheck' && (event === NotificationEvent.RunStarted || event === NotificationEvent.RunSucceeded);
  return !routine && wants(settings, event);
}

/**
 * Events another part of the operator records already, so the notifier does not: the drift
 * detection's DriftDetected Warning on the turn to drifted (reconcile/drift-checks.ts).
 */
export const EVENTS_RECORDED_ELSEWHERE: ReadonlySet<NotificationEventName> = new Set([NotificationEvent.Drifted]);
