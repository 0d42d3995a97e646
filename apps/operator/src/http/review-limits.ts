import { ApiError } from './errors.js';

/** A refusal that tells the caller when to come back (the filter writes Retry-After). */
export class RetryLaterError extends ApiError {
  constructor(status: 429 | 503, message: string, retryAfterSeconds: number) {
    super(status, status === 429 ? 'TooManyRequests' : 'ServiceUnavailable', message);
    this.name = 'RetryLaterError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * Limits the failed authentications of each client address with a token bucket per address: `burst`
 * failures at once, refilled at `perSecond`. An address with no budget left is answered 429 before
 * any review is made, so random bearer tokens from one address cost the API server almost nothing.
 * Bounded: beyond `maxClients` addresses the one touched longest ago is forgotten.
 */
export class ClientFailureLimiter {
  private readonly clients = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly maxClients: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.clients.size;
  }

  /** Throws 429 with Retry-After when `client` has used up its failures. */
  check(client: string | undefined): void {
    if (!client) return;
    const tokens = this.tokensOf(client);
    if (tokens >= 1) return;
    const wait = Math.max(1, Math.ceil((1 - tokens) / this.perSecond));
    throw new RetryLaterError(429, 'too many failed authentications from this address; retry later', wait);
  }

  /** Counts one failed authentication of `client`. */
  fail(client: string | undefined): void {
    if (!client) return;
    const tokens = this.tokensOf(client);
    this.clients.delete(client);
    if (this.clients.size >= this.maxClients) {
      const oldest = this.clients.keys().next();
      if (!oldest.done) this.clients.delete(oldest.value);
    }
    this.clients.set(client, { tokens: Math.max(0, tokens - 1), at: this.now() });
  }

  private tokensOf(client: string): number {
    const e = this.clients.get(client);
    if (!e) return this.burst;
    const t = this.now();
    const tokens = Math.min(this.burst, e.tokens + ((t - e.at) / 1000) * this.perSecond);
    if (tokens >= this.burst) this.clients.delete(client);
    else {
      e.tokens = tokens;
      e.at = t;
    }
    return tokens;
  }
}

/**
 * Bounds the reviews waiting for the API server: at most `max` at once (in flight or waiting for the
 * review client's rate budget); one more is refused at once with 503 and Retry-After instead of
 * queueing, and each review is aborted after `timeoutMs` (also answered 503).
 */
export class ReviewQueue {
  private pending = 0;

  constructor(
    private readonly max: number,
    private readonly timeoutMs: number,
  ) {}

  /** Reviews in flight or waiting. */
  get size(): number {
    return this.pending;
  }

  async run<T>(review: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.pending >= this.max) throw new RetryLaterError(503, 'too many access reviews are waiting; retry later', 1);
    this.pending++;
    const signal = AbortSignal.timeout(this.timeoutMs);
    try {
      return await review(signal);
    } catch (err) {
      if (signal.aborted) throw new RetryLaterError(503, `the access review took longer than ${this.timeoutMs} ms; retry later`, 1);
      throw err;
    } finally {
      this.pending--;
    }
  }
}
