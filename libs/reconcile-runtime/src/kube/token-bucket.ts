/** Which queue a request waits in when the budget is exhausted. */
export type Priority = 'high' | 'low';

interface Waiter {
  /** When it started waiting (the bucket's clock). */
  since: number;
  resolve: () => void;
  reject: (err: Error) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/** How low-priority takes yield to high-priority ones beyond waiting behind them. */
export interface LowPriorityOptions {
  /**
   * Tokens kept for high-priority takes: a low-priority take waits until the bucket holds more than
   * this, so while high-priority work keeps the bucket near empty (a burst of creates), low-priority
   * takes (status writes, coalesced per object by their writers) wait until the burst is over
   * instead of taking every token that comes up between two creates. Default 0.
   */
  reserve?: number;
  /** A low-priority take waiting this long is served like a high-priority one (no starvation). Default: never. */
  maxWaitMs?: number;
  /**
   * Low-priority takes wait while high-priority ones use more than this share of qps (measured over
   * about the last second, a decaying count). A burst of creates keeps the rate high from its first
   * take to its last, so the status writes go after it, whatever the bucket holds; under a steady
   * load below the share they go at once. Default: off.
   */
  busyShare?: number;
}

/** The time constant of the decaying count of high-priority takes (busyShare). */
const BUSY_WINDOW_MS = 1000;

/**
 * A token bucket: up to `burst` requests at once, refilled at `qps` per second. take() waits for a
 * token, so callers queue instead of failing. Two queues, served in order within each: a waiting
 * "high" request (creates that unblock progress) always goes before a waiting "low" one (status
 * writes, events), like the API server's own priority levels, and low ones may leave a reserve to
 * high ones (LowPriorityOptions). The total rate is the same.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly queues: Record<Priority, Waiter[]> = { high: [], low: [] };
  private timer: NodeJS.Timeout | undefined;
  private readonly reserve: number;
  private readonly maxLowWaitMs: number;
  /** High-priority takes, decaying with BUSY_WINDOW_MS, as of `highAt`; above `busyCount` low takes wait. */
  private high = 0;
  private highAt: number;
  private readonly busyCount: number;

  constructor(
    private readonly qps: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
    low: LowPriorityOptions = {},
  ) {
    this.tokens = burst;
    this.last = this.now();
    this.reserve = Math.min(Math.max(0, low.reserve ?? 0), Math.max(0, burst - 1));
    this.maxLowWaitMs = low.maxWaitMs ?? Infinity;
    this.highAt = this.last;
    // A steady rate r gives a count of r * window / 1000.
    this.busyCount = low.busyShare === undefined ? Infinity : Math.max(0, low.busyShare) * qps * (BUSY_WINDOW_MS / 1000);
  }

  /** Resolves when a token is available; rejects at once if the signal is or becomes aborted. */
  take(signal?: AbortSignal, priority: Priority = 'high'): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    this.refill();
    const free = priority === 'high' ? 1 : 1 + this.reserve;
    if (
      this.queues.high.length === 0 &&
      (priority === 'high' || (this.queues.low.length === 0 && this.untilQuiet() === 0)) &&
      this.tokens >= free
    ) {
      this.tokens -= 1;
      if (priority === 'high') this.countHigh();
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { since: this.now(), resolve, reject, signal, onAbort: undefined };
      if (signal) {
        waiter.onAbort = () => {
          const q = this.queues[priority];
          const i = q.indexOf(waiter);
          if (i >= 0) q.splice(i, 1);
          reject(abortReason(signal));
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.queues[priority].push(waiter);
      this.schedule();
    });
  }

  /** Requests waiting for a token, per priority (for metrics). */
  waiting(): Record<Priority, number> {
    return { high: this.queues.high.length, low: this.queues.low.length };
  }

  private schedule(): void {
    if (this.timer) return;
    this.refill();
    const untilNext = this.queues.high.length > 0 ? this.untilTokens(1) : Math.max(this.untilTokens(1 + this.reserve), this.untilQuiet());
    const waitMs = Math.max(0, Math.min(untilNext, this.untilLowAged()));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.drain();
    }, waitMs);
  }

  /** Milliseconds until the bucket holds `n` tokens. */
  private untilTokens(n: number): number {
    return this.tokens >= n ? 0 : ((n - this.tokens) / this.qps) * 1000;
  }

  /** Milliseconds until high-priority takes have decayed to the busy share (0: quiet now). */
  private untilQuiet(): number {
    if (this.busyCount === Infinity) return 0;
    const count = this.highCount();
    if (count <= this.busyCount + 1e-9) return 0;
    // count * exp(-t / window) = busyCount (rounded up to whole ms, so the timer does not fire a hair
    // early); a share of 0 waits until the count is below one half.
    return Math.ceil(BUSY_WINDOW_MS * Math.log(count / Math.max(this.busyCount, 0.5)));
  }

  /** The decaying count of high-priority takes, as of now. */
  private highCount(): number {
    const now = this.now();
    this.high *= Math.exp(-(now - this.highAt) / BUSY_WINDOW_MS);
    this.highAt = now;
    return this.high;
  }

  private countHigh(): void {
    this.high = this.highCount() + 1;
  }

  /** Milliseconds until the oldest low-priority take has waited maxLowWaitMs (Infinity: none waits). */
  private untilLowAged(): number {
    const oldest = this.queues.low[0];
    if (!oldest || this.maxLowWaitMs === Infinity) return Infinity;
    // Aged, it still needs a token like any take.
    return Math.max(oldest.since + this.maxLowWaitMs - this.now(), this.untilTokens(1));
  }

  /** The next waiter to serve with the tokens there are: aged low, high, then low above the reserve when quiet. */
  private next(): Waiter | undefined {
    const low = this.queues.low[0];
    if (low && this.now() - low.since >= this.maxLowWaitMs) return this.queues.low.shift();
    if (this.queues.high.length > 0) {
      this.countHigh();
      return this.queues.high.shift();
    }
    if (low && this.tokens >= 1 + this.reserve && this.untilQuiet() === 0) return this.queues.low.shift();
    return undefined;
  }

  private drain(): void {
    this.refill();
    while (this.tokens >= 1) {
      const waiter = this.next();
      if (!waiter) break;
      this.tokens -= 1;
      // The signal may outlive many takes (an informer's); do not let listeners pile up on it.
      if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.resolve();
    }
    if (this.queues.high.length + this.queues.low.length > 0) this.schedule();
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
  }
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}
