// Background delivery of notifications: a bounded queue (the oldest waiting delivery is dropped when
// it is full), a few deliveries at a time, and retries with exponential backoff. Nothing here ever
// waits in a reconcile: push() returns at once.
import type { Clock, TimerHandle } from '@tofu-operator/reconcile-runtime';

/** What one attempt came to: sent, worth another try (network error, 5xx, 429), or failed for good. */
export type AttemptOutcome = { outcome: 'sent' } | { outcome: 'retry' | 'failed'; problem: string };

/** How a delivery ended. */
export type DeliveryResult = 'sent' | 'failed' | 'dropped';

/** One notification to deliver. */
export interface Delivery {
  /** Makes one attempt (`attempt` counts from 1). Never throws: problems are outcomes. */
  attempt(attempt: number): Promise<AttemptOutcome>;
  /** Called once, when the delivery ends (with the last problem when it failed or was dropped). */
  settled(result: DeliveryResult, problem?: string): void;
}

export interface DeliveryQueueOptions {
  /** Deliveries waiting (to start or to retry) at most; beyond, the oldest is dropped. */
  capacity: number;
  /** Attempts in flight at once. */
  concurrency: number;
  /** The waits before the 2nd, 3rd, ... attempt: their count + 1 is the most attempts made. */
  retryDelaysMs: readonly number[];
  clock: Clock;
}

interface Entry {
  delivery: Delivery;
  attempts: number;
  /** Set while it waits for its next attempt. */
  timer?: TimerHandle;
  problem?: string;
}

/** The notifications' delivery queue (see the file comment). */
export class DeliveryQueue {
  /** Waiting entries, oldest first: ready ones and ones in backoff (those have a timer). */
  private waiting: Entry[] = [];
  private inFlight = 0;
  private stopped = false;

  constructor(private readonly opts: DeliveryQueueOptions) {}

  /** How many deliveries wait or run. */
  get size(): number {
    return this.waiting.length + this.inFlight;
  }

  push(delivery: Delivery): void {
    if (this.stopped) return delivery.settled('dropped', 'the operator is shutting down');
    this.enqueue({ delivery, attempts: 0 });
    this.pump();
  }

  /** Drops everything waiting (shutdown); attempts in flight finish on their own deadline. */
  stop(): void {
    this.stopped = true;
    for (const e of this.waiting.splice(0)) {
      if (e.timer) this.opts.clock.clearTimeout(e.timer);
      e.delivery.settled('dropped', 'the operator is shutting down');
    }
  }

  private pump(): void {
    while (this.inFlight < this.opts.concurrency) {
      const index = this.waiting.findIndex((e) => !e.timer);
      if (index < 0) return;
      const [entry] = this.waiting.splice(index, 1) as [Entry];
      this.inFlight++;
      void this.run(entry);
    }
  }

  private async run(entry: Entry): Promise<void> {
    entry.attempts++;
    let result: AttemptOutcome;
    try {
      result = await entry.delivery.attempt(entry.attempts);
    } catch (err) {
      result = { outcome: 'failed', problem: err instanceof Error ? err.message : String(err) };
    }
    this.inFlight--;
    const delay = this.opts.retryDelaysMs[entry.attempts - 1];
    if (result.outcome === 'sent') entry.delivery.settled('sent');
    else if (result.outcome === 'failed' || delay === undefined || this.stopped) {
      const tries = entry.attempts === 1 ? '' : ` (after ${entry.attempts} attempts)`;
      entry.delivery.settled('failed', `${result.problem}${tries}`);
    } else this.retryLater(entry, delay, result.problem);
    this.pump();
  }

  /** Adds an entry at the end; when the queue is full, the oldest waiting one is dropped first. */
  private enqueue(entry: Entry): void {
    if (this.waiting.length >= this.opts.capacity) {
      const oldest = this.waiting.shift() as Entry;
      if (oldest.timer) this.opts.clock.clearTimeout(oldest.timer);
      const why = `the notification queue was full (${this.opts.capacity})`;
      oldest.delivery.settled('dropped', oldest.problem ? `${oldest.problem}; then ${why}` : why);
    }
    this.waiting.push(entry);
  }

  private retryLater(entry: Entry, delay: number, problem: string): void {
    entry.problem = problem;
    const timer = this.opts.clock.setTimeout(() => {
      delete entry.timer;
      this.pump();
    }, delay);
    timer.unref?.();
    entry.timer = timer;
    this.enqueue(entry);
  }
}
