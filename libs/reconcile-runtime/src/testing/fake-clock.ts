import type { Clock, TimerHandle } from '../clock.js';

interface FakeTimer extends TimerHandle {
  at: number;
  seq: number;
  fn: () => void;
}

/** Lets every queued promise callback run (a macrotask turn drains the microtask queue). */
export function flush(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * A manual clock for unit specs: time moves only in advance(), which fires the timers that fall due
 * in order of their due time and lets promise callbacks run after each, like the event loop would.
 */
export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: FakeTimer[] = [];

  constructor(start = 1_700_000_000_000) {
    this.t = start;
  }

  now = (): number => this.t;

  setTimeout = (fn: () => void, ms: number): TimerHandle => {
    const timer: FakeTimer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn, unref: () => timer };
    this.timers.push(timer);
    return timer;
  };

  clearTimeout = (handle: TimerHandle): void => {
    this.timers = this.timers.filter((t) => t !== handle);
  };

  /** Delays of the pending timers from now, soonest first. */
  pending(): number[] {
    return this.timers.map((t) => t.at - this.t).sort((a, b) => a - b);
  }

  /** Moves time forward by `ms`, firing every timer due on the way (including ones set meanwhile). */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await flush();
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.t = due.at;
      due.fn();
    }
    this.t = end;
    await flush();
  }
}

/** Tracks whether a promise has settled, for asserting that something is still waiting. */
export function track<T>(p: Promise<T>): { settled: boolean; value?: T; error?: unknown } {
  const s: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  p.then(
    (value) => Object.assign(s, { settled: true, value }),
    (error: unknown) => Object.assign(s, { settled: true, error }),
  );
  return s;
}
