import { createHash } from 'node:crypto';

/** The two kinds of owner a state belongs to, as they appear in runner API paths and labels. */
export type OwnerKind = 'module' | 'stack';

/** What a stored artifact is (the value of the `tofu-operator.io/artifact` label). */
export type Artifact = 'state' | 'plan' | 'plan-diff' | 'outputs' | 'outputs-secret';

/** Longest Kubernetes object name (a DNS subdomain). */
export const MAX_NAME = 253;
/** Longest label value, and longest name used unchanged inside a generated name. */
export const MAX_TOKEN = 63;

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Whether `name` is a valid Kubernetes object name (DNS subdomain, at most 253 characters). */
export function isObjectName(name: string): boolean {
  return name.length > 0 && name.length <= MAX_NAME && DNS_SUBDOMAIN.test(name);
}

/** A lowercase base32 hash of `text`, `length` characters long. */
function shortHash(text: string, length: number): string {
  const base32 = 'abcdefghijklmnopqrstuvwxyz234567';
  const bytes = createHash('sha256').update(text).digest();
  let out = '';
  for (let i = 0; out.length < length; i++) out += base32[(bytes[i] ?? 0) % 32];
  return out;
}

/**
 * A name as it goes into generated names and label values: unchanged up to 63 characters, else its
 * first characters and a hash of the whole, 63 characters in all (deterministic, so every replica
 * computes the same names; the hash keeps two long names with one prefix apart).
 */
export function nameToken(name: string): string {
  if (name.length <= MAX_TOKEN) return name;
  const hash = shortHash(name, 10);
  const head = name.slice(0, MAX_TOKEN - hash.length - 1).replace(/[-.]+$/, '');
  return `${head}-${hash}`;
}

/**
 * The pointer Secret of an owner's state: the current generation, its digest and the lock.
 * `tofu-state-<kind>-<owner>`.
 */
export function statePointerName(kind: OwnerKind, owner: string): string {
  return `tofu-state-${kind}-${nameToken(owner)}`;
}

/**
 * Chunk `index` of generation `generation` of an owner's state. `tofu-state-data-<kind>-<owner>-g<gen>-<n>`:
 * the `data` segment stands where pointers have their kind, so no chunk name can equal a pointer name
 * (with `tofu-state-<kind>-<owner>-g<gen>-<n>`, module "web"'s first chunk would be the pointer of a
 * module named "web-g1-0"); the two trailing dash-free segments keep two owners' chunks apart.
 */
export function stateChunkName(kind: OwnerKind, owner: string, generation: number, index: number): string {
  return `tofu-state-data-${kind}-${nameToken(owner)}-g${counter(generation)}-${counter(index)}`;
}

/**
 * Chunk `index` of an execution's saved plan (`tofu-plan-<execution>-<n>`) or of its masked diff
 * (`tofu-diff-<execution>-<n>`: a `tofu-plan-<execution>-diff-<n>` would be the plan of an execution
 * named "<execution>-diff"). Chunk 0 holds the manifest and is written last.
 */
export function planChunkName(execution: string, index: number, part: 'plan' | 'diff' = 'plan'): string {
  return `tofu-${part}-${nameToken(execution)}-${counter(index)}`;
}

/**
 * The Secret holding an owner's stored outputs (the record the operator reads after an apply):
 * `tofu-outputs-<kind>-<owner>`, the owner's name shortened as in state names. No other generated
 * name starts with `tofu-outputs-`.
 */
export function outputsSecretName(kind: OwnerKind, owner: string): string {
  return `tofu-outputs-${kind}-${nameToken(owner)}`;
}

/** Name of the Secret holding the runner API's HMAC key, in the operator's namespace. */
export const RUNNER_KEY_SECRET = 'tofu-operator-runner-key';

function counter(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`a chunk counter must be a whole number >= 0, got ${n}`);
  return String(n);
}
