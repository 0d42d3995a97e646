import { systemClock, type Clock, type TimerHandle } from './clock.js';

/**
 * A de-duplicating work queue with per-key exponential backoff, after client-go's workqueue:
 * - a key waiting in the queue is stored once, however often it is added;
 * - a key being processed is never handed to a second worker; if it is added meanwhile it is
 *   re-queued once when the worker calls done();
 * - failures back off per key (base * 2^failures, capped) until forget() is called.
 */
export interface WorkQueueOptions {
  /** First retry delay after a failure. Default 5 ms. */
  baseDelayMs?: number;
  /** Largest retry delay. Default 1000 s. */
  maxDelayMs?: number;
  /** Current time in ms, for tests. Default: the clock's. */
  now?: () => number;
  /** Time and the timers of delayed adds, for tests. The real ones by default. */
  clock?: Clock;
}

/** Figures for metrics. */
export interface WorkQueueStats {
  depth: number;
  processing: number;
  waitingForRetry: number;
}

export class WorkQueueShutDownError extends Error {
  constructor() {
    super('work queue is shut down');
  }
}

export class WorkQueue<K extends string = string> {
  private readonly queue: K[] = [];
  private readonly queued = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly dirtyWhileProcessing = new Set<K>();
  private readonly failures = new Map<K, number>();
  private readonly timers = new Map<K, { at: number; timer: TimerHandle }>();
  private readonly addedAt = new Map<K, number>();
  private waiters: ((key: K | undefined) => void)[] = [];
  private shuttingDown = false;
  private drainWaiters: (() => void)[] = [];
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly now: () => number;
  private readonly clock: Clock;

  /** Called with how long a key waited in the queue before a worker took it (for metrics). */
  onDequeue?: (key: K, waitedMs: number) => void;

  constructor(opts: WorkQueueOptions = {}) {
    this.baseDelayMs = opts.baseDelayMs ?? 5;
    this.maxDelayMs = opts.maxDelayMs ?? 1_000_000;
    const clock = (this.clock = opts.clock ?? systemClock);
    this.now = opts.now ?? (() => clock.now());
  }

  /** Adds a key now. Ignored after shutDown(). */
  add(key: K): void {
    if (this.shuttingDown) return;
    if (this.processing.has(key)) {
      this.dirtyWhileProcessing.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.addedAt.set(key, this.now());
    const waiter = this.waiters.shift();
    if (waiter) {
      this.queued.delete(key);
      this.take(key);
      waiter(key);
    } else {
      this.queue.push(key);
    }
  }

  /** Adds a key after a delay. An earlier pending delayed add for the same key wins. */
  addAfter(key: K, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = this.now() + delayMs;
    const existing = this.timers.get(key);
    if (existing && existing.at <= at) return;
    if (existing) this.clock.clearTimeout(existing.timer);
    const timer = this.clock.setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref?.();
    this.timers.set(key, { at, timer });
  }

  /** Adds a key after its backoff delay and counts one more failure for it. */
  addRateLimited(key: K): void {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    this.addAfter(key, this.backoffFor(n));
  }

  /** The delay the next addRateLimited() of this key would use. */
  backoffFor(failures: number): number {
    return Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(failures, 40));
  }

  /** Clears the failure count of a key (after a successful reconcile). */
  forget(key: K): void {
    this.failures.delete(key);
  }

  /** How many times in a row this key has failed. */
  numRequeues(key: K): number {
    return this.failures.get(key) ?? 0;
  }

  /**
   * Waits for the next key; resolves undefined once the queue is shut down and empty.
   * The caller must call done(key) when finished with it.
   */
  get(): Promise<K | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) {
      this.queued.delete(key);
      this.take(key);
      return Promise.resolve(key);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private take(key: K): void {
    this.processing.add(key);
    const added = this.addedAt.get(key);
    this.addedAt.delete(key);
    if (added !== undefined) this.onDequeue?.(key, this.now() - added);
  }

  /** Marks a key as processed; re-queues it if it was added while being processed. */
  done(key: K): void {
    this.processing.delete(key);
    if (this.dirtyWhileProcessing.delete(key)) this.add(key);
    if (this.processing.size === 0) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      waiters.forEach((w) => w());
    }
  }

  /** Stops intake: pending delayed adds are dropped, waiting workers get undefined. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.timers.values()) this.clock.clearTimeout(timer);
    this.timers.clear();
    this.queue.length = 0;
    this.queued.clear();
    this.dirtyWhileProcessing.clear();
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((w) => w(undefined));
  }

  /** Resolves when no key is being processed (for draining on shutdown). */
  drained(): Promise<void> {
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  stats(): WorkQueueStats {
    return { depth: this.queue.length, processing: this.processing.size, waitingForRetry: this.timers.size };
  }
}
