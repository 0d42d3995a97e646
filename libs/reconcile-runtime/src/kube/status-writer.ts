import type { ResourceType } from '@tofu-operator/api-types';
import { isConflict, type KubeClient } from './kube-client.js';
import type { KubeObject } from './types.js';

/** Deep equality of JSON values (status objects), independent of key order. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * Writes `status` to the status subresource when it differs from what the object has. The write
 * carries the object's resourceVersion; on a conflict it re-reads the object from the API server and
 * asks `compute` again, up to 5 times (controller-runtime's retry.DefaultRetry: 10 ms steps).
 * Returns the updated object, or undefined when nothing needed writing.
 */
export async function updateStatus<T extends KubeObject & { status?: unknown }>(
  client: KubeClient,
  rt: ResourceType,
  current: T,
  compute: (obj: T) => T['status'],
): Promise<T | undefined> {
  let obj = current;
  for (let attempt = 0; ; attempt++) {
    const status = compute(obj);
    if (jsonEqual(status, obj.status)) return undefined;
    try {
      return await client.replace<T>(rt, obj.metadata?.namespace, obj.metadata?.name ?? '', { ...obj, status }, 'status');
    } catch (err) {
      if (!isConflict(err) || attempt >= 4) throw err;
      await new Promise((r) => setTimeout(r, 10 * (attempt + 1)));
      obj = await client.get<T>(rt, obj.metadata?.namespace, obj.metadata?.name ?? '');
    }
  }
}
