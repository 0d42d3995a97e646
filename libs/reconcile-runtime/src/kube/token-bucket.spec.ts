import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBucket } from './token-bucket.js';
import { fakeBucket, flush, track } from './token-bucket.fixtures.js';

describe('TokenBucket', () => {
  const bursts: { qps: number; burst: number }[] = [
    { qps: 1, burst: 1 },
    { qps: 10, burst: 5 },
    { qps: 50, burst: 100 },
  ];
  for (const { qps, burst } of bursts) {
    it(`lets a burst of ${burst} through at once (qps ${qps}) and holds the next`, async (t) => {
      const { bucket } = fakeBucket(t, qps, burst);
      const burstTakes = Array.from({ length: burst }, () => track(bucket.take()));
      const next = track(bucket.take());
      await flush();
      assert.ok(
        burstTakes.every((s) => s.state === 'resolved'),
        'every take within the burst resolves without time passing',
      );
      assert.equal(next.state, 'pending');
    });
  }

  it('paces takes beyond the burst at qps', async (t) => {
    const { bucket, advance } = fakeBucket(t, 10, 2);
    const takes = Array.from({ length: 5 }, () => track(bucket.take()));
    await flush();
    assert.deepEqual(
      takes.map((s) => s.state),
      ['resolved', 'resolved', 'pending', 'pending', 'pending'],
    );
    // One token per 100 ms at 10 qps.
    await advance(99);
    assert.equal(takes[2]?.state, 'pending');
    await advance(1);
    assert.deepEqual(
      takes.map((s) => s.state),
      ['resolved', 'resolved', 'resolved', 'pending', 'pending'],
    );
    await advance(100);
    assert.equal(takes[3]?.state, 'resolved');
    assert.equal(takes[4]?.state, 'pending');
    await advance(100);
    assert.equal(takes[4]?.state, 'resolved');
  });

  it('refills while idle, but never beyond the burst', async (t) => {
    const { bucket, advance } = fakeBucket(t, 10, 3);
    for (let i = 0; i < 3; i++) await bucket.take();
    await advance(10_000); // far more than needed to refill 3 tokens
    const takes = Array.from({ length: 4 }, () => track(bucket.take()));
    await flush();
    assert.deepEqual(
      takes.map((s) => s.state),
      ['resolved', 'resolved', 'resolved', 'pending'],
    );
    await advance(100);
    assert.equal(takes[3]?.state, 'resolved');
  });

  it('serves waiting high-priority takers before waiting low-priority ones', async (t) => {
    const { bucket, advance } = fakeBucket(t, 10, 1);
    await bucket.take();
    const low1 = track(bucket.take(undefined, 'low'));
    const low2 = track(bucket.take(undefined, 'low'));
    const high = track(bucket.take(undefined, 'high'));
    assert.deepEqual(bucket.waiting(), { high: 1, low: 2 });
    await advance(100);
    assert.deepEqual([high.state, low1.state, low2.state], ['resolved', 'pending', 'pending']);
    await advance(100);
    assert.deepEqual([low1.state, low2.state], ['resolved', 'pending'], 'low takers keep their order');
    await advance(100);
    assert.equal(low2.state, 'resolved');
  });

  it('does not let a low-priority take jump a waiting high-priority one', async (t) => {
    const { bucket, advance } = fakeBucket(t, 10, 1);
    await bucket.take();
    const high = track(bucket.take());
    await advance(100);
    assert.equal(high.state, 'resolved');
    const high2 = track(bucket.take());
    const low = track(bucket.take(undefined, 'low'));
    await advance(100);
    assert.deepEqual([high2.state, low.state], ['resolved', 'pending']);
    await advance(100);
    assert.equal(low.state, 'resolved');
  });

  it('keeps a reserve for high-priority takes: a low one waits until the bucket holds more than it', async (t) => {
    const { bucket, advance } = fakeBucket(t, 10, 10, { reserve: 4 });
    for (let i = 0; i < 6; i++) await bucket.take();
    const low = track(bucket.take(undefined, 'low'));
    await flush();
    assert.equal(low.state, 'pending', '4 tokens left: all of them reserved');
    // A high take still gets one of the reserved tokens at once.
    assert.equal(track(bucket.take()).state, 'pending');
    await flush();
    assert.equal(bucket.waiting().high, 0);
    await advance(100); // 4 tokens again
    assert.equal(low.state, 'pending');
    await advance(100); // 5: one above the reserve
    assert.equal(low.state, 'resolved');
  });

  it('while high-priority takes use every token, low ones wait for the burst to end', async (t) => {
    const { bucket, advance } = fakeBucket(t, 10, 4, { reserve: 2 });
    const highs = Array.from({ length: 10 }, () => track(bucket.take()));
    const low = track(bucket.take(undefined, 'low'));
    await flush();
    for (let step = 0; step < 6; step++) {
      await advance(100);
      assert.equal(low.state, 'pending', `still pending at ${(step + 1) * 100} ms`);
    }
    assert.ok(highs.every((h) => h.state === 'resolved'));
    await advance(300); // the bucket refills past the reserve
    assert.equal(low.state, 'resolved');
  });

  it('serves a low-priority take that waited maxWaitMs like a high one', async (t) => {
    const { bucket, advance } = fakeBucket(t, 10, 2, { reserve: 1, maxWaitMs: 1000 });
    await bucket.take();
    await bucket.take();
    const low = track(bucket.take(undefined, 'low'));
    const highs = Array.from({ length: 30 }, () => track(bucket.take()));
    await advance(900);
    assert.equal(low.state, 'pending');
    await advance(100);
    await advance(100);
    assert.equal(low.state, 'resolved', 'aged: served before the highs still waiting');
    assert.ok(highs.some((h) => h.state === 'pending'));
  });

  it('serves takers in order', async (t) => {
    const { bucket, advance } = fakeBucket(t, 10, 1);
    const order: number[] = [];
    const all = [1, 2, 3, 4].map((n) => bucket.take().then(() => order.push(n)));
    await advance(100);
    await advance(100);
    await advance(100);
    await Promise.all(all);
    assert.deepEqual(order, [1, 2, 3, 4]);
  });

  it('rejects a waiting take when its signal aborts, with the abort reason', async (t) => {
    const { bucket } = fakeBucket(t, 1, 1);
    await bucket.take();
    const ac = new AbortController();
    const waiting = bucket.take(ac.signal);
    await flush();
    const reason = new Error('stopping');
    ac.abort(reason);
    await assert.rejects(waiting, (err) => err === reason);
  });

  it('rejects with an Error when the abort reason is not one', async (t) => {
    const { bucket } = fakeBucket(t, 1, 1);
    await bucket.take();
    const ac = new AbortController();
    const waiting = bucket.take(ac.signal);
    await flush();
    ac.abort('not an error');
    await assert.rejects(waiting, (err) => err instanceof Error);
  });

  it('an aborted take does not block or cost the takers after it', async (t) => {
    const { bucket, advance } = fakeBucket(t, 1, 1);
    await bucket.take(); // the bucket is now empty; a token takes 1000 ms
    const ac = new AbortController();
    const aborted = track(bucket.take(ac.signal));
    const later = track(bucket.take());
    await advance(500);
    ac.abort();
    await flush();
    assert.equal(aborted.state, 'rejected');
    assert.equal(later.state, 'pending');
    // The aborted take used no token, so the next one only waits for the rest of the first token.
    await advance(499);
    assert.equal(later.state, 'pending');
    await advance(1);
    assert.equal(later.state, 'resolved');
  });

  it('rejects a take whose signal aborted while it was queued, without using a token', async (t) => {
    const { bucket, advance } = fakeBucket(t, 1, 1);
    await bucket.take();
    const first = track(bucket.take()); // waits 1000 ms
    const ac = new AbortController();
    const queued = track(bucket.take(ac.signal)); // behind `first`
    const last = track(bucket.take());
    await advance(100);
    ac.abort();
    await advance(900);
    assert.equal(first.state, 'resolved');
    assert.equal(queued.state, 'rejected');
    assert.equal(last.state, 'pending');
    await advance(1_000);
    assert.equal(last.state, 'resolved', 'the aborted take did not consume the next token');
  });

  it('rejects a take whose signal is already aborted, even with tokens left', async (t) => {
    const { bucket } = fakeBucket(t, 1, 2);
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(bucket.take(ac.signal));
    // Both tokens are still there.
    const takes = [track(bucket.take()), track(bucket.take())];
    await flush();
    assert.deepEqual(
      takes.map((s) => s.state),
      ['resolved', 'resolved'],
    );
  });

  it('removes its abort listener once the wait is over', async (t) => {
    const { bucket, advance } = fakeBucket(t, 10, 1);
    await bucket.take();
    const { signal } = new AbortController();
    const added = t.mock.method(signal, 'addEventListener');
    const removed = t.mock.method(signal, 'removeEventListener');
    const waits = [track(bucket.take(signal)), track(bucket.take(signal)), track(bucket.take(signal))];
    await advance(100);
    await advance(100);
    await advance(100);
    assert.ok(waits.every((s) => s.state === 'resolved'));
    assert.equal(added.mock.callCount(), 3);
    assert.equal(removed.mock.callCount(), 3, 'a long-lived signal does not collect listeners');
  });

  it('paces real time at qps (small real timings)', async () => {
    const bucket = new TokenBucket(200, 2); // 5 ms per token after a burst of 2
    const start = performance.now();
    for (let i = 0; i < 2; i++) await bucket.take();
    for (let i = 0; i < 4; i++) await bucket.take();
    const total = performance.now() - start;
    // 4 tokens at 5 ms each: at least ~20 ms (timers may fire up to 1 ms early per wait).
    assert.ok(total >= 16, `4 paced takes took only ${total} ms`);
  });
});
