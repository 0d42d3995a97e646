// What an owner's drift checks found (docs/guides/drift.md): status.drift and the Drifted condition
// from its newest finished drift check, and whether the owner is in sync enough for a check to mean
// anything (its newest plan applied or without changes, nothing running or waiting). Pure.
import {
  MAX_DRIFT_RESOURCES,
  nameOf,
  ReconciliationReason,
  type LastExecution,
  type OwnerDriftStatus,
  type TofuExecution,
} from '@tofu-operator/api-types';
import { isTerminal } from '../execution/finished.js';
import type { DriftCheckResult } from '../metrics/drift-metrics.js';
import { isDriftCheck } from './owner-source.js';
import { byNewest, createdAtMs } from './owner-status.js';

/** How many drifted resource addresses the Drifted condition's message names. */
export const MESSAGE_RESOURCES = 5;

/** The Drifted condition without its type. */
export interface DriftCondition {
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

/** What the newest finished check found: for status.drift (without nextCheckTime) and the condition. */
export interface DriftResult {
  drift: OwnerDriftStatus;
  condition?: DriftCondition;
  /** The finished check the result comes from. */
  check?: TofuExecution;
  /** For the metric and the Event: what that check found. */
  outcome?: DriftCheckResult;
}

/** The owner's drift checks, newest first. */
export function driftChecksOf(executions: readonly TofuExecution[]): TofuExecution[] {
  return executions.filter(isDriftCheck).sort(byNewest);
}

/** The owner's newest finished drift check. */
export function latestFinishedCheck(executions: readonly TofuExecution[]): TofuExecution | undefined {
  return driftChecksOf(executions).find(isTerminal);
}

/**
 * Whether something after `check` put the drift right: an apply of the drift plan itself (mode
 * Approve or AutoApply), the apply of a later plan (tofu refreshed, so it planned the drift back), or
 * a later plan that found nothing to change. Its name, or undefined.
 */
export function correctedBy(executions: readonly TofuExecution[], check: TofuExecution): string | undefined {
  const after = (e: TofuExecution) => createdAtMs(e) > createdAtMs(check) && !isDriftCheck(e);
  for (const e of [...executions].sort(byNewest)) {
    if (e.status?.phase !== 'Succeeded') continue;
    if (e.spec.action === 'plan' && after(e) && e.status.plan?.hasChanges === false) return nameOf(e);
    const planName = e.spec.action !== 'plan' ? e.spec.planRef?.name : undefined;
    if (!planName) continue;
    const plan = executions.find((p) => nameOf(p) === planName);
    if (planName === nameOf(check) || (plan && after(plan))) return nameOf(e);
  }
  return undefined;
}

/** "1 to add, 2 to change, 0 to destroy: a, b, c and 4 more" for a drifted check. */
function driftedMessage(drift: OwnerDriftStatus, name: string): string {
  const { add = 0, change = 0, destroy = 0 } = drift.counts ?? {};
  const listed = drift.resources ?? [];
  const shown = listed.slice(0, MESSAGE_RESOURCES);
  const more = listed.length - shown.length + (drift.resourcesOmitted ?? 0);
  const names = shown.length > 0 ? `: ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}` : '';
  return `${add} to add, ${change} to change, ${destroy} to destroy${names} (drift check ${name} at ${drift.lastCheckTime ?? 'an unknown time'})`;
}

/**
 * status.drift and the Drifted condition from the newest finished drift check. `addresses`: the
 * drifted resources of that check read from its stored diff (undefined when not read: the status's
 * list is kept when it is of the same check). Before any check: the previous status and no condition.
 */
export function driftResultOf(executions: readonly TofuExecution[], prev: OwnerDriftStatus | undefined, addresses?: string[]): DriftResult {
  const check = latestFinishedCheck(executions);
  if (!check) return { drift: { ...prev } };
  const name = nameOf(check);
  const drift: OwnerDriftStatus = { lastCheckExecution: name };
  const at = check.status?.completionTime;
  if (at) drift.lastCheckTime = at;
  if (check.status?.phase !== 'Succeeded') {
    const why = check.status?.message ?? 'failed';
    const condition = {
      status: 'Unknown' as const,
      reason: ReconciliationReason.DriftCheckFailed,
      message: `drift check ${name} failed: ${why}`,
    };
    return { drift, condition, check, outcome: 'failed' };
  }
  const plan = check.status.plan;
  if (plan?.hasChanges !== true) {
    drift.drifted = false;
    drift.counts = { add: 0, change: 0, destroy: 0 };
    const condition = {
      status: 'False' as const,
      reason: ReconciliationReason.NoDrift,
      message: `no drift at ${at ?? 'an unknown time'} (drift check ${name})`,
    };
    return { drift, condition, check, outcome: 'clean' };
  }
  const all = addresses ?? (prev?.lastCheckExecution === name ? prev.resources : undefined);
  const corrected = correctedBy(executions, check);
  if (corrected) {
    drift.drifted = false;
    const message = `drift found by ${name} was put right by ${corrected}`;
    return { drift, condition: { status: 'False', reason: ReconciliationReason.NoDrift, message }, check, outcome: 'drifted' };
  }
  drift.drifted = true;
  drift.counts = { add: plan.add ?? 0, change: plan.change ?? 0, destroy: plan.destroy ?? 0 };
  if (all) {
    drift.resources = all.slice(0, MAX_DRIFT_RESOURCES);
    const omitted = Math.max(0, all.length - MAX_DRIFT_RESOURCES) + (addresses ? 0 : (prev?.resourcesOmitted ?? 0));
    if (omitted > 0) drift.resourcesOmitted = omitted;
  }
  const condition = { status: 'True' as const, reason: ReconciliationReason.DriftDetected, message: driftedMessage(drift, name) };
  return { drift, condition, check, outcome: 'drifted' };
}

/** What decides whether the owner is in sync. */
export interface SyncInput {
  executions: readonly TofuExecution[];
  /** A plan trigger is due (a new commit, spec or inputs). */
  planDue: boolean;
  /** The owner cannot plan (inputs or dependencies): why. */
  blocked?: string;
  /** The plan that waits for approval, if any. */
  undecided?: TofuExecution;
  /** status.lastExecution: stands in when the history holds no plan of changes any more. */
  lastExecution?: LastExecution;
}

/**
 * Why a drift check would mean nothing now, or undefined when the owner is in sync: its newest plan
 * of changes was applied (or changed nothing), no run goes on, no plan waits for approval and no new
 * plan is due.
 */
export function notInSyncReason(input: SyncInput): string | undefined {
  const { executions, planDue, blocked, undecided, lastExecution } = input;
  if (blocked) return `it cannot plan: ${blocked}`;
  if (planDue) return 'a new plan is due';
  const running = executions.find((e) => !isTerminal(e));
  if (running) return `${running.spec.action} ${nameOf(running)} is running`;
  if (undecided) return `plan ${nameOf(undecided)} waits for approval`;
  const sorted = [...executions].sort(byNewest);
  const newestApply = sorted.find((e) => e.spec.action !== 'plan');
  if (newestApply?.status?.phase === 'Failed') return `the latest ${newestApply.spec.action} ${nameOf(newestApply)} failed`;
  const plan = sorted.find((e) => e.spec.action === 'plan' && !isDriftCheck(e));
  if (!plan) return lastExecution?.phase === 'Succeeded' ? undefined : 'nothing has been planned and applied yet';
  if (plan.status?.phase !== 'Succeeded') return `the latest plan ${nameOf(plan)} failed`;
  if (plan.spec.destroy) return `the latest plan ${nameOf(plan)} is a destroy`;
  if (plan.status.plan?.hasChanges !== true) return undefined;
  const apply = executions.find((e) => e.spec.action !== 'plan' && e.spec.planRef?.name === nameOf(plan));
  if (!apply) return `the latest plan ${nameOf(plan)} was not applied`;
  return apply.status?.phase === 'Succeeded' ? undefined : `${apply.spec.action} ${nameOf(apply)} did not succeed`;
}
