import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { ResourceType } from '@tofu-operator/api-types';
import { Informer, METADATA_LIST_ACCEPT, METADATA_WATCH_ACCEPT, type InformerOptions } from './informer.js';
import { KubeApiError } from './kube-errors.js';
import { FakeClock, flush, track } from '../testing/fake-clock.js';
import { FakeListWatch } from '../testing/fake-list-watch.js';
import type { KubeObject } from './types.js';

interface Thing extends KubeObject {
  spec?: { v?: number };
}
const Things: ResourceType = { group: 'example.com', version: 'v1', plural: 'things', kind: 'Thing', namespaced: true };
const log = pino({ level: 'silent' });
const thing = (name: string, resourceVersion: string, v = 0): Thing => ({
  apiVersion: 'example.com/v1',
  kind: 'Thing',
  metadata: { name, namespace: 'ns', resourceVersion },
  spec: { v },
});
const gone = () => new KubeApiError('WATCH', '/w', 410, { reason: 'Expired', code: 410 });
const broken = () => new KubeApiError('WATCH', '/w', 500, { reason: 'InternalError', code: 500 });

/** An informer on a fake list/watch source and a manual clock; random() = 1 (no jitter below the cap). */
function setup(opts: InformerOptions<Thing> = {}, random = () => 1) {
  const clock = new FakeClock();
  const source = new FakeListWatch();
  const informer = new Informer<Thing>(source, Things, log, { clock, random, ...opts });
  const events: string[] = [];
  informer.onEvent((e, obj, old) =>
    events.push(`${e} ${obj.metadata?.name}@${obj.metadata?.resourceVersion}${old ? ` was @${old.metadata?.resourceVersion}` : ''}`),
  );
  return { clock, source, informer, events };
}

describe('Informer', () => {
  it('lists in pages, stores the objects (kind filled in), syncs, then watches from the list resourceVersion', async () => {
    const { source, informer, events } = setup({ namespace: 'ns', labelSelector: 'app=x', pageSize: 2 });
    source.objects = ['a', 'b', 'c', 'd', 'e'].map((n, i) => thing(n, `${i}`));
    source.listVersion = 'L1';
    assert.equal(informer.hasSynced, false);
    informer.start();
    await informer.waitForSync();
    await flush();
    assert.deepEqual(
      source.lists.map((l) => [l.namespace, l.opts.labelSelector, l.opts.limit, l.opts.continue]),
      [
        ['ns', 'app=x', 2, undefined],
        ['ns', 'app=x', 2, 'page:2'],
        ['ns', 'app=x', 2, 'page:4'],
      ],
    );
    assert.equal(informer.size, 5);
    assert.deepEqual(events, ['add a@0', 'add b@1', 'add c@2', 'add d@3', 'add e@4']);
    assert.equal(informer.get('ns', 'c')?.kind, 'Thing');
    assert.equal(informer.get('ns', 'c')?.apiVersion, 'example.com/v1');
    assert.equal(source.watches.length, 1);
    assert.equal(source.current.path, '/apis/example.com/v1/namespaces/ns/things');
    assert.deepEqual(source.current.query, {
      resourceVersion: 'L1',
      allowWatchBookmarks: true,
      labelSelector: 'app=x',
      timeoutSeconds: 270,
    });
    await informer.stop();
  });

  it('turns watch events into add, update (with the old object) and delete; a bookmark only moves the resourceVersion', async () => {
    const { source, informer, events, clock } = setup();
    source.objects = [thing('a', '1')];
    informer.start();
    await informer.waitForSync();
    await flush();
    events.length = 0;
    source.current.send('ADDED', thing('b', '2'));
    source.current.send('MODIFIED', thing('a', '3', 7));
    source.current.send('ADDED', thing('a', '4', 8));
    source.current.send('BOOKMARK', { metadata: { resourceVersion: '5' } });
    source.current.send('DELETED', thing('b', '6'));
    assert.deepEqual(events, ['add b@2', 'update a@3 was @1', 'update a@4 was @3', 'delete b@6 was @2']);
    assert.deepEqual(
      informer.list().map((o) => o.metadata?.name),
      ['a'],
    );
    assert.equal(informer.get('ns', 'a')?.spec?.v, 8);
    source.current.send('BOOKMARK', { metadata: { resourceVersion: '9' } });
    // The server ends the watch (its timeout): re-opened from the last resourceVersion, no relist.
    source.current.end();
    await flush();
    assert.equal(source.watches.length, 2);
    assert.equal(source.current.query?.['resourceVersion'], '9');
    assert.equal(source.lists.length, 1);
    assert.deepEqual(clock.pending(), [], 'no backoff for a normal end');
    await informer.stop();
  });

  it('treats resourceVersions as opaque: never compares them, only passes the last one back', async () => {
    const { source, informer, events } = setup();
    source.objects = [thing('a', 'zz-900')];
    source.listVersion = 'zz-999';
    informer.start();
    await informer.waitForSync();
    await flush();
    // "Smaller" by any reading, still newer: applied, and the next watch starts from it.
    source.current.send('MODIFIED', thing('a', 'aa-1', 1));
    source.current.send('MODIFIED', thing('a', '0', 2));
    source.current.end();
    await flush();
    assert.deepEqual(events.slice(1), ['update a@aa-1 was @zz-900', 'update a@0 was @aa-1']);
    assert.equal(informer.get('ns', 'a')?.spec?.v, 2);
    assert.deepEqual(
      source.watches.map((w) => w.query?.['resourceVersion']),
      ['zz-999', '0'],
    );
    await informer.stop();
  });

  it('relists at once on 410 Gone and tells handlers what changed while it was not watching', async () => {
    const { source, informer, events, clock } = setup();
    source.objects = [thing('a', '1'), thing('b', '2')];
    informer.start();
    await informer.waitForSync();
    await flush();
    events.length = 0;
    source.objects = [thing('b', '5', 1), thing('c', '6')];
    source.listVersion = 'L2';
    source.current.fail(gone());
    await flush();
    assert.equal(source.lists.length, 2, 'relisted without waiting');
    assert.deepEqual(clock.pending(), []);
    assert.equal(informer.restarts, 0, 'a 410 is not a failure');
    assert.deepEqual(events, ['delete a@1 was @1', 'update b@5 was @2', 'add c@6']);
    assert.equal(source.current.query?.['resourceVersion'], 'L2');
    await informer.stop();
  });

  it('keeps what this process created while a relist read its pages (newer than the snapshot), and drops the rest that is gone', async () => {
    const { source, informer, events } = setup({ pageSize: 1 });
    source.objects = [thing('a', '1'), thing('b', '2')];
    informer.start();
    await informer.waitForSync();
    await flush();
    events.length = 0;
    // The relist's snapshot: b changed, a is gone; 'new' is created by this process between its pages.
    source.objects = [thing('b', '5'), thing('c', '6')];
    source.listVersion = 'L2';
    const list = source.list.bind(source);
    source.list = (rt, ns, opts) => {
      if (opts?.continue) informer.observeCreate(thing('new', '7'));
      return list(rt, ns, opts);
    };
    source.current.fail(gone());
    await flush();
    assert.deepEqual(events, ['add new@7', 'delete a@1 was @1', 'update b@5 was @2', 'add c@6']);
    assert.equal(informer.get('ns', 'new')?.metadata?.resourceVersion, '7', 'still in the store');
    // Outside a relist, observeCreate remembers nothing: the next relist without it drops it.
    source.list = list;
    source.current.fail(gone());
    await flush();
    assert.equal(informer.get('ns', 'new'), undefined);
    await informer.stop();
  });

  it('restarts after errors with capped exponential backoff (800 ms … 30 s) and resets it after a good list', async () => {
    const { source, informer, clock } = setup();
    const delays = [800, 1600, 3200, 6400, 12_800, 25_600, 30_000, 30_000];
    for (let i = 0; i < delays.length; i++) source.listErrors.push(broken());
    informer.start();
    for (const [i, delay] of delays.entries()) {
      await flush();
      assert.deepEqual(clock.pending(), [delay], `delay after failure ${i + 1}`);
      assert.equal(informer.restarts, i + 1);
      await clock.advance(delay - 1);
      assert.equal(source.lists.length, i + 1, 'not retried before the delay');
      await clock.advance(1);
      assert.equal(source.lists.length, i + 2);
    }
    await informer.waitForSync();
    await flush();
    assert.equal(source.watches.length, 1);
    // A failed watch (not a 410) restarts with the backoff reset, and relists.
    source.current.fail(broken());
    await flush();
    assert.deepEqual(clock.pending(), [800]);
    await clock.advance(800);
    assert.equal(source.lists.length, delays.length + 2);
    assert.equal(source.watches.length, 2);
    await informer.stop();
  });

  it('jitters each delay within [cap/2, cap]', async () => {
    const { source, informer, clock } = setup({}, () => 0);
    source.listErrors.push(broken(), broken());
    informer.start();
    await flush();
    assert.deepEqual(clock.pending(), [400]);
    await clock.advance(400);
    assert.deepEqual(clock.pending(), [800]);
    await informer.stop();
  });

  it('stop() ends a backoff wait and an open watch; nothing restarts afterwards', async () => {
    const first = setup();
    first.source.listErrors.push(broken());
    first.informer.start();
    await flush();
    assert.deepEqual(first.clock.pending(), [800]);
    const stopped = track(first.informer.stop());
    await flush();
    assert.equal(stopped.settled, true, 'stop() does not wait for the backoff');
    assert.deepEqual(first.clock.pending(), []);
    assert.equal(first.source.lists.length, 1);

    const second = setup();
    second.informer.start();
    await second.informer.waitForSync();
    await flush();
    await second.informer.stop();
    assert.equal(second.source.current.signal.aborted, true);
    await second.clock.advance(60_000);
    assert.equal(second.source.lists.length, 1);
    assert.equal(second.source.watches.length, 1);
  });

  it('metadataOnly: lists and watches PartialObjectMetadata (Accept headers), other informers the full objects', async () => {
    const meta = setup({ metadataOnly: true, pageSize: 1 });
    meta.source.objects = [thing('a', '1'), thing('b', '2')];
    meta.informer.start();
    await meta.informer.waitForSync();
    await flush();
    assert.deepEqual(
      meta.source.lists.map((l) => l.opts.accept),
      [METADATA_LIST_ACCEPT, METADATA_LIST_ACCEPT],
    );
    assert.equal(meta.source.current.accept, METADATA_WATCH_ACCEPT);
    assert.equal(METADATA_WATCH_ACCEPT, 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1');
    assert.equal(meta.informer.size, 2);
    await meta.informer.stop();

    // An empty metadata list answers "items": null (the API server does): an empty store, synced.
    const empty = setup({ metadataOnly: true });
    empty.source.list = () => Promise.resolve({ metadata: { resourceVersion: '1' }, items: null as unknown as [] });
    empty.informer.start();
    await empty.informer.waitForSync();
    assert.equal(empty.informer.size, 0);
    await empty.informer.stop();

    const full = setup();
    full.informer.start();
    await full.informer.waitForSync();
    await flush();
    assert.equal(full.source.lists[0]?.opts.accept, undefined);
    assert.equal(full.source.current.accept, undefined);
    await full.informer.stop();
  });
});
