import type { TestContext } from 'node:test';
import { TokenBucket, type LowPriorityOptions } from './token-bucket.js';

// Helpers of the TokenBucket specs.

/** Lets queued promise callbacks (and the bucket's chained acquires) run. */
export function flush(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

/** Tracks which of some promises have resolved or rejected. */
export function track(p: Promise<unknown>): { state: 'pending' | 'resolved' | 'rejected'; error?: unknown } {
  const s: { state: 'pending' | 'resolved' | 'rejected'; error?: unknown } = { state: 'pending' };
  p.then(
    () => (s.state = 'resolved'),
    (err: unknown) => {
      s.state = 'rejected';
      s.error = err;
    },
  ).catch(() => undefined);
  return s;
}

/** A bucket on a manual clock, with setTimeout mocked so both advance together. */
export function fakeBucket(t: TestContext, qps: number, burst: number, low?: LowPriorityOptions) {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const clock = { now: 0 };
  const bucket = new TokenBucket(qps, burst, () => clock.now, low);
  const advance = async (ms: number) => {
    await flush();
    clock.now += ms;
    t.mock.timers.tick(ms);
    await flush();
  };
  return { bucket, advance };
}
