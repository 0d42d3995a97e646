import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Expectations } from './expectations.js';

/** Expectations with a TTL of 1000 ms on a manual clock. */
function withClock(ttlMs = 1_000): { exp: Expectations; clock: { now: number } } {
  const clock = { now: 50_000 };
  return { exp: new Expectations(ttlMs, () => clock.now), clock };
}

describe('Expectations', () => {
  it('has nothing pending for an unknown owner', () => {
    assert.equal(new Expectations().pending('uid'), false);
  });

  it('is pending after expect() until the name is observed', () => {
    const { exp } = withClock();
    exp.expect('uid', 'exec-1');
    assert.equal(exp.pending('uid'), true);
    exp.observe('uid', 'exec-1');
    assert.equal(exp.pending('uid'), false);
  });

  it('stays pending while any expected name is unobserved', () => {
    const { exp } = withClock();
    exp.expect('uid', 'exec-1');
    exp.expect('uid', 'exec-2');
    exp.observe('uid', 'exec-1');
    assert.equal(exp.pending('uid'), true);
    exp.observe('uid', 'exec-2');
    assert.equal(exp.pending('uid'), false);
  });

  it('keeps owners apart', () => {
    const { exp } = withClock();
    exp.expect('uid-a', 'exec');
    assert.equal(exp.pending('uid-b'), false);
    exp.observe('uid-b', 'exec');
    assert.equal(exp.pending('uid-a'), true, 'observing the same name for another owner does not count');
  });

  it('ignores observations of names that were not expected', () => {
    const { exp } = withClock();
    exp.observe('uid', 'never-expected');
    assert.equal(exp.pending('uid'), false);
    exp.expect('uid', 'exec');
    exp.observe('uid', 'other');
    assert.equal(exp.pending('uid'), true);
  });

  const expiry: { after: number; pending: boolean }[] = [
    { after: 0, pending: true },
    { after: 999, pending: true },
    { after: 1_000, pending: false },
    { after: 5_000, pending: false },
  ];
  for (const { after, pending } of expiry) {
    it(`with a TTL of 1000 ms, ${after} ms after expect() pending is ${pending}`, () => {
      const { exp, clock } = withClock(1_000);
      exp.expect('uid', 'exec');
      clock.now += after;
      assert.equal(exp.pending('uid'), pending);
    });
  }

  it('expires each name on its own deadline', () => {
    const { exp, clock } = withClock(1_000);
    exp.expect('uid', 'first');
    clock.now += 600;
    exp.expect('uid', 'second');
    clock.now += 500; // first expired, second has 100 ms left
    assert.equal(exp.pending('uid'), true);
    exp.observe('uid', 'second');
    assert.equal(exp.pending('uid'), false);
  });

  it('restarts the deadline when a name is expected again', () => {
    const { exp, clock } = withClock(1_000);
    exp.expect('uid', 'exec');
    clock.now += 800;
    exp.expect('uid', 'exec');
    clock.now += 800;
    assert.equal(exp.pending('uid'), true);
    clock.now += 200;
    assert.equal(exp.pending('uid'), false);
  });

  it('can expect again after an expectation expired', () => {
    const { exp, clock } = withClock(1_000);
    exp.expect('uid', 'exec');
    clock.now += 2_000;
    assert.equal(exp.pending('uid'), false);
    exp.expect('uid', 'exec');
    assert.equal(exp.pending('uid'), true);
  });

  it('defaults to a 30 s TTL', (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
    const exp = new Expectations();
    exp.expect('uid', 'exec');
    t.mock.timers.tick(29_999);
    assert.equal(exp.pending('uid'), true);
    t.mock.timers.tick(1);
    assert.equal(exp.pending('uid'), false);
  });
});
