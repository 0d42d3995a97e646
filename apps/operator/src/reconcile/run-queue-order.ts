// The order of the run queue (docs/guides/run-queue.md): which waiting executions may start now and
// the place of the others. Pure: the RunQueue feeds it what the cache and its own memory hold.

/** Which cap a waiting run waits for (status.queue.limit). */
export type QueueLimit = 'Operator' | 'Namespace';

/** Where a namespace's cap comes from, for the message. */
export type NamespaceCapSource = 'annotation' | 'default';

/** An execution that would create its Job now if a slot were free. */
export interface QueueCandidate {
  uid: string;
  namespace: string;
  name: string;
  /** Creation time in ms (the created-at annotation): the oldest goes first within a namespace. */
  createdMs: number;
  /** Applies and destroys carry out a plan a user approved: they go before plans. */
  apply: boolean;
}

/** A namespace's own cap, if it has one. */
export interface NamespaceCap {
  limit: number;
  source: NamespaceCapSource;
}

export interface QueueInput {
  waiting: QueueCandidate[];
  /** Runs going (a Job not finished, or a slot granted), by namespace. */
  running: ReadonlyMap<string, number>;
  /** TOFU_OPERATOR_MAX_CONCURRENT_RUNS. */
  maxRuns: number;
  capOf: (namespace: string) => NamespaceCap | undefined;
  /** When each namespace was last given a slot (a growing sequence): among equals the least recently served goes first. */
  lastServed: ReadonlyMap<string, number>;
}

/** A waiting execution's lot: a slot now, or its place in the queue it waits in. */
export interface QueuePlace {
  uid: string;
  namespace: string;
  name: string;
  /** A slot is free for it now. */
  admit: boolean;
  /** 1 = next; for an admitted one, its rank among those admitted. */
  position: number;
  /** How many wait in the same queue (the operator's, or the namespace's). */
  length: number;
  limit: QueueLimit;
  /** The runs going and the cap that holds it back (the operator's or its namespace's). */
  going: number;
  cap: number;
  capSource?: NamespaceCapSource;
}

/** Within one namespace: applies first, then the oldest, then by name (stable). */
function withinNamespace(a: QueueCandidate, b: QueueCandidate): number {
  if (a.apply !== b.apply) return a.apply ? -1 : 1;
  return a.createdMs - b.createdMs || a.name.localeCompare(b.name);
}

/**
 * Orders the waiting executions. A namespace at its cap keeps the rest of its runs in its own queue
 * (limit Namespace). The others share the operator's slots fairly: applies first; then the run whose
 * namespace would have the fewest runs going if it started (the k-th waiting run of a namespace
 * with r going counts r + k), so a namespace with 40 waiting cannot take every slot from one with 2;
 * among equals the namespace served least recently (round-robin), then the oldest run.
 */
export function orderQueue(input: QueueInput): QueuePlace[] {
  const byNs = new Map<string, QueueCandidate[]>();
  for (const c of input.waiting) {
    const list = byNs.get(c.namespace) ?? [];
    list.push(c);
    byNs.set(c.namespace, list);
  }
  const total = [...input.running.values()].reduce((a, b) => a + b, 0);
  const places: QueuePlace[] = [];
  const eligible: { c: QueueCandidate; load: number }[] = [];
  for (const [ns, list] of [...byNs].sort(([a], [b]) => a.localeCompare(b))) {
    list.sort(withinNamespace);
    const going = input.running.get(ns) ?? 0;
    const cap = input.capOf(ns);
    const room = cap ? Math.max(0, cap.limit - going) : list.length;
    list.forEach((c, k) => {
      if (k < room) {
        eligible.push({ c, load: going + k });
        return;
      }
      const base = { uid: c.uid, namespace: ns, name: c.name, admit: false, limit: 'Namespace' as const, going };
      places.push({ ...base, position: k - room + 1, length: list.length - room, cap: cap!.limit, capSource: cap!.source });
    });
  }
  eligible.sort(
    (a, b) =>
      Number(b.c.apply) - Number(a.c.apply) ||
      a.load - b.load ||
      (input.lastServed.get(a.c.namespace) ?? -1) - (input.lastServed.get(b.c.namespace) ?? -1) ||
      a.c.createdMs - b.c.createdMs ||
      a.c.namespace.localeCompare(b.c.namespace) ||
      a.c.name.localeCompare(b.c.name),
  );
  const free = Math.max(0, input.maxRuns - total);
  eligible.forEach(({ c }, i) => {
    const admit = i < free;
    places.push({
      uid: c.uid,
      namespace: c.namespace,
      name: c.name,
      admit,
      position: admit ? i + 1 : i - free + 1,
      length: admit ? Math.min(free, eligible.length) : eligible.length - free,
      limit: 'Operator',
      going: total,
      cap: input.maxRuns,
    });
  });
  return places;
}

/** "1st", "2nd", "3rd", "11th", "22nd". */
export function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
}

/** The setting names a queued run's message points at. */
export const CapSettings = {
  operator: 'TOFU_OPERATOR_MAX_CONCURRENT_RUNS',
  namespaceDefault: 'TOFU_OPERATOR_MAX_CONCURRENT_RUNS_PER_NAMESPACE',
  namespaceAnnotation: 'tofu-operator.io/max-concurrent-runs',
} as const;

/**
 * What a waiting run's condition says: "3rd of 12 waiting: 16 of 16 runs going
 * (TOFU_OPERATOR_MAX_CONCURRENT_RUNS)", or the namespace's queue and cap.
 */
export function queueMessage(place: QueuePlace): string {
  const where = `${ordinal(place.position)} of ${place.length} waiting`;
  if (place.limit === 'Operator') return `${where}: ${place.going} of ${place.cap} runs going (${CapSettings.operator})`;
  const source =
    place.capSource === 'annotation' ? `annotation ${CapSettings.namespaceAnnotation} of the namespace` : CapSettings.namespaceDefault;
  // Below the cap, the namespace's remaining slots are promised to its runs ahead in the operator's queue.
  const next = place.going < place.cap ? ` and ${place.cap - place.going} next` : '';
  return `${where} in namespace ${place.namespace}: ${place.going} of ${place.cap} runs going${next} (${source})`;
}

/** The queue as status.queue last showed it. */
export interface ShownPlace {
  position: number;
  limit: string;
}

/**
 * Whether status.queue is worth rewriting for a new place. Positions move each time a run starts;
 * writing every waiting run on every move would cost O(waiting²) writes. The first places are kept
 * exact; further back, a move must be a quarter of the distance, so each run is written O(log n)
 * times on its way to the front.
 */
export function placeShownIsStale(shown: ShownPlace | undefined, place: Pick<QueuePlace, 'position' | 'limit'>): boolean {
  if (!shown || shown.limit !== place.limit) return true;
  const [was, now] = [shown.position, place.position];
  if (was === now) return false;
  if (was <= EXACT_PLACES || now <= EXACT_PLACES) return true;
  return Math.abs(was - now) * 4 >= was;
}

/** The places kept exact in status.queue. */
export const EXACT_PLACES = 5;
