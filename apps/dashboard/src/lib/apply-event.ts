import type { ResourceEvent, ResourceKind, ResourceTypes } from '@tofu-operator/api-contracts';

/** What every listed object has: a name (and, for executions, the usual metadata). */
type Named = { metadata: { name?: string } };

/**
 * Applies one change of an object to a list held by the client (sorted by name, as the API answers
 * lists): ADDED and MODIFIED insert or replace by name, DELETED removes. Returns the same array when
 * nothing changes, so React skips the render. Events of another namespace or kind are ignored by the
 * caller, not here.
 */
export function applyEvent<T extends Named>(list: readonly T[], event: Pick<ResourceEvent, 'type' | 'name' | 'object'>): T[] {
  const at = findByName(list, event.name);
  if (event.type === 'DELETED') {
    if (!at.found) return list as T[];
    return [...list.slice(0, at.index), ...list.slice(at.index + 1)];
  }
  const object = event.object as unknown as T;
  if (at.found) {
    if (list[at.index] === object) return list as T[];
    const next = list.slice();
    next[at.index] = object;
    return next;
  }
  return [...list.slice(0, at.index), object, ...list.slice(at.index)];
}

/** Applies a batch of events in order (events arrive in bursts: one render per burst). */
export function applyEvents<T extends Named>(list: readonly T[], events: readonly Pick<ResourceEvent, 'type' | 'name' | 'object'>[]): T[] {
  let out = list as T[];
  for (const e of events) out = applyEvent(out, e);
  return out;
}

/** The events of one kind in one namespace, typed by kind. */
export function eventsFor<K extends ResourceKind>(
  events: readonly ResourceEvent[],
  namespace: string,
  kind: K,
): Extract<ResourceEvent, { kind: K }>[] {
  return events.filter((e): e is Extract<ResourceEvent, { kind: K }> => e.namespace === namespace && e.kind === kind);
}

/** Binary search by name in a list sorted by name (the API's order). */
function findByName(list: readonly Named[], name: string): { found: boolean; index: number } {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const n = list[mid]?.metadata.name ?? '';
    if (n === name) return { found: true, index: mid };
    if (n < name) lo = mid + 1;
    else hi = mid;
  }
  return { found: false, index: lo };
}

export type { ResourceTypes };

/**
 * Merges a page of objects read later (sorted by name, as the API answers) into a list sorted by
 * name, in one pass: an object of the page replaces the one of the same name (it was read after
 * the list), the rest keep their place. What live events added meanwhile stays.
 */
export function mergeByName<T extends Named>(list: readonly T[], page: readonly T[]): T[] {
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < list.length && j < page.length) {
    const a = list[i]!.metadata.name ?? '';
    const b = page[j]!.metadata.name ?? '';
    if (a < b) out.push(list[i++]!);
    else if (b < a) out.push(page[j++]!);
    else {
      out.push(page[j++]!);
      i++;
    }
  }
  while (i < list.length) out.push(list[i++]!);
  while (j < page.length) out.push(page[j++]!);
  return out;
}
