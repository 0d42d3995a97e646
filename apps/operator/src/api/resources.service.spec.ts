import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { InformerEvent, InformerHandler } from '@tofu-operator/reconcile-runtime';
import { firstAfter, ResourcesService, type ListResponse } from './resources.service.js';
import type { ClusterCache } from '../kube/cluster-cache.js';
import type { KubeClient } from '@tofu-operator/reconcile-runtime';
import type { ReferenceAccessService } from './reference-access.service.js';

interface O {
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
}

/** An informer's store with its handlers, as the service uses it; counts list() calls. */
class FakeInformer {
  readonly hasSynced = true;
  readonly store = new Map<string, O>();
  lists = 0;
  private readonly handlers: InformerHandler<O>[] = [];
  onEvent(h: InformerHandler<O>): void {
    this.handlers.push(h);
  }
  list(ns: string): O[] {
    this.lists++;
    return [...this.store.values()].filter((o) => o.metadata.namespace === ns);
  }
  get(ns: string, name: string): O | undefined {
    return this.store.get(`${ns}/${name}`);
  }
  apply(event: InformerEvent, o: O): void {
    if (event === 'delete') this.store.delete(`${o.metadata.namespace}/${o.metadata.name}`);
    else this.store.set(`${o.metadata.namespace}/${o.metadata.name}`, o);
    for (const h of this.handlers) h(event, o);
  }
}

const obj = (name: string, ns = 'a', labels?: Record<string, string>): O => ({
  metadata: { name, namespace: ns, ...(labels ? { labels } : {}) },
});

function setup(names: string[]) {
  const stacks = new FakeInformer();
  for (const n of names) stacks.apply('add', obj(n));
  const cache = { modules: new FakeInformer(), stacks, executions: new FakeInformer() } as unknown as ClusterCache;
  const svc = new ResourcesService(cache, {} as KubeClient, {} as ReferenceAccessService);
  return { svc, stacks };
}

/** Every page of a list: the names of each and its remainingItemCount. */
function pages(svc: ResourcesService, limit: number, labelSelector?: string): { names: string[]; remaining: number | undefined }[] {
  const out: { names: string[]; remaining: number | undefined }[] = [];
  let cont: string | undefined;
  do {
    const r: ListResponse = svc.list('stacks', 'a', {
      limit: String(limit),
      ...(cont ? { continue: cont } : {}),
      ...(labelSelector ? { labelSelector } : {}),
    });
    out.push({ names: r.items.map((o) => (o as O).metadata.name), remaining: r.metadata.remainingItemCount });
    cont = r.metadata.continue;
  } while (cont);
  return out;
}

describe('ResourcesService.list paging', () => {
  it('pages through every object by name, with the count of those after each page', () => {
    const { svc } = setup(['e', 'b', 'g', 'a', 'd', 'c', 'f']);
    assert.deepEqual(pages(svc, 3), [
      { names: ['a', 'b', 'c'], remaining: 4 },
      { names: ['d', 'e', 'f'], remaining: 1 },
      { names: ['g'], remaining: undefined },
    ]);
  });

  it('sorts once for all the pages of a pass, not per request', () => {
    const { svc, stacks } = setup(Array.from({ length: 100 }, (_, i) => `s-${String(i).padStart(3, '0')}`));
    assert.equal(pages(svc, 10).length, 10);
    pages(svc, 7);
    assert.equal(stacks.lists, 1);
  });

  it('an added or deleted object is in (or gone from) the next page; an update keeps the sort', () => {
    const { svc, stacks } = setup(['a', 'c', 'e']);
    const first = svc.list('stacks', 'a', { limit: '1' });
    stacks.apply('add', obj('d'));
    stacks.apply('delete', obj('e'));
    stacks.apply('update', obj('c', 'a', { changed: 'yes' }));
    const rest = svc.list('stacks', 'a', { continue: first.metadata.continue });
    assert.deepEqual(
      rest.items.map((o) => (o as O).metadata),
      [
        { name: 'c', namespace: 'a', labels: { changed: 'yes' } },
        { name: 'd', namespace: 'a' },
      ],
    );
    assert.equal(stacks.lists, 2);
    stacks.apply('update', obj('d', 'a', { x: '1' }));
    svc.list('stacks', 'a', {});
    assert.equal(stacks.lists, 2);
  });

  it('a label selector pages over the objects it keeps', () => {
    const { svc, stacks } = setup([]);
    for (let i = 0; i < 10; i++) stacks.apply('add', obj(`s${i}`, 'a', { team: i % 2 ? 'odd' : 'even' }));
    assert.deepEqual(pages(svc, 2, 'team=odd'), [
      { names: ['s1', 's3'], remaining: 3 },
      { names: ['s5', 's7'], remaining: 1 },
      { names: ['s9'], remaining: undefined },
    ]);
  });

  it('only the namespace asked for; another namespace changing leaves its sort alone', () => {
    const { svc, stacks } = setup(['a1', 'a2']);
    stacks.apply('add', obj('b1', 'b'));
    assert.deepEqual(pages(svc, 10), [{ names: ['a1', 'a2'], remaining: undefined }]);
    stacks.apply('add', obj('b2', 'b'));
    pages(svc, 10);
    assert.equal(stacks.lists, 1);
  });

  it('a continue token after the last name gives an empty page', () => {
    const { svc } = setup(['a', 'b']);
    const r = svc.list('stacks', 'a', { limit: '2' });
    assert.equal(r.metadata.continue, undefined);
    const token = Buffer.from(JSON.stringify({ v: 1, after: 'b' })).toString('base64url');
    assert.deepEqual(svc.list('stacks', 'a', { continue: token }).items, []);
  });

  it('refuses a limit that is not a non-negative integer', () => {
    const { svc } = setup(['a']);
    assert.throws(() => svc.list('stacks', 'a', { limit: '-1' }), /limit must be a non-negative integer/);
  });
});

describe('firstAfter', () => {
  const names = ['b', 'd', 'f'];
  for (const [after, want] of [
    ['a', 0],
    ['b', 1],
    ['c', 1],
    ['f', 3],
    ['z', 3],
  ] as const)
    it(`"${after}" -> ${want}`, () => assert.equal(firstAfter(names, after), want));
  it('an empty list', () => assert.equal(firstAfter([], 'a'), 0));
});
