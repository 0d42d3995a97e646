import type { PlanSummary } from './generated/crd-types.js';

/** Why a run failed, as the runner classifies it. */
export const FailureCategory = {
  RepositoryUnreachable: 'RepositoryUnreachable',
  RevisionNotFound: 'RevisionNotFound',
  WorkdirNotFound: 'WorkdirNotFound',
  InitFailed: 'InitFailed',
  PlanFailed: 'PlanFailed',
  InvalidInput: 'InvalidInput',
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
  /** The commit that was checked out. */
  commit?: string;
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
