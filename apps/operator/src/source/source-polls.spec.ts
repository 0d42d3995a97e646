import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SourceTarget } from './source-key.js';
import { MAX_CONCURRENT_POLLS, SourcePolls, type PollOutcome } from './source-polls.js';
import type { SourceSubscriber } from './source-view.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const mod = (name: string, namespace = 'ns'): SourceSubscriber => ({ kind: 'TofuModule', namespace, name });
const src = (repository = 'git://h/r', revision = 'main') => ({ repository, revision });

/** SourcePolls with a fake clock and a fake git whose answers the test sets. */
function harness() {
  const h = {
    now: 1_000_000,
    answer: { commit: A } as PollOutcome,
    calls: [] as SourceTarget[],
    pending: [] as (() => void)[],
    hold: false,
    changes: [] as string[][],
    polled: [] as boolean[],
  };
  const polls = new SourcePolls({
    now: () => h.now,
    random: () => 0.5,
    polled: (ok) => h.polled.push(ok),
    poll: (target) => {
      h.calls.push(target);
      const answer = h.answer;
      if (!h.hold) return Promise.resolve(answer);
      return new Promise((resolve) => h.pending.push(() => resolve(answer)));
    },
  });
  polls.onChange((subs) => h.changes.push(subs.map((s) => s.name).sort()));
  polls.setLeading(true);
  h.now += 60_000; // past the start-up spread
  const settle = () => new Promise((r) => setImmediate(r));
  /** Moves the clock by `ms`, ticks and lets the polls finish. */
  const advance = async (ms: number) => {
    h.now += ms;
    polls.tick();
    await settle();
  };
  return { h, polls, advance, settle };
}

describe('SourcePolls', () => {
  it('polls a source shared by many owners once per interval, at the shortest interval among them', async () => {
    const { h, polls, advance } = harness();
    for (let i = 0; i < 100; i++) assert.equal(polls.observe(mod(`m${i}`, `ns${i % 7}`), `ns${i % 7}`, src(), 120_000), undefined);
    polls.observe(mod('fast'), 'ns', src(), 60_000);
    assert.equal(polls.size, 1);
    await advance(1_000);
    assert.equal(h.calls.length, 1);
    assert.deepEqual(polls.observe(mod('m0', 'ns0'), 'ns0', src(), 120_000)?.commit, A);
    assert.equal(h.changes.length, 1);
    assert.equal(h.changes[0]?.length, 101);
    await advance(59_000);
    assert.equal(h.calls.length, 1, 'not before the interval');
    await advance(3_001); // interval + jitter (half of 10% with random 0.5)
    assert.equal(h.calls.length, 2);
    assert.equal(h.changes.length, 1, 'same commit: nobody is told');
    h.answer = { commit: B };
    await advance(64_000);
    assert.equal(h.calls.length, 3);
    assert.equal(h.changes.length, 2);
    assert.equal(polls.observe(mod('fast'), 'ns', src(), 60_000)?.commit, B);
  });

  it('follows the shortest interval as subscribers change theirs or leave', async () => {
    const { h, polls, advance } = harness();
    polls.observe(mod('slow'), 'ns', src(), 120_000);
    polls.observe(mod('fast'), 'ns', src(), 60_000);
    await advance(1_000);
    assert.equal(h.calls.length, 1);
    // fast now asks every 5 minutes: the next poll is still the one already due, then every 2 minutes (slow's).
    polls.observe(mod('fast'), 'ns', src(), 300_000);
    await advance(70_000);
    assert.equal(h.calls.length, 2);
    await advance(100_000);
    assert.equal(h.calls.length, 2, 'not at 60 s any more');
    await advance(30_000);
    assert.equal(h.calls.length, 3, 'at 120 s (slow)');
    // slow leaves: only fast's 5 minutes are left.
    polls.forget(mod('slow'));
    await advance(130_000);
    assert.equal(h.calls.length, 4, 'the poll already due');
    await advance(200_000);
    assert.equal(h.calls.length, 4, 'not at 120 s any more');
    await advance(120_000);
    assert.equal(h.calls.length, 5, 'at 300 s (fast)');
    // Re-observing with the same interval counts the subscriber once: leaving makes the source unpolled.
    polls.observe(mod('fast'), 'ns', src(), 300_000);
    polls.forget(mod('fast'));
    assert.equal(polls.size, 0);
  });

  it('does not poll a full commit id, and polls nothing while not leading', async () => {
    const { h, polls, advance } = harness();
    assert.deepEqual(polls.observe(mod('pinned'), 'ns', src('git://h/r', A.toUpperCase()), 60_000), { commit: A });
    assert.equal(polls.size, 0);
    polls.observe(mod('m'), 'ns', src(), 60_000);
    polls.setLeading(false);
    await advance(120_000);
    assert.equal(h.calls.length, 0);
    polls.setLeading(true);
    await advance(30_000);
    assert.equal(h.calls.length, 1, 'polled within the start-up spread');
  });

  it('spreads the first polls after the operator starts leading', async () => {
    const { h, polls, advance } = harness();
    polls.setLeading(false);
    for (let i = 0; i < 20; i++) polls.observe(mod(`m${i}`), 'ns', src(`git://h/r${i}`), 60_000);
    polls.setLeading(true);
    await advance(0);
    assert.equal(h.calls.length, 0, 'nothing at the very start');
    await advance(30_000);
    assert.equal(h.calls.length, 20);
  });

  it('backs off a failing source, keeps the last good commit and tells the owners', async () => {
    const { h, polls, advance } = harness();
    polls.observe(mod('m'), 'ns', src(), 3_600_000);
    await advance(1_000);
    h.answer = { failure: { reason: 'SourceUnreachable', message: 'cannot reach repository git://h/r' } };
    polls.pollNow(mod('m'), 'ns', src());
    await advance(0);
    const failing = polls.observe(mod('m'), 'ns', src(), 3_600_000);
    assert.equal(failing?.commit, A);
    assert.equal(failing?.failure?.reason, 'SourceUnreachable');
    assert.equal(failing?.nextPollTime, new Date(h.now + 10_000).toISOString());
    const since = failing?.failure?.since;
    assert.deepEqual(h.changes, [['m'], ['m']]);
    const times: number[] = [];
    for (let i = 0; i < 8; i++) {
      const before = h.calls.length;
      let waited = 0;
      while (h.calls.length === before) {
        await advance(1_000);
        waited += 1_000;
      }
      times.push(waited);
    }
    assert.deepEqual(times, [10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 600_000, 600_000]);
    assert.equal(polls.observe(mod('m'), 'ns', src(), 3_600_000)?.failure?.since, since, 'since stays the first failure');
    assert.equal(h.changes.length, 2, 'the same failure again tells nobody');
    h.answer = { commit: A };
    await advance(600_000);
    assert.equal(polls.observe(mod('m'), 'ns', src(), 3_600_000)?.failure, undefined);
    assert.equal(h.changes.length, 3, 'recovery is a change');
    assert.deepEqual(h.polled.filter((ok) => !ok).length, 9);
  });

  it('pollNow polls a source nobody polls periodically (pollInterval 0) once, and again after a running poll', async () => {
    const { h, polls, advance } = harness();
    assert.equal(polls.observe(mod('off'), 'ns', src(), 0), undefined);
    await advance(3_600_000);
    assert.equal(h.calls.length, 0);
    polls.pollNow(mod('off'), 'ns', src());
    h.hold = true;
    await advance(0);
    assert.equal(h.calls.length, 1);
    polls.pollNow(mod('off'), 'ns', src()); // a push during the poll
    h.pending.shift()?.();
    await advance(0);
    assert.equal(h.calls.length, 2, 'polled again after the running poll');
    h.pending.shift()?.();
    await advance(0);
    assert.equal(polls.observe(mod('off'), 'ns', src(), 0)?.commit, A);
    await advance(3_600_000);
    assert.equal(h.calls.length, 2, 'no periodic poll');
  });

  it('forgets owners, moves an owner whose source changed, and bounds concurrent polls', async () => {
    const { h, polls, advance } = harness();
    polls.observe(mod('m'), 'ns', src(), 60_000);
    polls.observe(mod('m'), 'ns', src('git://h/other'), 60_000);
    assert.equal(polls.size, 1);
    polls.forget(mod('m'));
    assert.equal(polls.size, 0);
    h.hold = true;
    for (let i = 0; i < 20; i++) polls.observe(mod(`m${i}`), 'ns', src(`git://h/r${i}`), 60_000);
    await advance(2_000);
    assert.equal(polls.inFlight, MAX_CONCURRENT_POLLS);
    for (const release of h.pending.splice(0)) release();
    await advance(0);
    assert.equal(h.calls.length, 2 * MAX_CONCURRENT_POLLS);
  });
});
