/**
 * A bounded cache of review answers with a time to live per answer, which also shares one
 * computation among concurrent callers of the same key: a thousand clients connecting with one token
 * at once cause one TokenReview, not a thousand (the API server's own webhook authenticator and
 * authorizer cache their answers the same way).
 */
export class ReviewCache<V> {
  private readonly entries = new Map<string, { value: V; at: number; expires: number }>();
  private readonly inflight = new Map<string, Promise<V>>();

  constructor(
    private readonly max: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The cached answer for `key` if it is still live, without computing one. */
  peek(key: string): V | undefined {
    const hit = this.entries.get(key);
    return hit && hit.expires > this.now() ? hit.value : undefined;
  }

  /**
   * The cached answer for `key`, or the result of `compute` (shared with concurrent callers), kept
   * for `ttlMs(value)` milliseconds (0: not kept). A failed computation is not cached. With `maxAgeMs`
   * a cached answer older than that is computed again (a periodic re-check bounds how stale it may be).
   */
  async get(key: string, compute: () => Promise<V>, ttlMs: (value: V) => number, maxAgeMs = Infinity): Promise<V> {
    const t = this.now();
    const hit = this.entries.get(key);
    if (hit && hit.expires > t && t - hit.at < maxAgeMs) return hit.value;
    const running = this.inflight.get(key);
    if (running) return running;
    const p = compute().then(
      (value) => {
        this.inflight.delete(key);
        const ttl = ttlMs(value);
        if (ttl > 0) this.put(key, value, this.now(), ttl);
        return value;
      },
      (err: unknown) => {
        this.inflight.delete(key);
        throw err;
      },
    );
    this.inflight.set(key, p);
    return p;
  }

  private put(key: string, value: V, at: number, ttl: number): void {
    if (this.entries.size >= this.max) {
      const t = this.now();
      for (const [k, v] of this.entries) if (v.expires <= t) this.entries.delete(k);
      // Still full of live entries: forget the oldest (a Map keeps insertion order).
      for (const k of this.entries.keys()) {
        if (this.entries.size < this.max) break;
        this.entries.delete(k);
      }
    }
    this.entries.delete(key);
    this.entries.set(key, { value, at, expires: at + ttl });
  }
}

/**
 * Recently rejected tokens, by their SHA-256 (never the token itself), each forgotten `ttlMs` after
 * its rejection: a client that repeats a bad token is answered 401 without another TokenReview. Kept
 * apart from the accepted tokens so a flood of random tokens cannot evict them; bounded, the oldest
 * rejection forgotten first.
 */
export class RejectedTokens {
  private readonly until = new Map<string, number>();

  constructor(
    private readonly max: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.until.size;
  }

  /** Whether the token of this hash was rejected less than ttlMs ago. */
  has(hash: string): boolean {
    const t = this.until.get(hash);
    if (t === undefined) return false;
    if (t > this.now()) return true;
    this.until.delete(hash);
    return false;
  }

  add(hash: string): void {
    this.until.delete(hash);
    while (this.until.size >= this.max) {
      const oldest = this.until.keys().next();
      if (oldest.done) break;
      this.until.delete(oldest.value);
    }
    this.until.set(hash, this.now() + this.ttlMs);
  }
}
