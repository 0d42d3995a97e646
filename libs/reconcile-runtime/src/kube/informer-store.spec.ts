import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { ResourceType } from '@tofu-operator/api-types';
import { Informer, objectKey } from './informer.js';
import { KubeApiError } from './kube-errors.js';
import { FakeClock, flush } from '../testing/fake-clock.js';
import { FakeListWatch } from '../testing/fake-list-watch.js';
import type { KubeObject } from './types.js';

interface Thing extends KubeObject {
  spec?: { owner?: string };
}
const Things: ResourceType = { group: 'example.com', version: 'v1', plural: 'things', kind: 'Thing', namespaced: true };
const log = pino({ level: 'silent' });
const thing = (namespace: string, name: string, resourceVersion: string, owner?: string): Thing => ({
  apiVersion: 'example.com/v1',
  kind: 'Thing',
  metadata: { name, namespace, resourceVersion },
  spec: { owner },
});

async function started(objects: Thing[]) {
  const clock = new FakeClock();
  const source = new FakeListWatch();
  source.objects = objects;
  const informer = new Informer<Thing>(source, Things, log, { clock, random: () => 1 });
  informer.addIndex('owner', (o) => (o.spec?.owner ? [o.spec.owner] : []));
  const seen: string[] = [];
  informer.onEvent(() => {
    throw new Error('a broken handler');
  });
  informer.onEvent((e, o) => seen.push(`${e} ${objectKey(o)}`));
  const sync = informer.waitForSync();
  const sync2 = informer.waitForSync();
  informer.start();
  await Promise.all([sync, sync2]);
  await flush();
  return { clock, source, informer, seen };
}

const names = (objs: Thing[]) => objs.map((o) => objectKey(o)).sort();

describe('Informer store', () => {
  it('keys objects by namespace/name and lists by namespace', async () => {
    const { informer } = await started([thing('n1', 'a', '1'), thing('n2', 'a', '2'), thing('n1', 'b', '3')]);
    assert.equal(informer.get('n2', 'a')?.metadata?.resourceVersion, '2');
    assert.equal(informer.get('n3', 'a'), undefined);
    assert.deepEqual(names(informer.list('n1')), ['n1/a', 'n1/b']);
    assert.deepEqual(names(informer.list()), ['n1/a', 'n1/b', 'n2/a']);
    assert.equal(objectKey({ metadata: { name: 'cluster-scoped' } }), 'cluster-scoped');
    await informer.stop();
  });

  it('keeps indexes in step with adds, updates, deletes and relists', async () => {
    const { informer, source } = await started([thing('ns', 'a', '1', 'o1'), thing('ns', 'b', '2', 'o1')]);
    assert.deepEqual(names(informer.byIndex('owner', 'o1')), ['ns/a', 'ns/b']);
    source.current.send('MODIFIED', thing('ns', 'a', '3', 'o2'));
    assert.deepEqual(names(informer.byIndex('owner', 'o1')), ['ns/b']);
    assert.deepEqual(names(informer.byIndex('owner', 'o2')), ['ns/a']);
    source.current.send('DELETED', thing('ns', 'b', '4', 'o1'));
    assert.deepEqual(informer.byIndex('owner', 'o1'), []);
    source.objects = [thing('ns', 'c', '5', 'o2')];
    source.current.fail(new KubeApiError('WATCH', '/w', 410, { reason: 'Expired', code: 410 }));
    await flush();
    assert.deepEqual(names(informer.byIndex('owner', 'o2')), ['ns/c'], '"a" went with the relist');
    assert.deepEqual(informer.byIndex('nope', 'o2'), []);
    await informer.stop();
  });

  it('goes on calling the other handlers, and watching, when one throws', async () => {
    const { informer, source, seen } = await started([thing('ns', 'a', '1')]);
    source.current.send('ADDED', thing('ns', 'b', '2'));
    assert.deepEqual(seen, ['add ns/a', 'add ns/b']);
    assert.equal(informer.size, 2);
    assert.equal(informer.restarts, 0);
    await informer.stop();
  });

  it('observeCreate() stores an object not yet seen and calls handlers; it never replaces a cached one', async () => {
    const { informer, source, seen } = await started([thing('ns', 'a', '1')]);
    informer.observeCreate(thing('ns', 'new', 'c1'));
    assert.equal(informer.get('ns', 'new')?.metadata?.resourceVersion, 'c1');
    informer.observeCreate(thing('ns', 'a', 'stale'));
    assert.equal(informer.get('ns', 'a')?.metadata?.resourceVersion, '1');
    source.current.send('ADDED', thing('ns', 'new', 'c2'));
    assert.deepEqual(seen, ['add ns/a', 'add ns/new', 'update ns/new']);
    await informer.stop();
  });

  it('transform: every object is stored, indexed and handed to handlers as transformed (list, watch, old of an update, delete, observeCreate)', async () => {
    const source = new FakeListWatch();
    const bulky = (name: string, rv: string, owner: string) => ({
      ...thing('ns', name, rv, owner),
      metadata: { name, namespace: 'ns', resourceVersion: rv, managedFields: [{ manager: 'kubectl' }] },
      status: { big: 'x'.repeat(100) },
    });
    source.objects = [bulky('a', '1', 'o1')];
    const seenByTransform: string[] = [];
    const informer = new Informer<Thing>(source, Things, log, {
      clock: new FakeClock(),
      random: () => 1,
      // Keeps only name, namespace, resourceVersion and spec (and kind/apiVersion filled in by the list).
      transform: (o) => {
        seenByTransform.push(`${o.metadata?.name}@${o.metadata?.resourceVersion}`);
        const { name, namespace, resourceVersion } = o.metadata ?? {};
        return { apiVersion: o.apiVersion, kind: o.kind, metadata: { name, namespace, resourceVersion }, spec: o.spec };
      },
    });
    informer.addIndex('owner', (o) => (o.spec?.owner ? [o.spec.owner] : []));
    const events: { e: string; obj: Thing; old?: Thing }[] = [];
    informer.onEvent((e, obj, old) => events.push({ e, obj, old }));
    informer.start();
    await informer.waitForSync();
    await flush();
    const trimmed = (name: string, rv: string, owner: string): Thing => thing('ns', name, rv, owner);
    assert.deepEqual(informer.get('ns', 'a'), trimmed('a', '1', 'o1'), 'listed objects are stored transformed, kind filled in first');
    source.current.send('ADDED', bulky('b', '2', 'o1'));
    source.current.send('MODIFIED', bulky('a', '3', 'o2'));
    source.current.send('DELETED', bulky('b', '4', 'o1'));
    informer.observeCreate(bulky('c', 'c1', 'o3'));
    assert.deepEqual(
      events.map(({ e, obj, old }) => [e, obj, old]),
      [
        ['add', trimmed('a', '1', 'o1'), undefined],
        ['add', trimmed('b', '2', 'o1'), undefined],
        ['update', trimmed('a', '3', 'o2'), trimmed('a', '1', 'o1')],
        ['delete', trimmed('b', '4', 'o1'), trimmed('b', '2', 'o1')],
        ['add', trimmed('c', 'c1', 'o3'), undefined],
      ],
    );
    assert.deepEqual(seenByTransform, ['a@1', 'b@2', 'a@3', 'b@4', 'c@c1'], 'once per object that enters, never on reads');
    assert.deepEqual(
      informer
        .list()
        .map((o) => [objectKey(o), 'managedFields' in (o.metadata ?? {}), 'status' in o])
        .sort(),
      [
        ['ns/a', false, false],
        ['ns/c', false, false],
      ],
    );
    assert.deepEqual(names(informer.byIndex('owner', 'o2')), ['ns/a'], 'indexes are computed on the stored object');
    assert.deepEqual(informer.byIndex('owner', 'o1'), []);
    await informer.stop();
  });
});
