import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fakeBucket, flush, track } from './token-bucket.fixtures.js';

// LowPriorityOptions.busyShare: low-priority takes wait while high-priority ones use more than a
// share of qps over about the last second, however many tokens the bucket holds.

describe('TokenBucket busyShare', () => {
  it('a low take waits out a burst of high takes even with tokens to spare, then goes', async (t) => {
    // qps 100, burst 100: 60 high takes at once leave 40 tokens, far above any reserve.
    const { bucket, advance } = fakeBucket(t, 100, 100, { busyShare: 0.5 });
    for (let i = 0; i < 60; i++) await bucket.take();
    const low = track(bucket.take(undefined, 'low'));
    await flush();
    assert.equal(low.state, 'pending', 'a count of 60 is above 0.5 * 100 per second');
    // 60 * exp(-t / 1 s) = 50 after ln(60 / 50) s = 182 ms.
    await advance(170);
    assert.equal(low.state, 'pending');
    await advance(20);
    assert.equal(low.state, 'resolved');
  });

  it('a steady high rate below the share does not hold low takes', async (t) => {
    const { bucket, advance } = fakeBucket(t, 100, 100, { busyShare: 0.5 });
    // 20 high takes per second for three seconds: the count settles near 20, below 50.
    for (let i = 0; i < 60; i++) {
      await bucket.take();
      await advance(50);
    }
    const low = track(bucket.take(undefined, 'low'));
    await flush();
    assert.equal(low.state, 'resolved');
  });

  it('a steady high rate above the share holds low takes until maxWaitMs', async (t) => {
    const { bucket, advance } = fakeBucket(t, 100, 100, { busyShare: 0.5, maxWaitMs: 2000 });
    const high = async (ms: number) => {
      for (let i = 0; i < ms / 10; i++) {
        await bucket.take();
        await advance(10);
      }
    };
    await high(1000);
    const low = track(bucket.take(undefined, 'low'));
    // 100 high takes per second (the whole rate) go on: the low take waits its 2 s, not longer.
    await high(1900);
    assert.equal(low.state, 'pending');
    await high(200);
    assert.equal(low.state, 'resolved');
  });

  it('high takes go first and are counted when they waited for a token', async (t) => {
    const { bucket, advance } = fakeBucket(t, 10, 2, { busyShare: 0.5 });
    const highs = Array.from({ length: 12 }, () => track(bucket.take()));
    const low = track(bucket.take(undefined, 'low'));
    // 2 at once, then 10 more at 10 per second: all by 1 s.
    for (let i = 0; i < 10; i++) await advance(100);
    assert.ok(highs.every((h) => h.state === 'resolved'));
    assert.equal(low.state, 'pending', 'the count is near 8, above 0.5 * 10');
    // Decayed below 5 within ln(7.4 / 5) s, under 400 ms (the token is there by then).
    for (let i = 0; i < 4; i++) await advance(100);
    assert.equal(low.state, 'resolved');
  });

  it('without busyShare a low take goes as soon as tokens are above the reserve (as before)', async (t) => {
    const { bucket } = fakeBucket(t, 100, 100, { reserve: 25 });
    for (let i = 0; i < 60; i++) await bucket.take();
    const low = track(bucket.take(undefined, 'low'));
    await flush();
    assert.equal(low.state, 'resolved');
  });
});
