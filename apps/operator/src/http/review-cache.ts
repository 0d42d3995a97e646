/**
 * A bounded cache of review answers with a time to live per answer, which also shares one
 * computation among concurrent callers of the same key: a thousand clients connecting with one token
 * at once cause one TokenReview, not a thousand (the API server's own webhook authenticator and
 * authorizer cache their answers the same way).
 */
export class ReviewCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();
  private readonly inflight = new Map<string, Promise<V>>();

  constructor(
    private readonly max: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /**
   * The cached answer for `key`, or the result of `compute` (shared with concurrent callers), kept
   * for `ttlMs(value)` milliseconds (0: not kept). A failed computation is not cached.
   */
  async get(key: string, compute: () => Promise<V>, ttlMs: (value: V) => number): Promise<V> {
    const t = this.now();
    const hit = this.entries.get(key);
    if (hit && hit.expires > t) return hit.value;
    const running = this.inflight.get(key);
    if (running) return running;
    const p = compute().then(
      (value) => {
        this.inflight.delete(key);
        const ttl = ttlMs(value);
        if (ttl > 0) this.put(key, value, this.now() + ttl);
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

  private put(key: string, value: V, expires: number): void {
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
    this.entries.set(key, { value, expires });
  }
}
