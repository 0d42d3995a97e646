import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { ResourceType } from '@tofu-operator/api-types';
import { StatusWriter } from './status-writer.js';
import { KubeApiError } from './kube-errors.js';
import { FakeClock, flush, track } from '../testing/fake-clock.js';
import { FakeObjects, type FakeCall } from '../testing/fake-objects.js';
import type { KubeObject } from './types.js';

interface Thing extends KubeObject {
  status?: { phase?: string; step?: number; a?: number; b?: number };
}
const Things: ResourceType = { group: 'example.com', version: 'v1', plural: 'things', kind: 'Thing', namespaced: true };
const log = pino({ level: 'silent' });
const boom = () => new KubeApiError('PUT', 'x', 500, { reason: 'InternalError', code: 500 });
/** The phases the status writes sent, in order. */
const phases = (calls: FakeCall[]) => calls.map((c) => (c.body as Thing).status?.phase);

/** A writer on a fake API server and a manual clock; failure backoff without jitter (500 ms, 1 s, …). */
function setup(concurrency = 8) {
  const clock = new FakeClock();
  const server = new FakeObjects();
  const writer = new StatusWriter<Thing>(server, Things, log, concurrency, { clock, random: () => 1 });
  const thing = (name: string, status?: Thing['status']) =>
    server.put<Thing>({ apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name, namespace: 'ns' }, status });
  const statusOf = (name: string) => server.peek<Thing>('ns', name)?.status;
  const replaces = (name: string) => server.writes().filter((c) => c.key === `ns/${name}`);
  return { clock, server, writer, thing, statusOf, replaces };
}

describe('StatusWriter', () => {
  it('queues nothing when the computed status equals the object status (whatever the key order)', async () => {
    const { writer, thing, server } = setup();
    const obj = thing('a', { a: 1, b: 2 });
    assert.equal(
      writer.submit(obj, () => ({ b: 2, a: 1 })),
      false,
    );
    await flush();
    assert.equal(writer.backlog, 0);
    assert.deepEqual(server.calls, []);
  });

  it('writes the status subresource at low priority, with the object resourceVersion', async () => {
    const { writer, thing, server, statusOf } = setup();
    const obj = thing('a', { phase: 'Pending' });
    assert.equal(
      writer.submit(obj, () => ({ phase: 'Running' })),
      true,
    );
    await writer.idle();
    assert.deepEqual(
      server.calls.map((c) => [c.verb, c.key, c.subresource, c.priority, c.body?.metadata?.resourceVersion]),
      [['replace', 'ns/a', 'status', 'low', obj.metadata?.resourceVersion]],
    );
    assert.deepEqual(statusOf('a'), { phase: 'Running' });
  });

  it('coalesces submissions waiting for a slot: only the latest is written', async () => {
    const { writer, thing, replaces, statusOf } = setup(1);
    writer.submit(thing('busy'), () => ({ phase: 'Running' }));
    const obj = thing('a');
    for (let step = 1; step <= 3; step++) writer.submit(obj, () => ({ step }));
    assert.equal(writer.backlog, 1, 'one pending write for "a", however often it was submitted');
    await writer.idle();
    assert.deepEqual(
      replaces('a').map((c) => (c.body as Thing).status),
      [{ step: 3 }],
    );
    assert.deepEqual(statusOf('a'), { step: 3 });
  });

  it('never writes an object twice at once; the latest submission made meanwhile goes next', async () => {
    const { writer, thing, server, clock, replaces, statusOf } = setup();
    const first = server.holdNext('replace');
    const obj = thing('a');
    writer.submit(obj, () => ({ step: 1 }));
    await first.reached;
    writer.submit(obj, () => ({ step: 2 }));
    writer.submit(obj, () => ({ step: 3 }));
    await flush();
    assert.equal(replaces('a').length, 1, 'no second write while the first is in flight');
    assert.equal(writer.backlog, 1);
    first.release();
    // The follow-up was made from the version the first write replaced: it is written on top of that
    // write's answer (status-writer-rebase.spec), with no conflict.
    await clock.advance(100);
    await writer.idle();
    const sent = replaces('a').map((c) => (c.body as Thing).status?.step);
    assert.deepEqual(sent, [1, 3], 'step 2 was superseded');
    assert.deepEqual(
      server.calls.map((c) => c.verb),
      ['replace', 'replace'],
    );
    assert.deepEqual(statusOf('a'), { step: 3 });
  });

  it('writes at most `concurrency` objects at once', async () => {
    const { writer, thing, server } = setup(2);
    const holds = [server.holdNext('replace'), server.holdNext('replace'), server.holdNext('replace')];
    for (const name of ['a', 'b', 'c']) writer.submit(thing(name), () => ({ phase: 'Running' }));
    await flush();
    assert.equal(server.writes().length, 2);
    assert.equal(writer.backlog, 1);
    holds[0]?.release();
    await flush();
    assert.equal(server.writes().length, 3, 'the third starts when a slot frees');
    holds.forEach((h) => h.release());
    await writer.idle();
  });

  it('on a conflict re-reads the object after 10 ms and computes the status from the fresh object', async () => {
    const { writer, thing, server, clock, statusOf } = setup();
    const stale = thing('a', { step: 0 });
    // Another writer changed the object (labels) since the reconciler read it.
    const fresh = server.put<Thing>({ ...stale, metadata: { ...stale.metadata, labels: { seen: 'yes' } } });
    const seenBy: (string | undefined)[] = [];
    writer.submit(stale, (o) => {
      seenBy.push(o.metadata?.resourceVersion);
      return { step: 1, phase: o.metadata?.labels?.['seen'] };
    });
    await clock.advance(9);
    assert.deepEqual(
      server.calls.map((c) => c.verb),
      ['replace'],
      'no re-read before 10 ms',
    );
    await clock.advance(1);
    assert.deepEqual(
      server.calls.map((c) => [c.verb, c.priority]),
      [
        ['replace', 'low'],
        ['get', 'low'],
        ['replace', 'low'],
      ],
    );
    await writer.idle();
    assert.equal(seenBy.at(-1), fresh.metadata?.resourceVersion);
    assert.deepEqual(statusOf('a'), { step: 1, phase: 'yes' });
  });

  it('retries a failed write with backoff (500 ms, then 1 s) and resets it after a success', async () => {
    const { writer, thing, server, clock, replaces, statusOf } = setup();
    server.failures.replace.push(boom(), boom());
    writer.submit(thing('a'), () => ({ step: 1 }));
    await flush();
    assert.deepEqual(clock.pending(), [500]);
    await clock.advance(499);
    assert.equal(replaces('a').length, 1);
    await clock.advance(1);
    assert.equal(replaces('a').length, 2);
    assert.deepEqual(clock.pending(), [1000], 'the second failure waits twice as long');
    await clock.advance(1000);
    await writer.idle();
    assert.equal(replaces('a').length, 3);
    assert.deepEqual(statusOf('a'), { step: 1 });
    server.failures.replace.push(boom());
    writer.submit(server.peek<Thing>('ns', 'a')!, () => ({ step: 2 }));
    await flush();
    assert.deepEqual(clock.pending(), [500], 'backoff starts over after a success');
    await clock.advance(500);
    assert.deepEqual(statusOf('a'), { step: 2 });
  });

  it('a failed write waiting for its retry never overwrites a newer submission written meanwhile', async () => {
    const { writer, thing, server, clock, replaces, statusOf } = setup();
    server.failures.replace.push(boom());
    const obj = thing('a', { phase: 'Pending' });
    writer.submit(obj, () => ({ phase: 'Running' }));
    await flush();
    assert.deepEqual(clock.pending(), [500]);
    writer.submit(obj, () => ({ phase: 'Blocked' }));
    await writer.idle();
    assert.deepEqual(statusOf('a'), { phase: 'Blocked' });
    await clock.advance(60_000);
    await writer.idle();
    assert.deepEqual(phases(replaces('a')), ['Running', 'Blocked'], 'the failed Running write is not retried');
    assert.deepEqual(statusOf('a'), { phase: 'Blocked' });
    assert.deepEqual(clock.pending(), []);
  });

  it('a newer submission made while a write fails in flight wins over its retry, even one needing no write', async () => {
    const { writer, thing, server, clock, replaces, statusOf } = setup();
    const obj = thing('a', { phase: 'Pending' });
    const inFlight = server.holdNext('replace');
    server.failures.replace.push(boom());
    writer.submit(obj, () => ({ phase: 'Running' }));
    await inFlight.reached;
    // Another writer set Blocked; the reconciler submits what the object already has.
    const fresh = server.put<Thing>({ ...obj, status: { phase: 'Blocked' } });
    assert.equal(
      writer.submit(fresh, () => ({ phase: 'Blocked' })),
      false,
    );
    inFlight.release();
    await clock.advance(60_000);
    await writer.idle();
    assert.deepEqual(phases(replaces('a')), ['Running'], 'only the write that failed');
    assert.deepEqual(statusOf('a'), { phase: 'Blocked' });
  });

  it('when the newer submission fails too, only it is retried, with the backoff going on', async () => {
    const { writer, thing, server, clock, replaces, statusOf } = setup();
    server.failures.replace.push(boom(), boom());
    const obj = thing('a', { phase: 'Pending' });
    writer.submit(obj, () => ({ phase: 'Running' }));
    await flush();
    writer.submit(obj, () => ({ phase: 'Blocked' }));
    await flush();
    assert.deepEqual(clock.pending(), [1000], 'the retry of Running is gone, Blocked waits twice as long');
    await clock.advance(60_000);
    await writer.idle();
    assert.deepEqual(phases(replaces('a')), ['Running', 'Blocked', 'Blocked']);
    assert.deepEqual(statusOf('a'), { phase: 'Blocked' });
  });

  it('drops the write of an object that is gone (404), without retrying', async () => {
    const { writer, server, clock } = setup();
    const ghost: Thing = { metadata: { name: 'ghost', namespace: 'ns', resourceVersion: 'rv-x' } };
    writer.submit(ghost, () => ({ phase: 'Running' }));
    await writer.idle();
    await clock.advance(60_000);
    assert.equal(server.writes().length, 1);
    assert.deepEqual(clock.pending(), []);
  });

  it('idle() resolves at once when nothing is queued, otherwise once every write has ended', async () => {
    const { writer, thing, server } = setup(1);
    const immediate = track(writer.idle());
    await flush();
    assert.equal(immediate.settled, true);
    const holdA = server.holdNext('replace');
    const holdB = server.holdNext('replace');
    writer.submit(thing('a'), () => ({ step: 1 }));
    writer.submit(thing('b'), () => ({ step: 1 }));
    const one = track(writer.idle());
    const two = track(writer.idle());
    await holdA.reached;
    await flush();
    assert.equal(one.settled, false, '"a" is in flight and "b" queued');
    holdA.release();
    await holdB.reached;
    await flush();
    assert.equal(writer.backlog, 0);
    assert.equal(one.settled, false, 'nothing is queued, but "b" is still in flight');
    holdB.release();
    await flush();
    assert.equal(one.settled && two.settled, true, 'every waiter is told');
  });
});
