import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Clock, TimerHandle } from '@tofu-operator/reconcile-runtime';
import { DeliveryQueue, type AttemptOutcome, type Delivery, type DeliveryResult } from './delivery-queue.js';

/** A manual clock: timers fire only in advance(). */
class ManualClock implements Clock {
  t = 0;
  timers: { at: number; fn: () => void; unref: () => unknown }[] = [];
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number): TimerHandle => {
    const timer = { at: this.t + ms, fn, unref: () => timer };
    this.timers.push(timer);
    return timer;
  };
  clearTimeout = (h: TimerHandle) => {
    this.timers = this.timers.filter((t) => t !== h);
  };
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await settle();
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.t = due.at;
      due.fn();
    }
    this.t = end;
    await settle();
  }
}
const settle = () => new Promise<void>((r) => setImmediate(r));

/** A delivery whose attempts answer from a script; it records when each attempt was made. */
function scripted(clock: ManualClock, outcomes: AttemptOutcome[]) {
  const d = { attemptsAt: [] as number[], result: undefined as DeliveryResult | undefined, problem: undefined as string | undefined };
  const delivery: Delivery = {
    attempt: () => {
      d.attemptsAt.push(clock.now());
      return Promise.resolve(outcomes.shift() ?? { outcome: 'sent' });
    },
    settled: (result, problem) => {
      assert.equal(d.result, undefined, 'settled twice');
      d.result = result;
      d.problem = problem;
    },
  };
  return { d, delivery };
}

const retry = (problem = 'h answered 500'): AttemptOutcome => ({ outcome: 'retry', problem });
const options = (clock: ManualClock, capacity = 10) => ({ capacity, concurrency: 2, retryDelaysMs: [1_000, 4_000, 16_000, 64_000], clock });

describe('DeliveryQueue', () => {
  it('sends at once', async () => {
    const clock = new ManualClock();
    const q = new DeliveryQueue(options(clock));
    const { d, delivery } = scripted(clock, []);
    q.push(delivery);
    await clock.advance(0);
    assert.deepEqual(d.attemptsAt, [0]);
    assert.equal(d.result, 'sent');
    assert.equal(q.size, 0);
  });

  it('retries with 1 s, 4 s backoff and succeeds on the third try', async () => {
    const clock = new ManualClock();
    const q = new DeliveryQueue(options(clock));
    const { d, delivery } = scripted(clock, [retry(), retry()]);
    q.push(delivery);
    await clock.advance(60_000);
    assert.deepEqual(d.attemptsAt, [0, 1_000, 5_000]);
    assert.equal(d.result, 'sent');
  });

  it('gives up after five attempts (1, 4, 16, 64 s apart) with the last problem', async () => {
    const clock = new ManualClock();
    const q = new DeliveryQueue(options(clock));
    const { d, delivery } = scripted(clock, [retry(), retry(), retry(), retry(), retry('h answered 503')]);
    q.push(delivery);
    await clock.advance(200_000);
    assert.deepEqual(d.attemptsAt, [0, 1_000, 5_000, 21_000, 85_000]);
    assert.equal(d.result, 'failed');
    assert.equal(d.problem, 'h answered 503 (after 5 attempts)');
  });

  it('does not retry a failure for good', async () => {
    const clock = new ManualClock();
    const q = new DeliveryQueue(options(clock));
    const { d, delivery } = scripted(clock, [{ outcome: 'failed', problem: 'refused' }]);
    q.push(delivery);
    await clock.advance(100_000);
    assert.deepEqual(d.attemptsAt, [0]);
    assert.equal(d.result, 'failed');
    assert.equal(d.problem, 'refused');
  });

  it('treats a throwing attempt as failed', async () => {
    const clock = new ManualClock();
    const q = new DeliveryQueue(options(clock));
    let result: string | undefined;
    q.push({ attempt: () => Promise.reject(new Error('bug')), settled: (r, p) => (result = `${r}: ${p}`) });
    await clock.advance(0);
    assert.equal(result, 'failed: bug');
  });

  it('runs at most `concurrency` attempts at once; a delivery in backoff does not hold a slot', async () => {
    const clock = new ManualClock();
    const q = new DeliveryQueue(options(clock));
    let running = 0;
    let most = 0;
    const releases: (() => void)[] = [];
    const slow = (): Delivery => ({
      attempt: () =>
        new Promise((resolve) => {
          running++;
          most = Math.max(most, running);
          releases.push(() => {
            running--;
            resolve({ outcome: 'sent' });
          });
        }),
      settled: () => undefined,
    });
    const backing = scripted(clock, [retry()]);
    q.push(backing.delivery);
    for (let i = 0; i < 5; i++) q.push(slow());
    await clock.advance(0);
    assert.equal(running, 2);
    while (releases.length) {
      releases.shift()?.();
      await clock.advance(0);
    }
    await clock.advance(2_000);
    while (releases.length) {
      releases.shift()?.();
      await clock.advance(0);
    }
    assert.equal(most, 2);
    assert.equal(backing.d.result, 'sent');
    assert.equal(q.size, 0);
  });

  it('drops the oldest waiting delivery when full', async () => {
    const clock = new ManualClock();
    const q = new DeliveryQueue({ ...options(clock, 2), concurrency: 1 });
    const hold: (() => void)[] = [];
    q.push({ attempt: () => new Promise((r) => hold.push(() => r({ outcome: 'sent' }))), settled: () => undefined });
    const a = scripted(clock, []);
    const b = scripted(clock, []);
    const c = scripted(clock, []);
    q.push(a.delivery);
    q.push(b.delivery);
    q.push(c.delivery);
    assert.equal(a.d.result, 'dropped');
    assert.match(a.d.problem ?? '', /queue was full \(2\)/);
    hold.shift()?.();
    await clock.advance(0);
    assert.equal(b.d.result, 'sent');
    assert.equal(c.d.result, 'sent');
  });

  it('stop drops what waits, including retries', async () => {
    const clock = new ManualClock();
    const q = new DeliveryQueue(options(clock));
    const a = scripted(clock, [retry()]);
    q.push(a.delivery);
    await clock.advance(0);
    q.stop();
    assert.equal(a.d.result, 'dropped');
    assert.equal(clock.timers.length, 0);
    const b = scripted(clock, []);
    q.push(b.delivery);
    assert.equal(b.d.result, 'dropped');
  });
});
