// The owner reconciler's drift step (docs/guides/drift.md): whether a drift check is due and may run,
// what the latest one found (status.drift, condition Drifted, read from its stored diff), the
// DriftDetected Event on the transition to drifted, and the drift metrics.
import {
  ConditionType,
  nameOf,
  ReconciliationReason,
  namespaceOf,
  type Condition,
  type DriftModeName,
  type PlanDiff,
  type TofuExecution,
  type TofuModuleStatus,
} from '@tofu-operator/api-types';
import { setCondition, type EventRecorder, type ReconcileContext } from '@tofu-operator/reconcile-runtime';
import type { MetricsService } from '../metrics/metrics.service.js';
import type { PlanStore } from '../runner-api/plan-store.service.js';
import { driftCheckDue, driftIntervalMs, driftModeOf, driftSpecOf, nextCheckAt, requestedCheckName, skippedTo } from './drift-schedule.js';
import { driftResultOf, latestFinishedCheck, notInSyncReason, type DriftCondition, type DriftResult } from './drift-status.js';
import { isDriftCheck } from './owner-source.js';
import type { Owner } from './owner-status.js';
import type { PlanTrigger } from './owner-triggers.js';
import type { ResolvedRun } from './run-resolver.js';

/** What the reconcile knows when it comes to drift. */
export interface DriftInput {
  owner: Owner;
  run: ResolvedRun;
  executions: readonly TofuExecution[];
  /** A plan trigger is due (checks wait for it). */
  planDue: boolean;
  /** Why the owner cannot plan, when blocked. */
  blocked?: string;
  /** The plan waiting for approval, if any. */
  undecided?: TofuExecution;
  /** The commit planned last (status.source.commit): what a check plans, so any change is drift. */
  planned?: string;
  now: Date;
}

/** What the reconcile does about drift. */
export interface DriftStep {
  /** A drift check to create now, and the mode it is made for. */
  create?: { due: PlanTrigger; mode: DriftModeName };
  /** Puts status.drift and the Drifted condition into a status (none without driftDetection). */
  status(status: TofuModuleStatus): TofuModuleStatus;
  /** Come back when the next check is due. */
  requeueAfterMs?: number;
  /** Executions history pruning must keep: the check of the current request. */
  keep: string[];
}

const iso = (t: number) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Drift detection of modules and stacks; one instance per owner reconciler. */
export class DriftChecks {
  /** Per owner ("namespace/name"): its latest finished check, the addresses of its diff, and whether it was counted (metric, Event). */
  private readonly seen = new Map<string, { check: string; addresses?: string[]; counted?: boolean }>();

  constructor(
    private readonly plans: PlanStore | undefined,
    private readonly events: EventRecorder,
    private readonly metrics: MetricsService | undefined,
  ) {}

  /** Forgets a deleted owner (by "namespace/name": its uid is gone with it). */
  forget(namespace: string, name: string): void {
    this.seen.delete(`${namespace}/${name}`);
  }

  async step(input: DriftInput, ctx: ReconcileContext): Promise<DriftStep> {
    const { owner, run, executions, now } = input;
    const spec = driftSpecOf(owner, run.module);
    if (!spec) {
      this.seen.delete(keyOf(owner));
      return { status: withoutDrift, keep: [] };
    }
    const prev = owner.status?.drift;
    const result = driftResultOf(executions, prev, await this.addresses(owner, latestFinishedCheck(executions), ctx));
    const previous = owner.status?.conditions?.find((c) => c.type === ConditionType.Drifted);
    this.report(owner, result, previous);

    const interval = driftIntervalMs(spec);
    const due = nextCheckAt(owner, spec, executions, now.getTime(), result.drift.lastCheckTime ?? prev?.lastCheckTime);
    const asked = driftCheckDue(owner, executions, due, now.getTime());
    // A skipped check's condition stands until the next check (the schedule in status is unchanged).
    const newResult = result.check !== undefined && nameOf(result.check) !== prev?.lastCheckExecution;
    const skipped = previous?.reason === ReconciliationReason.DriftCheckPending && !newResult && prev?.nextCheckTime === iso(due);
    let condition: DriftCondition | undefined = skipped ? previous : result.condition;
    condition ??= {
      status: 'Unknown',
      reason: ReconciliationReason.DriftCheckPending,
      message: `no drift check has run yet; the first is due at ${iso(due)}`,
    };
    let next = due;
    let create: DriftStep['create'];
    if (asked) {
      const { planned } = input;
      const why = planned
        ? notInSyncReason({ ...input, lastExecution: owner.status?.lastExecution })
        : 'the commit planned last is not known yet';
      if (!why && planned) {
        const mode = driftModeOf(spec);
        create = { due: { trigger: asked.trigger, name: asked.name, destroy: false, commit: planned }, mode };
        ctx.log.info({ check: asked.name, mode, requested: asked.requested }, 'drift check due');
      } else if (asked.requested) {
        condition = {
          status: 'Unknown',
          reason: ReconciliationReason.DriftCheckPending,
          message: `the requested drift check waits: ${why}`,
        };
      } else if (input.undecided && isDriftCheck(input.undecided)) {
        // The drift plan found earlier waits for approval (mode Approve): still drifted, checked later.
        next = skippedTo(due, interval, now.getTime());
      } else {
        next = skippedTo(due, interval, now.getTime());
        const message = `the drift check due at ${iso(due)} was skipped: ${why}; next check at ${iso(next)}`;
        condition = { status: 'Unknown', reason: ReconciliationReason.DriftCheckPending, message };
      }
    }
    const drift = { ...result.drift, nextCheckTime: iso(next) };
    const final = condition;
    const status = (s: TofuModuleStatus): TofuModuleStatus => ({
      ...s,
      drift,
      conditions: setCondition(
        s.conditions,
        { type: ConditionType.Drifted, observedGeneration: s.observedGeneration, ...pick(final) },
        now,
      ),
    });
    // The check of the current request stays (once per value), and the one the status names.
    const keep = [requestedCheckName(owner)?.name, owner.status?.drift?.lastCheckExecution].filter((n): n is string => !!n);
    // A due check that exists (running) or waits for the owner to be in sync comes back by events.
    const wait = next - now.getTime();
    return { ...(create ? { create } : {}), status, ...(wait > 0 ? { requeueAfterMs: wait } : {}), keep };
  }

  /**
   * Counts each finished check once (tofu_operator_drift_checks_total) and records the DriftDetected
   * Event when it turns the owner drifted; a check the status names already was reported before
   * (also by an earlier operator process).
   */
  private report(owner: Owner, result: DriftResult, previous: Condition | undefined): void {
    const { check, outcome, condition } = result;
    if (!check || !outcome || owner.status?.drift?.lastCheckExecution === nameOf(check)) return;
    const key = keyOf(owner);
    const seen = this.seen.get(key);
    if (seen?.check === nameOf(check) && seen.counted) return;
    this.seen.set(key, { ...(seen?.check === nameOf(check) ? seen : { check: nameOf(check) }), counted: true });
    this.metrics?.driftChecked(outcome);
    if (condition?.status === 'True' && previous?.status !== 'True') {
      this.events.record(owner, 'Warning', ReconciliationReason.DriftDetected, 'DriftCheck', condition.message);
    }
  }

  /** The drifted resource addresses of a check with changes, read once from its stored diff. */
  private async addresses(owner: Owner, check: TofuExecution | undefined, ctx: ReconcileContext): Promise<string[] | undefined> {
    if (!check || check.status?.plan?.hasChanges !== true || !this.plans) return undefined;
    const key = keyOf(owner);
    const name = nameOf(check);
    const known = this.seen.get(key);
    if (known?.check === name && known.addresses) return known.addresses;
    if (owner.status?.drift?.lastCheckExecution === name && owner.status.drift.resources) return undefined;
    try {
      const stored = await this.plans.read(check, 'diff');
      if (!stored) return undefined;
      const diff = JSON.parse(stored.data.toString('utf8')) as PlanDiff;
      const addresses = diff.resources.filter((r) => !(r.actions.length === 1 && r.actions[0] === 'read')).map((r) => r.address);
      this.seen.set(key, { ...(known?.check === name ? known : {}), check: name, addresses });
      return addresses;
    } catch (err) {
      ctx.log.warn({ check: name, err }, 'cannot read the drift check’s stored diff; the drifted resources are not listed');
      return undefined;
    }
  }
}

const keyOf = (owner: Owner) => `${namespaceOf(owner)}/${nameOf(owner)}`;

function pick(c: DriftCondition): DriftCondition {
  return { status: c.status, reason: c.reason, message: c.message };
}

/** A status without drift detection: no status.drift, no Drifted condition. */
function withoutDrift(status: TofuModuleStatus): TofuModuleStatus {
  const { drift: _drift, ...rest } = status;
  return { ...rest, conditions: (status.conditions ?? []).filter((c) => c.type !== ConditionType.Drifted) };
}
