/**
 * A token bucket: up to `burst` requests at once, refilled at `qps` per second. take() waits for a
 * token, so callers queue instead of failing.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly qps: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = this.now();
  }

  /** Resolves when a token is available; requests are served in order. */
  take(signal?: AbortSignal): Promise<void> {
    const next = this.chain.then(() => this.acquire(signal));
    // A rejected (aborted) wait must not block the ones after it.
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async acquire(signal?: AbortSignal): Promise<void> {
    // Aborted before its turn (already, or while queued behind others): no token, no wait.
    if (signal?.aborted) throw abortReason(signal);
    this.refill();
    if (this.tokens < 1) {
      const waitMs = ((1 - this.tokens) / this.qps) * 1000;
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          clearTimeout(t);
          reject(abortReason(signal!));
        };
        const t = setTimeout(() => {
          // The signal may outlive many takes (an informer's); do not let listeners pile up on it.
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, waitMs);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
      this.refill();
    }
    this.tokens -= 1;
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
