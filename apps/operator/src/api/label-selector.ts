import { badRequest } from '../http/errors.js';

/** One requirement of an equality-based label selector. */
export type Requirement = { key: string; op: 'eq' | 'neq'; value: string } | { key: string; op: 'exists' | 'notExists' };

const NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function validKey(key: string): boolean {
  const slash = key.indexOf('/');
  if (slash < 0) return NAME.test(key);
  const prefix = key.slice(0, slash);
  return prefix.length <= 253 && PREFIX.test(prefix) && NAME.test(key.slice(slash + 1));
}

const validValue = (v: string): boolean => v === '' || NAME.test(v);

/**
 * Parses an equality-based label selector: `a=b`, `a==b`, `a!=b`, `a` (exists), `!a` (does not exist),
 * joined by commas. Set-based requirements (`in`, `notin`) are not supported. Throws a 400 ApiError.
 */
export function parseLabelSelector(selector: string): Requirement[] {
  const out: Requirement[] = [];
  if (selector.trim() === '') return out;
  for (const raw of selector.split(',')) {
    const part = raw.trim();
    const bad = (why: string) => badRequest(`invalid labelSelector "${selector}": "${part}" ${why}`);
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (m) {
      const key = m[1] ?? '';
      const value = m[3] ?? '';
      if (!validKey(key)) throw bad('has an invalid label key');
      if (!validValue(value)) throw bad('has an invalid label value');
      out.push({ key, op: m[2] === '!=' ? 'neq' : 'eq', value });
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
