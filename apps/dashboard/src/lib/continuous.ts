/**
 * What the dashboard says about continuous reconciliation (issue 13): the drift badge of an owner,
 * the source it polls, a run's place in the queue, and relative times. Pure, so it is unit-tested
 * without a browser.
 */
import type { Condition, DriftDetectionSpec, ExecutionQueueStatus, TofuExecution, TofuModule, TofuStack } from '@tofu-operator/api-types';

/** The condition types of issue 13, spelled out so browser bundles do not pull in the CRD definitions. */
export const DRIFTED = 'Drifted';
export const SOURCE_READY = 'SourceReady';

const conditionOf = (conditions: readonly Condition[] | undefined, type: string) => conditions?.find((c) => c.type === type);

/**
 * The drift detection that applies to an owner: its own, or for a stack without one its module's
 * (a stack's replaces its module's as a whole). `module` may be unknown (a list of stacks only).
 */
export function effectiveDriftDetection(
  owner: TofuModule | TofuStack,
  module?: TofuModule,
): { spec: DriftDetectionSpec; from: 'own' | 'module' } | undefined {
  if (owner.spec.driftDetection) return { spec: owner.spec.driftDetection, from: 'own' };
  if (owner.kind !== 'TofuModule' && module?.spec.driftDetection) return { spec: module.spec.driftDetection, from: 'module' };
  return undefined;
}

/** What the drift badge shows: Drifted (red), No drift (neutral), Not checked yet, or nothing. */
export type DriftBadgeState = 'drifted' | 'clean' | 'unchecked';

/**
 * The badge of an owner: nothing when drift detection is off (neither its spec, nor its module's
 * when known, nor a Drifted condition the operator wrote says it is on), else from the Drifted
 * condition (or status.drift.drifted when the condition is missing).
 */
export function driftBadge(owner: TofuModule | TofuStack, module?: TofuModule): DriftBadgeState | undefined {
  const cond = conditionOf(owner.status?.conditions, DRIFTED);
  const on = effectiveDriftDetection(owner, module) !== undefined || cond !== undefined || owner.status?.drift?.lastCheckTime !== undefined;
  if (!on) return undefined;
  if (cond?.status === 'True') return 'drifted';
  if (cond?.status === 'False') return 'clean';
  if (cond === undefined && owner.status?.drift?.drifted !== undefined) return owner.status.drift.drifted ? 'drifted' : 'clean';
  return 'unchecked';
}

/** The SourceReady condition when it reports a problem (False): its reason and message, for red text. */
export function sourceProblem(owner: TofuModule | TofuStack): { reason: string; message: string } | undefined {
  const c = conditionOf(owner.status?.conditions, SOURCE_READY);
  if (!c || c.status !== 'False') return undefined;
  return { reason: c.reason, message: c.message ?? '' };
}

/** "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", ... */
export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** "Queued: 3rd of 12 (operator cap)": a waiting run's place, instead of a bare Pending. */
export function queueLabel(q: ExecutionQueueStatus): string {
  const cap = q.limit === 'Namespace' ? 'namespace cap' : 'operator cap';
  return `Queued: ${ordinal(q.position)}${q.length ? ` of ${q.length}` : ''} (${cap})`;
}

/** A run's purpose for people: "Drift check" for DriftCheck, undefined for an ordinary change. */
export function purposeLabel(e: TofuExecution): string | undefined {
  return e.spec.purpose === 'DriftCheck' ? 'Drift check' : undefined;
}

/** "5m ago" for a past time, "in 5m" for a future one, "—" without one (kubectl's AGE units). */
export function relativeTime(ts: string | undefined, now: number = Date.now()): string {
  if (!ts) return '—';
  const t = Date.parse(ts);
  if (Number.isNaN(t)) return '—';
  const s = Math.floor(Math.abs(now - t) / 1000);
  const text =
    s < 120 ? `${s}s` : s < 7200 ? `${Math.floor(s / 60)}m` : s < 172800 ? `${Math.floor(s / 3600)}h` : `${Math.floor(s / 86400)}d`;
  return t > now ? `in ${text}` : `${text} ago`;
}

/** The exact time, for a title attribute: "2026-11-30 11:44:27 UTC". */
export function exactTime(ts: string | undefined): string | undefined {
  if (!ts) return undefined;
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return undefined;
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** "+1 ~2 -0" of status.drift.counts. */
export function driftCounts(c: { add?: number; change?: number; destroy?: number } | undefined): string {
  return `+${c?.add ?? 0} ~${c?.change ?? 0} -${c?.destroy ?? 0}`;
}
