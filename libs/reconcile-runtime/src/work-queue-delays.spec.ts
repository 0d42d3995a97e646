import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue } from './work-queue.js';

/** A queue on a manual clock. */
function queueWithClock(start = 1_000): { queue: WorkQueue; clock: { now: number } } {
  const clock = { now: start };
  return { queue: new WorkQueue({ now: () => clock.now }), clock };
}

describe('WorkQueue delays', () => {
  describe('rate limiting', () => {
    const table: { failures: number; delay: number }[] = [
      { failures: 0, delay: 5 },
      { failures: 1, delay: 10 },
      { failures: 2, delay: 20 },
      { failures: 3, delay: 40 },
      { failures: 10, delay: 5_120 },
      { failures: 17, delay: 655_360 },
      { failures: 18, delay: 1_000_000 },
      { failures: 40, delay: 1_000_000 },
      { failures: 1_000, delay: 1_000_000 },
    ];
    for (const { failures, delay } of table) {
      it(`backoffFor(${failures}) is ${delay} ms`, () => {
        assert.equal(new WorkQueue().backoffFor(failures), delay);
      });
    }

    it('doubles from one failure to the next until the cap', () => {
      const queue = new WorkQueue();
      for (let n = 0; n < 60; n++) {
        const cur = queue.backoffFor(n);
        const next = queue.backoffFor(n + 1);
        assert.equal(next, Math.min(cur * 2, 1_000_000), `failures ${n} -> ${n + 1}`);
      }
    });

    it('honours custom base and max delays', () => {
      const queue = new WorkQueue({ baseDelayMs: 100, maxDelayMs: 1_000 });
      assert.deepEqual(
        [0, 1, 2, 3, 4, 5].map((n) => queue.backoffFor(n)),
        [100, 200, 400, 800, 1_000, 1_000],
      );
    });

    it('addRateLimited counts failures and adds the key after its backoff', async (t) => {
      t.mock.timers.enable({ apis: ['setTimeout'] });
      const queue = new WorkQueue();
      assert.equal(queue.numRequeues('a'), 0);
      queue.addRateLimited('a');
      assert.equal(queue.numRequeues('a'), 1);
      assert.deepEqual(queue.stats(), { depth: 0, processing: 0, waitingForRetry: 1 });
      t.mock.timers.tick(4);
      assert.equal(queue.stats().depth, 0, 'not before 5 ms');
      t.mock.timers.tick(1);
      assert.deepEqual(queue.stats(), { depth: 1, processing: 0, waitingForRetry: 0 });
      assert.equal(await queue.get(), 'a');
      queue.done('a');

      queue.addRateLimited('a');
      assert.equal(queue.numRequeues('a'), 2);
      t.mock.timers.tick(9);
      assert.equal(queue.stats().depth, 0, 'second failure waits 10 ms');
      t.mock.timers.tick(1);
      assert.equal(queue.stats().depth, 1);
    });

    it('forget() resets the failure count and so the backoff', () => {
      const queue = new WorkQueue();
      queue.addRateLimited('a');
      queue.addRateLimited('a');
      queue.addRateLimited('a');
      queue.addRateLimited('b');
      assert.equal(queue.numRequeues('a'), 3);
      assert.equal(queue.backoffFor(queue.numRequeues('a')), 40);
      queue.forget('a');
      assert.equal(queue.numRequeues('a'), 0);
      assert.equal(queue.backoffFor(queue.numRequeues('a')), 5);
      assert.equal(queue.numRequeues('b'), 1, 'other keys keep their count');
      queue.shutDown();
    });
  });

  describe('addAfter', () => {
    it('adds the key once the delay has passed', (t) => {
      t.mock.timers.enable({ apis: ['setTimeout'] });
      const { queue, clock } = queueWithClock();
      queue.addAfter('a', 100);
      assert.deepEqual(queue.stats(), { depth: 0, processing: 0, waitingForRetry: 1 });
      clock.now += 99;
      t.mock.timers.tick(99);
      assert.equal(queue.stats().depth, 0);
      clock.now += 1;
      t.mock.timers.tick(1);
      assert.deepEqual(queue.stats(), { depth: 1, processing: 0, waitingForRetry: 0 });
    });

    it('keeps the earlier pending deadline when a later one is requested', (t) => {
      t.mock.timers.enable({ apis: ['setTimeout'] });
      const { queue, clock } = queueWithClock();
      queue.addAfter('a', 100);
      clock.now += 10;
      t.mock.timers.tick(10);
      queue.addAfter('a', 500);
      assert.equal(queue.stats().waitingForRetry, 1);
      clock.now += 90;
      t.mock.timers.tick(90);
      assert.equal(queue.stats().depth, 1, 'added at the first deadline');
      clock.now += 1_000;
      t.mock.timers.tick(1_000);
      assert.deepEqual(queue.stats(), { depth: 1, processing: 0, waitingForRetry: 0 }, 'and only once');
    });

    it('replaces a pending deadline by an earlier one', (t) => {
      t.mock.timers.enable({ apis: ['setTimeout'] });
      const { queue, clock } = queueWithClock();
      queue.addAfter('a', 500);
      queue.addAfter('a', 50);
      assert.equal(queue.stats().waitingForRetry, 1);
      clock.now += 50;
      t.mock.timers.tick(50);
      assert.equal(queue.stats().depth, 1);
      clock.now += 1_000;
      t.mock.timers.tick(1_000);
      assert.deepEqual(queue.stats(), { depth: 1, processing: 0, waitingForRetry: 0 }, 'the later timer was cancelled');
    });

    for (const delay of [0, -5]) {
      it(`adds immediately for a delay of ${delay}`, () => {
        const queue = new WorkQueue();
        queue.addAfter('a', delay);
        assert.deepEqual(queue.stats(), { depth: 1, processing: 0, waitingForRetry: 0 });
      });
    }
  });
});
