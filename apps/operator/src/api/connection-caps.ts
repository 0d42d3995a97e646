import { RetryLaterError } from '../http/review-limits.js';

/**
 * Counts open websocket connections per user and per client address and refuses one beyond a cap
 * (429). A connection is counted when it is taken, before any await, so a burst of handshakes cannot
 * all pass a check made before the first of them is counted; its release is idempotent.
 */
export class ConnectionCaps {
  private readonly byUser = new Map<string, number>();
  private readonly byAddress = new Map<string, number>();

  constructor(
    private readonly perUser: number,
    private readonly perAddress: number,
  ) {}

  /** Open connections of a user and of an address (for tests and metrics). */
  count(kind: 'user' | 'address', key: string): number {
    return (kind === 'user' ? this.byUser : this.byAddress).get(key) ?? 0;
  }

  /** Takes one connection of `address` (the TCP peer, never X-Forwarded-For); throws 429 at the cap. */
  address(address: string): () => void {
    return take(this.byAddress, address, this.perAddress, `at most ${this.perAddress} websocket connections per client address`);
  }

  /** Takes one connection of the user `username`; throws 429 at the cap. */
  user(username: string): () => void {
    return take(this.byUser, username, this.perUser, `at most ${this.perUser} websocket connections per user`);
  }
}

function take(counts: Map<string, number>, key: string, max: number, message: string): () => void {
  const n = counts.get(key) ?? 0;
  if (n >= max) throw new RetryLaterError(429, `${message}; close one or retry later`, 5);
  counts.set(key, n + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (counts.get(key) ?? 1) - 1;
    if (left > 0) counts.set(key, left);
    else counts.delete(key);
  };
}

/**
 * Release functions gathered while a connection is set up, all called once when it closes; one added
 * after the close is called at once (the client left while its handshake was being authenticated).
 */
export class Releases {
  private readonly fns: (() => void)[] = [];
  private closed = false;

  add(fn: () => void): void {
    if (this.closed) fn();
    else this.fns.push(fn);
  }

  releaseAll(): void {
    this.closed = true;
    for (const fn of this.fns.splice(0)) fn();
  }
}
