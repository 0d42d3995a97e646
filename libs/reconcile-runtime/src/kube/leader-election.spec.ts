import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { microTime } from './leader-election.js';
import { flush } from '../testing/fake-clock.js';
import { election } from '../testing/lease-election.js';

const at = (ms: number) => microTime(new Date(ms));

describe('LeaderElector: acquiring', () => {
  it('creates the lease when there is none and leads at once', async () => {
    const { clock, candidate, lease } = election();
    const t0 = clock.now();
    const me = candidate('me');
    await flush();
    assert.equal(me.elector.isLeader, true);
    assert.deepEqual(me.seen, ['started']);
    assert.deepEqual(lease()?.spec, {
      holderIdentity: 'me',
      leaseDurationSeconds: 15,
      renewTime: at(t0),
      acquireTime: at(t0),
      leaseTransitions: 0,
    });
    await me.elector.stop();
  });

  it('takes a released lease (no holder) at once, counting a transition', async () => {
    const { clock, candidate, lease, putLease } = election();
    putLease({ holderIdentity: '', leaseDurationSeconds: 1, leaseTransitions: 3, renewTime: at(0), acquireTime: at(0) });
    const me = candidate('me');
    await flush();
    assert.equal(me.elector.isLeader, true);
    assert.equal(lease()?.spec?.holderIdentity, 'me');
    assert.equal(lease()?.spec?.leaseTransitions, 4);
    assert.equal(lease()?.spec?.acquireTime, at(clock.now()));
    await me.elector.stop();
  });

  it('does not take a lease another holds while its holder renews it', async () => {
    const { clock, server, candidate, putLease } = election();
    putLease({ holderIdentity: 'other', leaseDurationSeconds: 15, renewTime: at(clock.now()) });
    const me = candidate('me');
    for (let i = 0; i < 30; i++) {
      await clock.advance(2_000);
      putLease({ holderIdentity: 'other', leaseDurationSeconds: 15, renewTime: at(clock.now()) });
    }
    assert.equal(me.elector.isLeader, false);
    assert.deepEqual(me.seen, []);
    assert.deepEqual(server.writes(), [], 'it never wrote the lease');
    await me.elector.stop();
  });

  it('takes an expired lease: unchanged for the lease duration by its own clock, whatever the renewTime says', async () => {
    const { clock, candidate, lease, putLease } = election();
    // Written by a machine whose clock is far behind: judged by when we saw it, not by this time.
    putLease({ holderIdentity: 'gone', leaseDurationSeconds: 15, renewTime: at(0), leaseTransitions: 1 });
    const me = candidate('me');
    const t0 = clock.now();
    await clock.advance(14_000);
    assert.equal(me.elector.isLeader, false, 'seen unchanged for 14 s of 15');
    assert.equal(lease()?.spec?.holderIdentity, 'gone');
    await clock.advance(2_000);
    assert.equal(me.elector.isLeader, true, 'taken at the first attempt past 15 s');
    assert.deepEqual(me.seen, ['started']);
    assert.equal(lease()?.spec?.holderIdentity, 'me');
    assert.equal(lease()?.spec?.leaseTransitions, 2);
    assert.equal(lease()?.spec?.acquireTime, at(t0 + 16_000));
    await me.elector.stop();
  });

  it('lets one of two candidates win, also when both find no lease at the same moment', async () => {
    const { clock, candidate, lease } = election();
    const a = candidate('a');
    const b = candidate('b');
    await clock.advance(10_000);
    assert.deepEqual([a.elector.isLeader, b.elector.isLeader], [true, false]);
    assert.deepEqual(b.seen, []);
    assert.equal(lease()?.spec?.holderIdentity, 'a');
    await Promise.all([a.elector.stop(), b.elector.stop()]);
  });

  it('loses the race when the lease changes between its read and its write (409)', async () => {
    const { clock, server, candidate, lease, putLease } = election();
    putLease({ holderIdentity: '', leaseDurationSeconds: 1 });
    const held = server.holdNext('replace');
    const me = candidate('me');
    await held.reached;
    putLease({ holderIdentity: 'quicker', leaseDurationSeconds: 15, renewTime: at(clock.now()) });
    held.release();
    await flush();
    assert.equal(me.elector.isLeader, false);
    assert.equal(lease()?.spec?.holderIdentity, 'quicker');
    await me.elector.stop();
  });
});
