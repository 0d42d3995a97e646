import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KubeApiError, systemClock, type KubeObject } from '@tofu-operator/reconcile-runtime';
import { pino } from 'pino';
import { AggregatedEvents, type EventWrites } from './aggregated-events.js';

const owner = (uid: string): KubeObject => ({
  apiVersion: 'tofu-operator.io/v1alpha1',
  kind: 'TofuModule',
  metadata: { name: 'm', namespace: 'ns', uid },
});
const settle = () => new Promise<void>((r) => setImmediate(r));

/** Records writes; each write waits until released when `hold` is set. */
function fakeWrites(opts: { hold?: boolean; patchGone?: boolean } = {}) {
  const calls: { verb: string; name: string; body: Record<string, unknown> }[] = [];
  const pending: (() => void)[] = [];
  const wait = () => (opts.hold ? new Promise<void>((r) => pending.push(r)) : Promise.resolve());
  const writes: EventWrites = {
    create: async (_ns, event) => {
      calls.push({ verb: 'create', name: event.metadata?.name ?? '', body: event as unknown as Record<string, unknown> });
      await wait();
    },
    patch: async (_ns, name, patch) => {
      calls.push({ verb: 'patch', name, body: patch });
      await wait();
      if (opts.patchGone) {
        opts.patchGone = false;
        throw new KubeApiError('PATCH', '/x', 404, undefined);
      }
    },
  };
  return { calls, pending, writes };
}

let now = 1_800_000_000_000;
const clock = { ...systemClock, now: () => now };
const make = (writes: EventWrites, maxWriting?: number) =>
  new AggregatedEvents(writes, {
    ...(maxWriting ? { maxWriting } : {}),
    component: 'tofu-operator.io/operator',
    instance: 'test',
    clock,
    log: pino({ level: 'silent' }),
    isNotFound: (e) => e instanceof KubeApiError && e.code === 404,
    windowMs: 60_000,
  });

describe('AggregatedEvents', () => {
  it('creates one Event, then raises its count with the latest message', async () => {
    const f = fakeWrites();
    const events = make(f.writes);
    events.record(owner('u1'), 'Normal', 'RunSucceeded', 'plan a succeeded');
    await settle();
    now += 1_000;
    events.record(owner('u1'), 'Normal', 'RunSucceeded', 'plan b succeeded');
    await settle();
    assert.equal(f.calls.length, 2);
    const [create, patch] = f.calls;
    assert.equal(create?.verb, 'create');
    assert.equal(create?.body['reason'], 'RunSucceeded');
    assert.equal(create?.body['count'], 1);
    assert.deepEqual((create?.body['involvedObject'] as Record<string, unknown>)['uid'], 'u1');
    assert.equal(patch?.verb, 'patch');
    assert.equal(patch?.name, create?.name);
    assert.equal(patch?.body['count'], 2);
    assert.equal(patch?.body['message'], 'plan b succeeded');
  });

  it('keeps reasons, types and objects apart', async () => {
    const f = fakeWrites();
    const events = make(f.writes);
    events.record(owner('u1'), 'Normal', 'RunStarted', 'x');
    events.record(owner('u1'), 'Normal', 'RunSucceeded', 'x');
    events.record(owner('u2'), 'Normal', 'RunStarted', 'x');
    events.record(owner('u1'), 'Warning', 'RunStarted', 'x');
    await settle();
    assert.deepEqual(
      f.calls.map((c) => c.verb),
      ['create', 'create', 'create', 'create'],
    );
  });

  it('a burst while a write is in flight becomes one patch with the final count', async () => {
    const f = fakeWrites({ hold: true });
    const events = make(f.writes);
    for (let i = 1; i <= 50; i++) events.record(owner('u1'), 'Warning', 'NotificationFailed', `try ${i}`);
    await settle();
    assert.equal(f.calls.length, 1);
    f.pending.shift()?.();
    await settle();
    assert.equal(f.calls.length, 2);
    assert.equal(f.calls[1]?.body['count'], 50);
    assert.equal(f.calls[1]?.body['message'], 'try 50');
    f.pending.shift()?.();
    await settle();
    assert.equal(f.calls.length, 2);
  });

  it('starts a new Event after the window, and when the old one is gone', async () => {
    const f = fakeWrites({ patchGone: true });
    const events = make(f.writes);
    events.record(owner('u3'), 'Normal', 'RunStarted', 'a');
    await settle();
    events.record(owner('u3'), 'Normal', 'RunStarted', 'b');
    await settle();
    // The patch answered 404: the series goes on in a new Event holding the count so far.
    assert.deepEqual(
      f.calls.map((c) => c.verb),
      ['create', 'patch', 'create'],
    );
    assert.notEqual(f.calls[2]?.name, f.calls[0]?.name);
    assert.equal(f.calls[2]?.body['count'], 2);
    now += 61_000;
    events.record(owner('u3'), 'Normal', 'RunStarted', 'c');
    await settle();
    assert.equal(f.calls[3]?.verb, 'create');
    assert.equal(f.calls[3]?.body['count'], 1);
  });

  it('writes at most maxWriting series at once; the rest is counted and written when it occurs again', async () => {
    const f = fakeWrites({ hold: true });
    const events = make(f.writes, 2);
    events.record(owner('a'), 'Normal', 'RunStarted', '1');
    events.record(owner('b'), 'Normal', 'RunStarted', '1');
    events.record(owner('c'), 'Normal', 'RunStarted', '1');
    await settle();
    assert.deepEqual(
      f.calls.map((c) => (c.body['involvedObject'] as { uid: string }).uid),
      ['a', 'b'],
    );
    assert.equal(events.deferred, 1);
    while (f.pending.length) f.pending.shift()?.();
    await settle();
    events.record(owner('c'), 'Normal', 'RunStarted', '2');
    await settle();
    const c = f.calls.at(-1);
    assert.equal(c?.verb, 'create');
    assert.equal(c?.body['count'], 2, 'the deferred occurrence is in the count');
  });
});
