import { createHash } from 'node:crypto';

/** Longest name usable as a label value and a Job name. */
const MAX_LABEL = 63;

/** A short, lowercase, DNS-safe hash of some text. */
export function shortHash(text: string, length = 10): string {
  const base32 = 'abcdefghijklmnopqrstuvwxyz234567';
  const bytes = createHash('sha256').update(text).digest();
  let out = '';
  for (let i = 0; out.length < length; i++) out += base32[(bytes[i] ?? 0) % 32];
  return out;
}

/** Truncates a name prefix so that `${prefix}-${suffix}` fits in `max`, without a trailing "-" or ".". */
function fit(prefix: string, suffix: string, max: number): string {
  const room = max - suffix.length - 1;
  const head = prefix.slice(0, room).replace(/[-.]+$/, '');
  return `${head}-${suffix}`;
}

/**
 * The name of the execution an owner (module or stack) creates for a trigger. Deterministic, so a
 * repeated event or a restarted operator computes the same name and the create answers 409 instead
 * of making a duplicate. At most 63 characters, so it can also be the Job's name and a label value.
 */
export function executionNameFor(ownerName: string, ownerUid: string, trigger: string): string {
  return fit(ownerName, shortHash(`${ownerUid}/${trigger}`), MAX_LABEL);
}

/** The Job name of an execution: the execution's name when it fits, else a truncation plus a hash. */
export function jobNameFor(executionName: string): string {
  return executionName.length <= MAX_LABEL ? executionName : fit(executionName, shortHash(executionName, 8), MAX_LABEL);
}

/**
 * `${name}-${suffix}` when it fits in 63 characters, else the name truncated plus a hash of the
 * whole, then the suffix: deterministic and unique per name, and usable as a Job name and label value.
 */
export function suffixedNameFor(name: string, suffix: string): string {
  const full = `${name}-${suffix}`;
  return full.length <= MAX_LABEL ? full : fit(fit(name, shortHash(name, 8), MAX_LABEL - suffix.length - 1), suffix, MAX_LABEL);
}

/** A label value for a name: the name itself when it fits, else a truncation plus a hash. */
export function labelValueFor(name: string): string {
  return jobNameFor(name);
}
