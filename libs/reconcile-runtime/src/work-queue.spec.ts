import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue } from './work-queue.js';

/** Whether a promise has settled once pending microtasks and I/O callbacks have run. */
async function isSettled(p: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void p.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise<void>((resolve) => setImmediate(resolve));
  return settled;
}

/** A queue on a manual clock. */
function queueWithClock(start = 1_000): { queue: WorkQueue; clock: { now: number } } {
  const clock = { now: start };
  return { queue: new WorkQueue({ now: () => clock.now }), clock };
}

describe('WorkQueue', () => {
  describe('de-duplication', () => {
    it('stores a key added many times once', async () => {
      const queue = new WorkQueue();
      for (let i = 0; i < 5; i++) queue.add('a');
      assert.deepEqual(queue.stats(), { depth: 1, processing: 0, waitingForRetry: 0 });
      assert.equal(await queue.get(), 'a');
      assert.deepEqual(queue.stats(), { depth: 0, processing: 1, waitingForRetry: 0 });
      assert.equal(await isSettled(queue.get()), false, 'no second copy of "a" is queued');
    });

    it('keeps distinct keys in FIFO order', async () => {
      const queue = new WorkQueue();
      for (const k of ['a', 'b', 'a', 'c', 'b']) queue.add(k);
      assert.equal(queue.stats().depth, 3);
      assert.deepEqual([await queue.get(), await queue.get(), await queue.get()], ['a', 'b', 'c']);
    });

    it('hands a key straight to a worker already waiting', async () => {
      const queue = new WorkQueue();
      const waiting = queue.get();
      assert.equal(await isSettled(waiting), false);
      queue.add('a');
      assert.equal(await waiting, 'a');
      assert.deepEqual(queue.stats(), { depth: 0, processing: 1, waitingForRetry: 0 });
    });
  });

  describe('keys being processed', () => {
    it('does not hand a key being processed to a second get()', async () => {
      const queue = new WorkQueue();
      queue.add('a');
      assert.equal(await queue.get(), 'a');
      queue.add('a');
      const second = queue.get();
      assert.equal(await isSettled(second), false);
      assert.equal(queue.stats().depth, 0);
      queue.add('b');
      assert.equal(await second, 'b', 'other keys are still handed out');
    });

    it('re-queues a key added during processing exactly once after done()', async () => {
      const queue = new WorkQueue();
      queue.add('a');
      assert.equal(await queue.get(), 'a');
      queue.add('a');
      queue.add('a');
      queue.add('a');
      assert.equal(queue.stats().depth, 0, 'not queued while processing');
      queue.done('a');
      assert.deepEqual(queue.stats(), { depth: 1, processing: 0, waitingForRetry: 0 });
      assert.equal(await queue.get(), 'a');
      queue.done('a');
      assert.deepEqual(queue.stats(), { depth: 0, processing: 0, waitingForRetry: 0 });
      assert.equal(await isSettled(queue.get()), false, 'no further copy of "a"');
    });

    it('hands the re-queued key to a worker waiting at done()', async () => {
      const queue = new WorkQueue();
      queue.add('a');
      assert.equal(await queue.get(), 'a');
      const waiting = queue.get();
      queue.add('a');
      assert.equal(await isSettled(waiting), false);
      queue.done('a');
      assert.equal(await waiting, 'a');
    });

    it('does not re-queue a key that was not added during processing', async () => {
      const queue = new WorkQueue();
      queue.add('a');
      assert.equal(await queue.get(), 'a');
      queue.done('a');
      assert.deepEqual(queue.stats(), { depth: 0, processing: 0, waitingForRetry: 0 });
    });
  });

  describe('shutDown and drained', () => {
    it('resolves waiting get() calls with undefined', async () => {
      const queue = new WorkQueue();
      const a = queue.get();
      const b = queue.get();
      assert.equal(await isSettled(a), false);
      queue.shutDown();
      assert.deepEqual(await Promise.all([a, b]), [undefined, undefined]);
      assert.equal(queue.isShuttingDown, true);
    });

    it('ignores adds and answers get() with undefined afterwards', async () => {
      const queue = new WorkQueue();
      queue.add('queued');
      queue.shutDown();
      queue.add('a');
      queue.addAfter('b', 10);
      queue.addRateLimited('c');
      assert.deepEqual(queue.stats(), { depth: 0, processing: 0, waitingForRetry: 0 });
      assert.equal(await queue.get(), undefined);
    });

    it('drops pending delayed adds', (t) => {
      t.mock.timers.enable({ apis: ['setTimeout'] });
      const queue = new WorkQueue();
      queue.addAfter('a', 100);
      queue.shutDown();
      assert.equal(queue.stats().waitingForRetry, 0);
      t.mock.timers.tick(200);
      assert.equal(queue.stats().depth, 0);
    });

    it('does not re-queue a key added during processing once shut down', async () => {
      const queue = new WorkQueue();
      queue.add('a');
      assert.equal(await queue.get(), 'a');
      queue.add('a');
      queue.shutDown();
      queue.done('a');
      assert.deepEqual(queue.stats(), { depth: 0, processing: 0, waitingForRetry: 0 });
    });

    it('drained() resolves at once when nothing is in flight', async () => {
      const queue = new WorkQueue();
      assert.equal(await isSettled(queue.drained()), true);
    });

    it('drained() resolves only after the in-flight keys are done', async () => {
      const queue = new WorkQueue();
      queue.add('a');
      queue.add('b');
      assert.equal(await queue.get(), 'a');
      assert.equal(await queue.get(), 'b');
      queue.shutDown();
      const drained = queue.drained();
      assert.equal(await isSettled(drained), false);
      queue.done('a');
      assert.equal(await isSettled(drained), false, 'b is still in flight');
      queue.done('b');
      assert.equal(await isSettled(drained), true);
    });
  });

  describe('onDequeue', () => {
    it('receives how long the key waited in the queue', async () => {
      const { queue, clock } = queueWithClock(10_000);
      const seen: [string, number][] = [];
      queue.onDequeue = (key, waited) => seen.push([key, waited]);
      queue.add('a');
      clock.now += 250;
      queue.add('b');
      clock.now += 50;
      assert.equal(await queue.get(), 'a');
      assert.equal(await queue.get(), 'b');
      assert.deepEqual(seen, [
        ['a', 300],
        ['b', 50],
      ]);
    });

    it('measures from the first add, not from duplicates', async () => {
      const { queue, clock } = queueWithClock();
      const seen: number[] = [];
      queue.onDequeue = (_key, waited) => seen.push(waited);
      queue.add('a');
      clock.now += 100;
      queue.add('a');
      clock.now += 20;
      assert.equal(await queue.get(), 'a');
      assert.deepEqual(seen, [120]);
    });

    it('reports 0 when a waiting worker takes the key at once', async () => {
      const { queue } = queueWithClock();
      const seen: number[] = [];
      queue.onDequeue = (_key, waited) => seen.push(waited);
      const waiting = queue.get();
      queue.add('a');
      assert.equal(await waiting, 'a');
      assert.deepEqual(seen, [0]);
    });
  });
});
