// Events that aggregate like client-go's event correlator: one core/v1 Event per (object, type,
// reason), its count rising and its message the latest, instead of a new Event per occurrence. An
// owner planned every minute gets one "RunSucceeded (x60 over 1h)", not sixty Events. Best effort:
// a failed write is logged, never retried, never blocks anything.
import type { Clock, KubeObject, Logger } from '@tofu-operator/reconcile-runtime';

/** The two writes the aggregation makes (KubeClient has them behind CoreEvents; specs pass a fake). */
export interface EventWrites {
  create(namespace: string, event: KubeObject): Promise<unknown>;
  /** A JSON merge patch of an Event; rejects with a 404 error when the Event is gone. */
  patch(namespace: string, name: string, patch: Record<string, unknown>): Promise<unknown>;
}

export interface AggregatedEventsOptions {
  /** Events' reportingComponent, e.g. "tofu-operator.io/operator", and source.component. */
  component: string;
  /** This replica (reportingInstance). */
  instance: string;
  clock: Clock;
  log: Logger;
  isNotFound(err: unknown): boolean;
  /** A series older than this starts a new Event (the API server deletes Events after 1 h by default). */
  windowMs?: number;
  /** Series remembered at most (the least recently used is forgotten). */
  maxSeries?: number;
  /**
   * Series being written at most; beyond, an occurrence is counted but not written until its series
   * occurs again (a burst across thousands of objects must not queue thousands of writes).
   */
  maxWriting?: number;
}

interface Series {
  namespace: string;
  name: string;
  regarding: KubeObject;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  count: number;
  first: number;
  last: number;
  /** The count the API server has (0: not created yet). */
  written: number;
  writing: boolean;
}

const time = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

/** Records aggregated Events (see the file comment). */
export class AggregatedEvents {
  private readonly series = new Map<string, Series>();
  private seq = 0;
  private readonly windowMs: number;
  private readonly maxSeries: number;
  private readonly maxWriting: number;
  private writing = 0;
  /** Occurrences not written because too many series were being written. */
  deferred = 0;

  constructor(
    private readonly writes: EventWrites,
    private readonly opts: AggregatedEventsOptions,
  ) {
    this.windowMs = opts.windowMs ?? 50 * 60_000;
    this.maxSeries = opts.maxSeries ?? 4096;
    this.maxWriting = opts.maxWriting ?? 500;
  }

  /** Records one occurrence; returns at once. */
  record(regarding: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const key = `${regarding.metadata?.uid ?? ''}/${type}/${reason}`;
    const now = this.opts.clock.now();
    let s = this.series.get(key);
    this.series.delete(key);
    if (!s || now - s.first >= this.windowMs) {
      const name = regarding.metadata?.name ?? 'unknown';
      s = {
        namespace: regarding.metadata?.namespace ?? 'default',
        // client-go's naming: "<object>.<time in hex>", unique enough and sortable.
        name: `${name.slice(0, 200)}.${(BigInt(now) * 1_000_000n + BigInt(++this.seq % 1_000_000)).toString(16)}`,
        regarding,
        type,
        reason,
        message,
        count: 0,
        first: now,
        last: now,
        written: 0,
        writing: false,
      };
    }
    s.count++;
    s.last = now;
    s.message = message.slice(0, 1024);
    this.series.set(key, s);
    if (this.series.size > this.maxSeries) this.series.delete(this.series.keys().next().value as string);
    void this.flush(s);
  }

  /** Writes the series' state: a create at first, then patches; one write at a time per series. */
  private async flush(s: Series): Promise<void> {
    if (s.writing) return;
    if (this.writing >= this.maxWriting) {
      this.deferred++;
      return;
    }
    s.writing = true;
    this.writing++;
    try {
      while (s.written < s.count) {
        const count = s.count;
        try {
          if (s.written === 0) await this.writes.create(s.namespace, this.eventOf(s));
          else await this.writes.patch(s.namespace, s.name, { count, lastTimestamp: time(s.last), message: s.message });
          s.written = count;
        } catch (err) {
          if (s.written > 0 && this.opts.isNotFound(err)) {
            // The Event expired or was deleted: the series goes on in a new one.
            s.name = `${s.name.replace(/\.[0-9a-f]+$/, '')}.${(BigInt(this.opts.clock.now()) * 1_000_000n + BigInt(++this.seq % 1_000_000)).toString(16)}`;
            s.written = 0;
            continue;
          }
          this.opts.log.warn({ err, reason: s.reason, namespace: s.namespace, name: s.regarding.metadata?.name }, 'could not record event');
          s.written = count;
        }
      }
    } finally {
      s.writing = false;
      this.writing--;
    }
  }

  private eventOf(s: Series): KubeObject {
    const r = s.regarding;
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: s.name, namespace: s.namespace },
      involvedObject: { apiVersion: r.apiVersion, kind: r.kind, name: r.metadata?.name, namespace: s.namespace, uid: r.metadata?.uid },
      reason: s.reason,
      message: s.message,
      type: s.type,
      count: s.count,
      firstTimestamp: time(s.first),
      lastTimestamp: time(s.last),
      source: { component: this.opts.component },
      reportingComponent: this.opts.component,
      reportingInstance: this.opts.instance,
    } as KubeObject;
  }
}
