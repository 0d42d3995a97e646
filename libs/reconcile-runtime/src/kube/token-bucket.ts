/** Which queue a request waits in when the budget is exhausted. */
export type Priority = 'high' | 'low';

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * A token bucket: up to `burst` requests at once, refilled at `qps` per second. take() waits for a
 * token, so callers queue instead of failing. Two queues, served in order within each: a waiting
 * "high" request (creates that unblock progress) always goes before a waiting "low" one (status
 * writes, events), like the API server's own priority levels. The total rate is the same.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly queues: Record<Priority, Waiter[]> = { high: [], low: [] };
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly qps: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = this.now();
  }

  /** Resolves when a token is available; rejects at once if the signal is or becomes aborted. */
  take(signal?: AbortSignal, priority: Priority = 'high'): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    this.refill();
    if (this.queues.high.length === 0 && (priority === 'high' || this.queues.low.length === 0) && this.tokens >= 1) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, onAbort: undefined };
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
    const waitMs = this.tokens >= 1 ? 0 : ((1 - this.tokens) / this.qps) * 1000;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.drain();
    }, waitMs);
  }

  private drain(): void {
    this.refill();
    while (this.tokens >= 1) {
      const waiter = this.queues.high.shift() ?? this.queues.low.shift();
      if (!waiter) return;
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
