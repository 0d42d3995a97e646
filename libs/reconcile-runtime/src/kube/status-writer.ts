import type { ResourceType } from '@tofu-operator/api-types';
import type { Logger } from 'pino';
import type { KubeClient } from './kube-client.js';
import { sleep, systemClock, type Clock, type TimerHandle } from '../clock.js';
import { isConflict, isNotFound } from './kube-errors.js';
import type { Priority } from './token-bucket.js';
import { Backoff } from '../backoff.js';
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

/** The client calls a status write makes (KubeClient has them; specs pass a fake). */
export type StatusClient = Pick<KubeClient, 'get' | 'replace'>;

/**
 * Writes `status` to the status subresource when it differs from what the object has. The write
 * carries the object's resourceVersion; on a conflict it re-reads the object from the API server and
 * asks `compute` again, up to 5 times (controller-runtime's retry.DefaultRetry: 10 ms steps).
 * Returns the updated object, or undefined when nothing needed writing.
 */
export async function updateStatus<T extends KubeObject & { status?: unknown }>(
  client: StatusClient,
  rt: ResourceType,
  current: T,
  compute: (obj: T) => T['status'],
  priority?: Priority,
  clock: Clock = systemClock,
): Promise<T | undefined> {
  let obj = current;
  for (let attempt = 0; ; attempt++) {
    const status = compute(obj);
    if (jsonEqual(status, obj.status)) return undefined;
    try {
      return await client.replace<T>(
        rt,
        obj.metadata?.namespace,
        obj.metadata?.name ?? '',
        { ...obj, status },
        { subresource: 'status', priority },
      );
    } catch (err) {
      if (!isConflict(err) || attempt >= 4) throw err;
      await sleep(10 * (attempt + 1), clock);
      obj = await client.get<T>(rt, obj.metadata?.namespace, obj.metadata?.name ?? '', { priority });
    }
  }
}

export interface StatusWriterOptions {
  /** Time and timers (conflict and failure retries). The real ones by default. */
  clock?: Clock;
  /** Jitter source of the failure backoff. Math.random by default. */
  random?: () => number;
}

interface PendingStatus<T> {
  obj: T;
  compute: (obj: T) => T extends { status?: infer S } ? S : never;
  /** Numbers submissions: a failed write is retried only while no later one was made for the object. */
  seq: number;
}

/** How long the writer remembers its own last write of an object (rebase): longer than a watch lags. */
export const OWN_WRITE_MEMORY_MS = 30_000;

/** The writer's last write of an object: the versions it superseded and the version and status it made. */
interface OwnWrite {
  /** The version the write replaced and, when that was itself rebased, the ones before it (at most 4). */
  from: string[];
  to: string;
  status: unknown;
  at: number;
}

const keyOf = (obj: KubeObject) => `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;

/**
 * Writes status in the background so reconcile workers never wait for it: reconcilers submit the
 * object and how to compute its status; the writer keeps only the latest submission per object,
 * writes at low priority in the client's rate budget (creates that unblock runs go first), retries
 * conflicts through updateStatus and other failures with backoff. A later submission for an object
 * supersedes the retry of its failed write (the later one is written instead, or needs no write), so
 * a retry never brings back an older status. Under a burst of thousands of objects, status lags a
 * little behind instead of slowing every reconcile down.
 *
 * A submission made from the version of the object its own last write replaced (the reconciler's
 * cache had not seen that write yet) is rebased onto the write's answer: it needs no write if it
 * computes the same status, and does not conflict if it does not (a conflict costs a failed write
 * and a read).
 */
export class StatusWriter<T extends KubeObject & { status?: unknown }> {
  private readonly pending = new Map<string, PendingStatus<T>>();
  private readonly order: string[] = [];
  private readonly inflight = new Set<string>();
  private readonly backoffs = new Map<string, Backoff>();
  /** Per object with a write queued, in flight or waiting to retry: the seq of its latest submission. */
  private readonly latest = new Map<string, number>();
  private readonly retries = new Map<string, TimerHandle>();
  /** Own writes of the last OWN_WRITE_MEMORY_MS, oldest first (Map order: deleted before set again). */
  private readonly ownWrites = new Map<string, OwnWrite>();
  private seq = 0;
  private idleWaiters: (() => void)[] = [];
  private active = 0;

  private readonly clock: Clock;

  constructor(
    private readonly client: StatusClient,
    private readonly rt: ResourceType,
    private readonly log: Logger,
    private readonly concurrency = 8,
    private readonly opts: StatusWriterOptions = {},
  ) {
    this.clock = opts.clock ?? systemClock;
  }

  /** Queues a status write if the computed status differs from the object's; returns whether it does. */
  submit(submitted: T, compute: (obj: T) => T['status']): boolean {
    const key = keyOf(submitted);
    const obj = this.rebase(key, submitted);
    const seq = ++this.seq;
    this.latest.set(key, seq);
    this.dropRetry(key);
    const queued = this.pending.has(key);
    if (!queued && jsonEqual(compute(obj), obj.status)) {
      this.forgetIfIdle(key);
      return false;
    }
    this.pending.set(key, { obj: submitted, compute: compute as PendingStatus<T>['compute'], seq });
    if (!queued && !this.inflight.has(key)) this.order.push(key);
    this.pump();
    return true;
  }

  /** Drops a queued (not yet started) write for the object, e.g. before writing it synchronously. */
  cancel(obj: T): void {
    const key = keyOf(obj);
    this.pending.delete(key);
    this.forgetIfIdle(key);
  }

  /**
   * Writes the status now, not in the background (a final status, written before anything acts on
   * it): drops a queued write of the object, computes from the answer of the writer's own last write
   * when `obj` is the version that write replaced (no conflict and re-read), and is remembered like a
   * background write. Returns the updated object, or undefined when nothing needed writing.
   */
  async writeNow(obj: T, compute: (obj: T) => T['status'], priority?: Priority): Promise<T | undefined> {
    const key = keyOf(obj);
    this.cancel(obj);
    const base = this.rebase(key, obj);
    const written = await updateStatus(this.client, this.rt, base, compute, priority, this.clock);
    this.remember(key, obj, base, written);
    return written;
  }

  /** Resolves when nothing is queued or being written (for shutdown and tests). */
  idle(): Promise<void> {
    if (this.pending.size === 0 && this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Objects waiting for a status write (for metrics). */
  get backlog(): number {
    return this.pending.size;
  }

  private pump(): void {
    while (this.active < this.concurrency && this.order.length > 0) {
      const key = this.order.shift()!;
      const item = this.pending.get(key);
      if (!item || this.inflight.has(key)) continue;
      this.pending.delete(key);
      this.inflight.add(key);
      this.active++;
      void this.write(key, item);
    }
    if (this.pending.size === 0 && this.active === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      waiters.forEach((w) => w());
    }
  }

  /** The object to compute from: the answer of the writer's own last write when `obj` is the version it replaced. */
  private rebase(key: string, obj: T): T {
    const now = this.clock.now();
    for (const [k, w] of this.ownWrites) {
      if (now - w.at < OWN_WRITE_MEMORY_MS) break;
      this.ownWrites.delete(k);
    }
    const own = this.ownWrites.get(key);
    const rv = obj.metadata?.resourceVersion;
    if (!own || rv === undefined) return obj;
    if (!own.from.includes(rv)) {
      // The caller has seen this write (or a later version): nothing to rebase any more.
      if (rv === own.to) this.ownWrites.delete(key);
      return obj;
    }
    return { ...obj, metadata: { ...obj.metadata, resourceVersion: own.to }, status: own.status };
  }

  /** Remembers a write: submissions from `submitted`'s version, or from `base`'s, are rebased onto its answer. */
  private remember(key: string, submitted: T, base: T, written: T | undefined): void {
    const to = written?.metadata?.resourceVersion;
    if (to === undefined) return; // nothing written: a record of an earlier write still holds
    const own = this.ownWrites.get(key);
    const versions = [...(base !== submitted && own ? own.from : []), submitted.metadata?.resourceVersion, base.metadata?.resourceVersion];
    const from = [...new Set(versions.filter((v): v is string => v !== undefined && v !== to))].slice(-4);
    this.ownWrites.delete(key);
    if (from.length > 0) this.ownWrites.set(key, { from, to, status: written?.status, at: this.clock.now() });
  }

  private async write(key: string, item: PendingStatus<T>): Promise<void> {
    try {
      const obj = this.rebase(key, item.obj);
      const written = await updateStatus(this.client, this.rt, obj, item.compute as (obj: T) => T['status'], 'low', this.clock);
      this.remember(key, item.obj, obj, written);
      this.backoffs.delete(key);
    } catch (err) {
      // Not retried when the object is gone, nor when a submission made meanwhile supersedes it.
      if (isNotFound(err)) return;
      if (this.latest.get(key) === item.seq) this.scheduleRetry(key, item, err);
      else this.log.warn({ err, key }, 'status write failed; a newer submission supersedes it');
    } finally {
      this.inflight.delete(key);
      this.active--;
      // A submission that arrived while this one was in flight is written next.
      if (this.pending.has(key)) this.order.push(key);
      this.forgetIfIdle(key);
      this.pump();
    }
  }

  private scheduleRetry(key: string, item: PendingStatus<T>, err: unknown): void {
    let backoff = this.backoffs.get(key);
    if (!backoff) this.backoffs.set(key, (backoff = new Backoff(500, 30_000, this.opts.random)));
    const delay = backoff.next();
    this.log.warn({ err, key, retryInMs: delay }, 'status write failed; retrying');
    const timer = this.clock.setTimeout(() => {
      if (this.retries.get(key) === timer) this.retries.delete(key);
      // submit() clears a superseded retry's timer; this guard makes sure it never writes either way.
      if (this.latest.get(key) !== item.seq) return this.forgetIfIdle(key);
      this.pending.set(key, item);
      if (!this.inflight.has(key)) this.order.push(key);
      this.pump();
    }, delay);
    timer.unref?.();
    this.retries.set(key, timer);
  }

  /** Cancels the pending retry of an older submission for the object. */
  private dropRetry(key: string): void {
    const timer = this.retries.get(key);
    if (!timer) return;
    this.clock.clearTimeout(timer);
    this.retries.delete(key);
  }

  /** Forgets an object with nothing queued, in flight or waiting to retry (its backoff starts over). */
  private forgetIfIdle(key: string): void {
    if (this.pending.has(key) || this.inflight.has(key) || this.retries.has(key)) return;
    this.latest.delete(key);
    this.backoffs.delete(key);
  }
}
