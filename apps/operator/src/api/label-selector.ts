import { badRequest } from '../http/errors.js';

/** One requirement of an equality-based label selector. */
export type Requirement = { key: string; op: 'eq' | 'neq'; value: string } | { key: string; op: 'exists' | 'notExists' };

const NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Longest valid key: a 253-character prefix, '/', a 63-character name. */
const MAX_KEY = 253 + 1 + 63;

function validKey(key: string): boolean {
  if (key.length > MAX_KEY) return false;
  const slash = key.indexOf('/');
  if (slash < 0) return NAME.test(key);
  const prefix = key.slice(0, slash);
  return prefix.length <= 253 && PREFIX.test(prefix) && NAME.test(key.slice(slash + 1));
}

const validValue = (v: string): boolean => v === '' || (v.length <= 63 && NAME.test(v));

/**
 * The longest labelSelector accepted (characters). Kubernetes itself sets no limit, but a request
 * line is usually bounded by proxies near 8 KiB, and 4 KiB holds dozens of requirements.
 */
export const MAX_LABEL_SELECTOR_LENGTH = 4096;

/** The index of the first '=' or '!' in `s`, or -1; one pass, no regular expression. */
function operatorIndex(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x3d || c === 0x21) return i;
  }
  return -1;
}

/**
 * Parses an equality-based label selector: `a=b`, `a==b`, `a!=b`, `a` (exists), `!a` (does not exist),
 * joined by commas. Set-based requirements (`in`, `notin`) are not supported. Throws a 400 ApiError.
 *
 * Linear in the selector's length: each part is scanned once for its operator, and the regular
 * expressions only ever see keys and values already bounded by the label length limits (a lazy
 * regular expression over the whole part took ~165 ms for a 16 KB selector, blocking the event loop).
 */
export function parseLabelSelector(selector: string): Requirement[] {
  const out: Requirement[] = [];
  if (selector.length > MAX_LABEL_SELECTOR_LENGTH) {
    throw badRequest(`labelSelector is ${selector.length} characters long; at most ${MAX_LABEL_SELECTOR_LENGTH} are accepted`);
  }
  if (selector.trim() === '') return out;
  for (const raw of selector.split(',')) {
    const part = raw.trim();
    const bad = (why: string) => badRequest(`invalid labelSelector "${selector}": "${part}" ${why}`);
    const at = operatorIndex(part);
    const op =
      at > 0 ? (part.startsWith('==', at) ? '==' : part[at] === '=' ? '=' : part.startsWith('!=', at) ? '!=' : undefined) : undefined;
    if (op !== undefined) {
      const key = part.slice(0, at).trimEnd();
      const value = part.slice(at + op.length).trimStart();
      if (!validKey(key)) throw bad('has an invalid label key');
      if (!validValue(value)) throw bad('has an invalid label value');
      out.push({ key, op: op === '!=' ? 'neq' : 'eq', value });
    } else if (part.startsWith('!')) {
      const key = part.slice(1).trim();
      if (!validKey(key)) throw bad('has an invalid label key');
      out.push({ key, op: 'notExists' });
    } else {
      if (!validKey(part)) throw bad('is not an equality-based requirement (key=value, key!=value, key or !key)');
      out.push({ key: part, op: 'exists' });
    }
  }
  return out;
}

/** True when the labels satisfy every requirement. */
export function matchesSelector(labels: Record<string, string> | undefined, reqs: Requirement[]): boolean {
  return reqs.every((r) => {
    const v = labels?.[r.key];
    switch (r.op) {
      case 'eq':
        return v === r.value;
      case 'neq':
        return v !== r.value;
      case 'exists':
        return v !== undefined;
      case 'notExists':
        return v === undefined;
    }
  });
}
