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
}

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
  }

  /** Resolves when a token is available; rejects at once if the signal is or becomes aborted. */
  take(signal?: AbortSignal, priority: Priority = 'high'): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    this.refill();
    const free = priority === 'high' ? 1 : 1 + this.reserve;
    if (this.queues.high.length === 0 && (priority === 'high' || this.queues.low.length === 0) && this.tokens >= free) {
      this.tokens -= 1;
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
    const waitMs = Math.max(0, Math.min(this.untilTokens(this.queues.high.length > 0 ? 1 : 1 + this.reserve), this.untilLowAged()));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.drain();
    }, waitMs);
  }

  /** Milliseconds until the bucket holds `n` tokens. */
  private untilTokens(n: number): number {
    return this.tokens >= n ? 0 : ((n - this.tokens) / this.qps) * 1000;
  }

  /** Milliseconds until the oldest low-priority take has waited maxLowWaitMs (Infinity: none waits). */
  private untilLowAged(): number {
    const oldest = this.queues.low[0];
    if (!oldest || this.maxLowWaitMs === Infinity) return Infinity;
    // Aged, it still needs a token like any take.
    return Math.max(oldest.since + this.maxLowWaitMs - this.now(), this.untilTokens(1));
  }

  /** The next waiter to serve with the tokens there are: aged low, high, then low above the reserve. */
  private next(): Waiter | undefined {
    const low = this.queues.low[0];
    if (low && this.now() - low.since >= this.maxLowWaitMs) return this.queues.low.shift();
    if (this.queues.high.length > 0) return this.queues.high.shift();
    if (low && this.tokens >= 1 + this.reserve) return this.queues.low.shift();
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
