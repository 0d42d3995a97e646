import { SocketLimits } from '@tofu-operator/api-contracts';
import type { LogSubscription } from '../logs/log-hub.service.js';
import type { MetricsService } from '../metrics/metrics.service.js';
import { ApiError } from '../http/errors.js';

/** The room of a namespace's events of one kind, and of one execution. */
export const nsRoom = (ns: string, kind: string): string => `ns:${ns}:${kind}`;
export const execRoom = (ns: string, name: string): string => `x:${ns}:${name}`;

const typeOf = (room: string) => (room.startsWith('x:') ? 'execution' : 'namespace');

/**
 * The subscriptions of one websocket connection: the rooms it holds or has reserved (the
 * per-connection limit counts both), what stops each room's access re-checks, and the log
 * subscriptions of its execution rooms.
 */
export class SocketSubscriptions {
  private readonly rooms = new Map<string, (() => void) | undefined>();
  /** Open log subscriptions by execution room. */
  private readonly logs = new Map<string, LogSubscription>();

  constructor(
    private readonly metrics: Pick<MetricsService, 'wsSubscriptions'>,
    private readonly limit: number = SocketLimits.subscriptionsPerConnection,
  ) {}

  /** Rooms held or reserved. */
  get size(): number {
    return this.rooms.size;
  }

  has(room: string): boolean {
    return this.rooms.has(room);
  }

  /**
   * Counts the rooms not yet held against the limit at once, before any review is awaited (a burst of
   * subscriptions cannot pass a check made before the first of them is counted); throws 429 beyond the
   * limit; returns the rooms it counted, for release() when the subscription is refused.
   */
  reserve(rooms: readonly string[]): string[] {
    const fresh = [...new Set(rooms)].filter((r) => !this.rooms.has(r));
    if (this.rooms.size + fresh.length > this.limit) {
      throw new ApiError(429, 'TooManyRequests', `at most ${this.limit} subscriptions per connection`);
    }
    for (const r of fresh) {
      this.rooms.set(r, undefined);
      this.metrics.wsSubscriptions(typeOf(r), 1);
    }
    return fresh;
  }

  /** Marks a reserved room joined, with what stops its access re-checks (a previous one is stopped). */
  hold(room: string, stop: () => void): void {
    if (!this.rooms.has(room)) {
      stop();
      return;
    }
    this.rooms.get(room)?.();
    this.rooms.set(room, stop);
  }

  /** Sets the log subscription of an execution room, closing the one it replaces. */
  setLog(room: string, sub: LogSubscription): void {
    this.logs.get(room)?.close();
    if (!this.rooms.has(room)) {
      // Released (refused on a re-check, or left) while the subscription was being set up.
      this.logs.delete(room);
      sub.close();
      return;
    }
    this.logs.set(room, sub);
  }

  /** Gives rooms back: their re-checks stop, their log subscriptions close. */
  release(rooms: readonly string[]): void {
    for (const r of rooms) {
      this.logs.get(r)?.close();
      this.logs.delete(r);
      if (!this.rooms.has(r)) continue;
      this.rooms.get(r)?.();
      this.rooms.delete(r);
      this.metrics.wsSubscriptions(typeOf(r), -1);
    }
  }

  /** Gives every room back (the connection closed). */
  releaseAll(): void {
    this.release([...this.rooms.keys(), ...this.logs.keys()]);
  }
}
