import type { ResourceEvent, ResourceKind } from '@tofu-operator/api-contracts';
import { applyEvents } from './apply-event.ts';

type Named = { metadata: { name?: string } };

const keyOf = (ns: string, kind: ResourceKind, name: string) => `${ns}\u0000${kind}\u0000${name}`;

/**
 * The live events that arrived while REST reads were in flight, so a read's answer never replaces
 * what an event brought during it. A read answers the object as it was when the server read it; an
 * event sent meanwhile may be newer (a status written just after the read) and would be lost for good
 * if the answer overwrote it, since no further event comes. Preferring the event is always safe: a
 * change newer than the event arrives as an event of its own. Events are kept only while some read is
 * in flight (nothing else needs them), the newest per object.
 */
export class EventOverlay {
  private seq = 0;
  private reads = 0;
  private readonly events = new Map<string, { seq: number; event: ResourceEvent }>();

  /** Notes an event (from the socket) in case a read in flight answers an older copy of its object. */
  record(e: ResourceEvent): void {
    if (this.reads === 0) return;
    this.events.set(keyOf(e.namespace, e.kind, e.name), { seq: ++this.seq, event: e });
  }

  /** Runs a read; `since` marks its start for `item` and `list`. */
  async read<R>(fn: (since: number) => Promise<R>): Promise<R> {
    this.reads++;
    try {
      return await fn(this.seq);
    } finally {
      if (--this.reads === 0) this.events.clear();
    }
  }

  /** The newest event of one object that arrived after `since`. */
  itemSince(since: number, ns: string, kind: ResourceKind, name: string): ResourceEvent | undefined {
    const hit = this.events.get(keyOf(ns, kind, name));
    return hit && hit.seq > since ? hit.event : undefined;
  }

  /** A read's answer for one object, with an event that arrived during the read applied over it. */
  item<T>(since: number, ns: string, kind: ResourceKind, name: string, answer: T): T | { deleted: true } {
    const e = this.itemSince(since, ns, kind, name);
    if (!e) return answer;
    return e.type === 'DELETED' ? { deleted: true } : (e.object as unknown as T);
  }

  /**
   * A read's answer for (part of) a list sorted by name, with the events of its namespace and kind
   * that arrived during the read applied over it, in the order they arrived.
   */
  list<T extends Named>(since: number, ns: string, kind: ResourceKind, answer: readonly T[]): T[] {
    const later = [...this.events.values()]
      .filter((h) => h.seq > since && h.event.namespace === ns && h.event.kind === kind)
      .sort((a, b) => a.seq - b.seq)
      .map((h) => h.event);
    return later.length === 0 ? (answer as T[]) : applyEvents(answer, later);
  }
}

/** The dashboard's one overlay: the socket's events are recorded here, the REST reads consult it. */
export const eventOverlay = new EventOverlay();
