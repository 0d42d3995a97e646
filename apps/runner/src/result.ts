import { writeFile } from 'node:fs/promises';
import type { ApplySummary, FailureCategoryName, PlanSummary, RunnerResult } from '@tofu-operator/api-types';

/** The kubelet keeps at most this many bytes of a termination message. */
export const TERMINATION_MESSAGE_LIMIT = 4096;
export const DEFAULT_TERMINATION_LOG = '/dev/termination-log';

const ELLIPSIS = '…';

/** What a successful run reports: a plan's summary and digest, or an apply's summary; the commit either way. */
export interface Success {
  summary?: PlanSummary;
  commit?: string;
  planDigest?: string;
  apply?: ApplySummary;
}

export function successResult(success: Success): RunnerResult {
  const { summary, commit, planDigest, apply } = success;
  return {
    v: 1,
    ok: true,
    ...(summary ? { summary } : {}),
    ...(commit ? { commit } : {}),
    ...(planDigest ? { planDigest } : {}),
    ...(apply ? { apply } : {}),
  };
}

export function failureResult(category: FailureCategoryName, message: string, commit?: string): RunnerResult {
  return { v: 1, ok: false, category, message, ...(commit ? { commit } : {}) };
}

function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * The result as compact JSON of at most `limit` bytes (UTF-8): the message is cut (at a character
 * boundary, ending in "…") until it fits, and dropped if even that is not enough. Pure.
 */
export function encodeResult(result: RunnerResult, limit = TERMINATION_MESSAGE_LIMIT): string {
  const whole = JSON.stringify(result);
  if (bytes(whole) <= limit) return whole;
  const { message, ...rest } = result;
  if (message) {
    const chars = Array.from(message);
    const encode = (n: number): string => JSON.stringify({ ...rest, message: chars.slice(0, n).join('').trimEnd() + ELLIPSIS });
    // The longest prefix that fits: the encoded length grows with the prefix length.
    let lo = 0;
    let hi = chars.length - 1;
    if (bytes(encode(0)) <= limit) {
      while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        if (bytes(encode(mid)) <= limit) lo = mid;
        else hi = mid - 1;
      }
      return encode(lo);
    }
  }
  const bare = JSON.stringify(rest);
  if (bytes(bare) <= limit) return bare;
  // Only a pathological summary could get here; keep what the operator needs most: what happened,
  // and which plan (an approval names the digest).
  const { category, planDigest, commit } = result;
  const minimal: RunnerResult = {
    v: 1,
    ok: result.ok,
    ...(category ? { category } : {}),
    ...(planDigest ? { planDigest } : {}),
    ...(commit ? { commit } : {}),
  };
  return JSON.stringify(minimal);
}

/**
 * Writes the termination message. A failure to write is reported on stderr, not thrown: the exit
 * code still tells success from failure.
 */
export async function writeTerminationMessage(file: string, text: string, stderr: (line: string) => void): Promise<boolean> {
  try {
    await writeFile(file, text);
    return true;
  } catch (err) {
    stderr(`warning: cannot write the result to ${file}: ${(err as Error).message}`);
    return false;
  }
}
