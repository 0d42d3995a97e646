// Helpers shared by the benchmarks: percentiles, and a watch that records when objects first appear.
import type { ResourceType } from '@tofu-operator/api-types';
import * as rt from '@tofu-operator/reconcile-runtime';

/** The p-th percentile (nearest rank) of the numbers that are not NaN; NaN when there are none. */
export function pct(xs: ArrayLike<number>, p: number): number {
  const s = Array.from(xs)
    .filter((x) => !Number.isNaN(x))
    .sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
}

/** What a watch event carries that the benchmarks read. */
export interface WatchedObject {
  metadata: { name: string; resourceVersion: string; labels?: Record<string, string> };
}

/**
 * Watches one resource type in a namespace from now on and records, under `key(object)`, the
 * performance.now() of the first ADDED event of each key (and calls `onAdded`, if given). Starts from
 * a list's resourceVersion, so only objects created after the call count; reopens the watch when the
 * server ends it, until `stop` aborts. Resolves once the watch is open (the first list is done) with
 * the loop's promise, which rejects on a watch error while not stopped.
 */
export function watchAdded(
  client: rt.KubeClient,
  type: ResourceType,
  ns: string,
  seen: Map<string, number>,
  stop: AbortSignal,
  key: (o: WatchedObject) => string = (o) => o.metadata.name,
  onAdded?: (o: WatchedObject, at: number) => void,
): Promise<{ done: Promise<void> }> {
  return watchFirst(client, type, ns, seen, stop, key, (type) => type === 'ADDED', onAdded);
}

/**
 * As watchAdded, for the first event (ADDED or MODIFIED) of each key whose object passes `when`: e.g.
 * when the operator first wrote a field of its status.
 */
export async function watchFirst<T extends WatchedObject = WatchedObject>(
  client: rt.KubeClient,
  type: ResourceType,
  ns: string,
  seen: Map<string, number>,
  stop: AbortSignal,
  key: (o: T) => string,
  when: (type: string, o: T) => boolean,
  onFirst?: (o: T, at: number) => void,
): Promise<{ done: Promise<void> }> {
  let rv = (await client.list(type, ns, { limit: 1 })).metadata.resourceVersion;
  const loop = async () => {
    while (!stop.aborted) {
      try {
        await client.watch<rt.KubeObject & T>(
          rt.resourcePath(type, ns),
          { resourceVersion: rv, timeoutSeconds: 60, allowWatchBookmarks: true },
          (e) => {
            const at = performance.now();
            rv = e.object.metadata.resourceVersion;
            if (e.type !== 'ADDED' && e.type !== 'MODIFIED') return;
            const k = key(e.object);
            if (!seen.has(k) && when(e.type, e.object)) {
              seen.set(k, at);
              onFirst?.(e.object, at);
            }
          },
          stop,
        );
      } catch (err) {
        if (!stop.aborted) throw err;
      }
    }
  };
  return { done: loop() };
}
