// When a module's or stack's next drift check is due (spec.driftDetection, docs/guides/drift.md).
// The schedule lives in status, not in memory: the next check is the last one plus the interval and a
// per-owner jitter, and the first one lands at a per-owner offset after the last apply (or the
// creation), so many owners spread over the interval and an operator restart re-runs nothing. A
// check due while the owner is not in sync is skipped to the next interval (status.drift.nextCheckTime
// records that). Pure.
import { createHash } from 'node:crypto';
import {
  Annotations,
  DEFAULT_DRIFT_INTERVAL,
  nameOf,
  parseDuration,
  uidOf,
  type DriftDetectionSpec,
  type DriftModeName,
  type TofuExecution,
} from '@tofu-operator/api-types';
import { executionNameFor } from '../execution/naming.js';
import type { Owner } from './owner-status.js';

/** The share of the interval a check may be pushed back by, per owner (so owners with the same schedule spread). */
export const DRIFT_JITTER = 0.1;

/** The drift detection that applies to an owner: a stack's own replaces its module's as a whole. */
export function driftSpecOf(owner: Owner, module: Owner): DriftDetectionSpec | undefined {
  return owner.spec.driftDetection ?? (owner.kind === 'TofuStack' ? module.spec.driftDetection : undefined);
}

/** The drift mode of a spec (default Detect). */
export function driftModeOf(spec: DriftDetectionSpec): DriftModeName {
  return spec.mode ?? 'Detect';
}

/** The interval of a spec in ms (default 1h). */
export function driftIntervalMs(spec: DriftDetectionSpec): number {
  return parseDuration(spec.interval ?? DEFAULT_DRIFT_INTERVAL) || (parseDuration(DEFAULT_DRIFT_INTERVAL) as number);
}

/** A number in [0, 1) from a text, the same on every replica and after every restart. */
export function fractionOf(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0) / 2 ** 32;
}

const ms = (iso: string | undefined): number | undefined => {
  const t = Date.parse(iso ?? '');
  return Number.isNaN(t) ? undefined : t;
};

/** When the newest successful apply (or destroy) of the owner finished, in ms; undefined without one. */
export function lastAppliedAt(executions: readonly TofuExecution[]): number | undefined {
  let newest: number | undefined;
  for (const e of executions) {
    if (e.spec.action === 'plan' || e.status?.phase !== 'Succeeded') continue;
    const t = ms(e.status.completionTime);
    if (t !== undefined && (newest === undefined || t > newest)) newest = t;
  }
  return newest;
}

/**
 * When the owner's next scheduled check is due, in ms since the epoch. `lastCheckTime`: when the
 * latest check finished (from its execution, which the cache shows before the status says it).
 */
export function nextCheckAt(
  owner: Owner,
  spec: DriftDetectionSpec,
  executions: readonly TofuExecution[],
  now: number,
  lastCheckTime = owner.status?.drift?.lastCheckTime,
): number {
  const interval = driftIntervalMs(spec);
  const uid = uidOf(owner);
  const drift = owner.status?.drift;
  const last = ms(lastCheckTime);
  const anchor = lastAppliedAt(executions) ?? ms(owner.metadata.creationTimestamp) ?? now;
  const computed =
    last !== undefined
      ? last + interval + Math.floor(fractionOf(`${uid}/jitter`) * interval * DRIFT_JITTER)
      : anchor + Math.floor(fractionOf(`${uid}/first`) * interval);
  // A skipped check moved the next one on by whole intervals; a stored time beyond one interval
  // from now comes from a longer interval than the spec's now, and is not kept.
  const stored = ms(drift?.nextCheckTime);
  return stored !== undefined && stored > computed && stored <= now + interval ? stored : computed;
}

/** The time after `due` by whole intervals that is after `now`: where a skipped check goes. */
export function skippedTo(due: number, interval: number, now: number): number {
  return due + (Math.floor((now - due) / interval) + 1) * interval;
}

/** A drift check the schedule or a request asks for: its trigger (`drift/t<due s>` or `drift/r<value>`) and name. */
export interface DriftCheckDue {
  trigger: string;
  name: string;
  /** The check was asked for with the drift-check-requested-at annotation. */
  requested: boolean;
}

/**
 * The drift check asked for now: an unhandled request (the annotation's value; once per value: its
 * check exists or was the latest) goes first, then the scheduled one once `due` has come. Undefined
 * when none is asked for or the one asked for exists already.
 */
export function driftCheckDue(owner: Owner, executions: readonly TofuExecution[], due: number, now: number): DriftCheckDue | undefined {
  const names = new Set(executions.map(nameOf));
  const named = (trigger: string) => executionNameFor(nameOf(owner), uidOf(owner), trigger);
  const requested = requestedCheckName(owner);
  if (requested && !names.has(requested.name) && owner.status?.drift?.lastCheckExecution !== requested.name) {
    return { ...requested, requested: true };
  }
  if (due > now) return undefined;
  const trigger = `drift/t${Math.floor(due / 1000)}`;
  const name = named(trigger);
  return names.has(name) ? undefined : { trigger, name, requested: false };
}

/** The trigger and name of the check the drift-check-requested-at annotation asks for, if set. */
export function requestedCheckName(owner: Owner): { trigger: string; name: string } | undefined {
  const value = owner.metadata.annotations?.[Annotations.driftCheckRequestedAt];
  if (!value) return undefined;
  const trigger = `drift/r${value}`;
  return { trigger, name: executionNameFor(nameOf(owner), uidOf(owner), trigger) };
}
