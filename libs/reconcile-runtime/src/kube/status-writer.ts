import type { ResourceType } from '@tofu-operator/api-types';
import type { Logger } from 'pino';
import type { KubeClient } from './kube-client.js';
import { sleep, systemClock, type Clock } from '../clock.js';
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
}

/**
 * Writes status in the background so reconcile workers never wait for it: reconcilers submit the
 * object and how to compute its status; the writer keeps only the latest submission per object,
 * writes at low priority in the client's rate budget (creates that unblock runs go first), retries
 * conflicts through updateStatus and other failures with backoff. Under a burst of thousands of
 * objects, status lags a little behind instead of slowing every reconcile down.
 */
export class StatusWriter<T extends KubeObject & { status?: unknown }> {
  private readonly pending = new Map<string, PendingStatus<T>>();
  private readonly order: string[] = [];
  private readonly inflight = new Set<string>();
  private readonly backoffs = new Map<string, Backoff>();
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
  submit(obj: T, compute: (obj: T) => T['status']): boolean {
    const key = `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
    const queued = this.pending.has(key);
    if (!queued && jsonEqual(compute(obj), obj.status)) return false;
    this.pending.set(key, { obj, compute: compute as PendingStatus<T>['compute'] });
    if (!queued && !this.inflight.has(key)) this.order.push(key);
    this.pump();
    return true;
  }

  /** Drops a queued (not yet started) write for the object, e.g. before writing it synchronously. */
  cancel(obj: T): void {
    this.pending.delete(`${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`);
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

  private async write(key: string, item: PendingStatus<T>): Promise<void> {
    try {
      await updateStatus(this.client, this.rt, item.obj, item.compute as (obj: T) => T['status'], 'low', this.clock);
      this.backoffs.delete(key);
    } catch (err) {
      if (!isNotFound(err)) {
        let backoff = this.backoffs.get(key);
        if (!backoff) this.backoffs.set(key, (backoff = new Backoff(500, 30_000, this.opts.random)));
        const delay = backoff.next();
        this.log.warn({ err, key, retryInMs: delay }, 'status write failed; retrying');
        // A newer submission for the key wins over the retry.
        this.clock
          .setTimeout(() => {
            if (!this.pending.has(key)) this.submitRetry(key, item);
          }, delay)
          .unref?.();
      }
    } finally {
      this.inflight.delete(key);
      this.active--;
      // A submission that arrived while this one was in flight is written next.
      if (this.pending.has(key)) this.order.push(key);
      this.pump();
    }
  }

  private submitRetry(key: string, item: PendingStatus<T>): void {
    this.pending.set(key, item);
    if (!this.inflight.has(key)) this.order.push(key);
    this.pump();
  }
}
