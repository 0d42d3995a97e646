import type { ApplySummary, PlanSummary } from './generated/crd-types.js';

/** Why a run failed, as the runner classifies it. */
export const FailureCategory = {
  RepositoryUnreachable: 'RepositoryUnreachable',
  RevisionNotFound: 'RevisionNotFound',
  /** The git server refused the credentials: a wrong ssh key or https token (or none where one is needed). */
  GitAuthFailed: 'GitAuthFailed',
  /** The ssh server's host key is not the one known_hosts lists for it (unknown or changed). */
  UnknownHostKey: 'UnknownHostKey',
  /** An ssh repository without known_hosts in the credentials Secret, and host key checking not turned off. */
  HostKeyMissing: 'HostKeyMissing',
  WorkdirNotFound: 'WorkdirNotFound',
  InitFailed: 'InitFailed',
  PlanFailed: 'PlanFailed',
  /** tofu apply failed; the state holds whatever was applied before the error (see the log). */
  ApplyFailed: 'ApplyFailed',
  /** The downloaded plan's sha256 is not spec.planRef.digest: not the approved plan; nothing ran. */
  PlanDigestMismatch: 'PlanDigestMismatch',
  /** tofu refused the saved plan because the state changed after planning; plan again. */
  PlanStale: 'PlanStale',
  /** The runner API has no stored plan for spec.planRef.name (never stored, or pruned). */
  PlanNotFound: 'PlanNotFound',
  /** Another run holds the state lock (the message names the holder). */
  StateLocked: 'StateLocked',
  /** The runner API could not be reached or refused a request (storing or fetching a plan, the state). */
  RunnerApiFailed: 'RunnerApiFailed',
  InvalidInput: 'InvalidInput',
  /** tofu refused the variables: one the module does not declare, a value of the wrong type, a required one unset (the message names the variable and its source, never the value). */
  InvalidVariables: 'InvalidVariables',
  /** The apply (or destroy) succeeded but its outputs could not be read or stored through the runner API. */
  OutputsNotStored: 'OutputsNotStored',
  Internal: 'Internal',
} as const;
export type FailureCategoryName = (typeof FailureCategory)[keyof typeof FailureCategory];

/**
 * What the runner writes to /dev/termination-log (at most 4096 bytes: the kubelet's limit), read by
 * the operator from the container's terminated state. Version 1.
 */
export interface RunnerResult {
  v: 1;
  ok: boolean;
  /** On failure. */
  category?: FailureCategoryName;
  message?: string;
  /** On a successful plan. */
  summary?: PlanSummary;
  /** The commit that was checked out (git rev-parse HEAD): what a plan's apply must check out. */
  commit?: string;
  /**
   * On a successful plan stored through the runner API: sha256 of the saved plan file
   * ("sha256:<hex>"), as the runner computed it and the runner API answered. status.plan.digest.
   */
  planDigest?: string;
  /** On a successful apply or destroy: what tofu changed. status.apply. */
  apply?: ApplySummary;
}

/** Parses a termination message; undefined when it is not a runner result (e.g. empty or truncated). */
export function parseRunnerResult(text: string | undefined): RunnerResult | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as Partial<RunnerResult>;
    if (value && typeof value === 'object' && value.v === 1 && typeof value.ok === 'boolean') return value as RunnerResult;
  } catch {
    // Not JSON: the container wrote something else, or the kubelet truncated it.
  }
  return undefined;
}
