import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { microTime } from './leader-election.js';
import { KubeApiError } from './kube-errors.js';
import { flush, track } from '../testing/fake-clock.js';
import { election } from '../testing/lease-election.js';

const at = (ms: number) => microTime(new Date(ms));
const unavailable = () => new KubeApiError('GET', 'lock', 503, { reason: 'ServiceUnavailable', code: 503 });

describe('LeaderElector: leading', () => {
  it('renews every retry period (2 s), keeping acquireTime and the transition count', async () => {
    const { clock, server, candidate, lease } = election();
    const t0 = clock.now();
    const me = candidate('me');
    await flush();
    await clock.advance(1_999);
    assert.equal(lease()?.spec?.renewTime, at(t0));
    await clock.advance(1);
    assert.equal(lease()?.spec?.renewTime, at(t0 + 2_000));
    await clock.advance(4_000);
    assert.deepEqual(lease()?.spec, {
      holderIdentity: 'me',
      leaseDurationSeconds: 15,
      renewTime: at(t0 + 6_000),
      acquireTime: at(t0),
      leaseTransitions: 0,
    });
    assert.deepEqual(
      server.writes().map((w) => w.verb),
      ['create', 'replace', 'replace', 'replace'],
    );
    assert.deepEqual(me.seen, ['started']);
    await me.elector.stop();
  });

  it('keeps leading through failed renewals within the renew deadline (10 s)', async () => {
    const { clock, server, candidate } = election();
    const me = candidate('me');
    await flush();
    server.failures.get.push(unavailable(), unavailable(), unavailable(), unavailable());
    await clock.advance(10_000);
    assert.equal(me.elector.isLeader, true, 'renewed again at 10 s');
    await clock.advance(20_000);
    assert.deepEqual(me.seen, ['started']);
    await me.elector.stop();
  });

  it('steps down when it cannot renew past the renew deadline, and says so once', async () => {
    const { clock, server, candidate, lease } = election();
    const me = candidate('me');
    await flush();
    for (let i = 0; i < 20; i++) server.failures.get.push(unavailable());
    await clock.advance(10_000);
    assert.equal(me.elector.isLeader, true, 'the attempt at 10 s is not past the deadline');
    await clock.advance(2_000);
    assert.equal(me.elector.isLeader, false);
    assert.deepEqual(me.seen, ['started', 'stopped']);
    await clock.advance(10_000);
    assert.deepEqual(me.seen, ['started', 'stopped']);
    // Not leading any more: stop() leaves the lease as it is (it still names this process).
    server.failures.get.length = 0;
    await me.elector.stop();
    assert.equal(lease()?.spec?.holderIdentity, 'me');
  });

  it('steps down when another process took the lease (its renewals conflict)', async () => {
    const { clock, candidate, putLease } = election();
    const me = candidate('me');
    await flush();
    for (let i = 0; i < 8; i++) {
      putLease({ holderIdentity: 'usurper', leaseDurationSeconds: 15, renewTime: at(clock.now()) });
      await clock.advance(2_000);
    }
    assert.deepEqual(me.seen, ['started', 'stopped']);
    assert.equal(me.elector.isLeader, false);
    await me.elector.stop();
  });
});

describe('LeaderElector: stopping', () => {
  it('releases the lease on stop, so a standby takes over at once', async () => {
    const { clock, server, candidate, lease } = election();
    const me = candidate('me');
    await flush();
    const standby = candidate('standby');
    await clock.advance(4_000);
    assert.equal(standby.elector.isLeader, false);
    const stopped = track(me.elector.stop());
    await flush();
    assert.equal(stopped.settled, true, 'stop() does not wait out the retry period');
    assert.equal(me.elector.isLeader, false);
    assert.equal(lease()?.spec?.holderIdentity, '');
    assert.equal(lease()?.spec?.leaseDurationSeconds, 1);
    const writes = server.writes().length;
    await clock.advance(2_000);
    assert.equal(standby.elector.isLeader, true);
    assert.equal(lease()?.spec?.holderIdentity, 'standby');
    assert.ok(server.writes().length > writes);
    assert.deepEqual(me.seen, ['started'], 'stop() is not a loss of leadership');
    await standby.elector.stop();
  });

  it('writes nothing on stop when it is not the leader', async () => {
    const { clock, server, candidate, lease, putLease } = election();
    putLease({ holderIdentity: 'other', leaseDurationSeconds: 15, renewTime: at(clock.now()) });
    const me = candidate('me');
    await clock.advance(2_000);
    await me.elector.stop();
    assert.deepEqual(server.writes(), []);
    assert.equal(lease()?.spec?.holderIdentity, 'other');
    assert.deepEqual(clock.pending(), [], 'no timer left behind');
  });
});

describe('LeaderElector: a renewal that does not return', () => {
  it('stops leading at the renew deadline while the request still hangs, and aborts it', async () => {
    const { clock, server, candidate } = election();
    const me = candidate('me');
    await flush();
    const writes = server.writes().length;
    // The renewal at 2 s reaches the server and never comes back.
    const hung = server.holdNext('get');
    await clock.advance(2_000);
    await hung.reached;
    await clock.advance(7_999);
    assert.equal(me.elector.isLeader, true, 'leading until the deadline');
    assert.deepEqual(me.seen, ['started']);
    await clock.advance(1);
    assert.equal(me.elector.isLeader, false, 'not leading from the deadline on (10 s after the last renewal)');
    assert.deepEqual(me.seen, ['started', 'stopped']);
    // The request was aborted: releasing it now writes nothing.
    hung.release();
    await flush();
    assert.equal(server.writes().length, writes);
    await me.elector.stop();
  });

  it('steps down before a standby may take the lease', async () => {
    const { clock, server, candidate, lease } = election();
    const me = candidate('me');
    await flush();
    const standby = candidate('standby');
    const hung = server.holdNext('replace');
    // The standby's first look and our renewal at 2 s: the renewal's write hangs.
    await clock.advance(2_000);
    await hung.reached;
    let overlap = false;
    let exited: ReturnType<typeof track> | undefined;
    for (let t = 0; t < 20_000; t += 250) {
      await clock.advance(250);
      if (me.elector.isLeader && standby.elector.isLeader) overlap = true;
      // As the operator does on onStopped: stop campaigning (it exits).
      if (me.seen.includes('stopped') && !exited) exited = track(me.elector.stop());
    }
    assert.equal(exited?.settled, true);
    assert.equal(overlap, false, 'never two leaders');
    assert.equal(standby.elector.isLeader, true, 'the standby took the expired lease');
    assert.equal(lease()?.spec?.holderIdentity, 'standby');
    assert.deepEqual(me.seen, ['started', 'stopped']);
    hung.release();
    await standby.elector.stop();
  });

  it('stop() does not wait for a hanging request', async () => {
    const { clock, server, candidate } = election();
    const me = candidate('me');
    await flush();
    const hung = server.holdNext('get');
    await clock.advance(2_000);
    await hung.reached;
    const stopped = track(me.elector.stop());
    await flush();
    await flush();
    assert.equal(stopped.settled, true);
    hung.release();
  });
});
