import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TofuExecution, TofuModule, TofuStack } from '@tofu-operator/api-types';
import type { Controller, EventRecorder, InformerEvent, Job, KubeClient, KubeObject, Logger, Pod } from '@tofu-operator/reconcile-runtime';
import { byControllerUid, Index, type ClusterCache } from '../kube/cluster-cache.js';
import type { StateStore } from '../runner-api/state-store.service.js';
import type { JobPreparer } from './job-preparer.js';
import type { PlanDecisions } from './plan-decisions.js';
import { ExecutionReconciler } from './execution.reconciler.js';
import { ModuleReconciler } from './module.reconciler.js';
import type { RunQueue } from './run-queue.js';
import type { RunResolver } from './run-resolver.js';
import { StackReconciler } from './stack.reconciler.js';
import { specChanged, specOrMetaChanged, type Queues } from './watches.js';
import type { InputsResolver } from './inputs-resolver.js';
import type { OwnerOutputs } from './owner-outputs-sync.js';

describe('event predicates', () => {
  const obj = (meta: KubeObject['metadata']): KubeObject => ({ metadata: { name: 'a', generation: 1, ...meta } });
  const table: [string, InformerEvent, KubeObject, KubeObject | undefined, boolean, boolean][] = [
    ['an add', 'add', obj({}), undefined, true, true],
    ['a delete', 'delete', obj({}), obj({}), true, true],
    ['a status write', 'update', obj({ resourceVersion: '2' }), obj({ resourceVersion: '1' }), false, false],
    ['a spec change', 'update', obj({ generation: 2 }), obj({}), true, true],
    ['a deletion starting', 'update', obj({ deletionTimestamp: 't' }), obj({}), true, true],
    ['an annotation', 'update', obj({ annotations: { a: '1' } }), obj({}), true, false],
    ['an owner reference', 'update', obj({ ownerReferences: [{ apiVersion: 'v', kind: 'K', name: 'o', uid: 'u' }] }), obj({}), true, false],
    ['a label', 'update', obj({ labels: { a: '1' } }), obj({}), false, false],
  ];
  for (const [what, event, now, old, ownReconciler, spec] of table) {
    it(`${what}: ${ownReconciler ? '' : 'not '}for the object's reconciler, ${spec ? '' : 'not '}a spec change`, () => {
      assert.equal(specOrMetaChanged(event, now, old), ownReconciler);
      assert.equal(specChanged(event, now, old), spec);
    });
  }
});

/** An informer that holds objects, computes indexes and lets a test send events. */
class FakeInformer<T extends KubeObject> {
  private readonly objects: T[] = [];
  private readonly indexers = new Map<string, (o: T) => string[]>();
  private readonly handlers: ((e: InformerEvent, o: T, old?: T) => void)[] = [];
  addIndex(name: string, fn: (o: T) => string[]): void {
    this.indexers.set(name, fn);
  }
  onEvent(h: (e: InformerEvent, o: T, old?: T) => void): void {
    this.handlers.push(h);
  }
  byIndex(name: string, value: string): T[] {
    const fn = this.indexers.get(name);
    assert.ok(fn, `index ${name} is registered`);
    return this.objects.filter((o) => fn(o).includes(value));
  }
  /** Stores `obj` and sends the event to every handler. */
  emit(e: InformerEvent, obj: T, old?: T): void {
    this.objects.push(obj);
    for (const h of this.handlers) h(e, obj, old);
  }
}

/** The three reconcilers' watches over fake informers, recording what reaches each queue. */
function wired() {
  const cache = {
    modules: new FakeInformer<TofuModule>(),
    stacks: new FakeInformer<TofuStack>(),
    executions: new FakeInformer<TofuExecution>(),
    jobs: new FakeInformer<Job>(),
    pods: new FakeInformer<Pod>(),
    configMaps: new FakeInformer<KubeObject>(),
    secrets: new FakeInformer<KubeObject>(),
  };
  // The indexes ClusterCache itself registers, for every reader.
  cache.executions.addIndex(Index.ownerUid, byControllerUid);
  cache.pods.addIndex(Index.ownerUid, byControllerUid);
  const seen: string[] = [];
  const queue = (kind: string) =>
    ({
      enqueue: (ns: string, name: string | undefined) => name && seen.push(`${kind} ${ns}/${name}`),
      enqueueAfter: (ns: string, name: string | undefined, ms: number) => name && seen.push(`${kind} ${ns}/${name} +${ms}`),
    }) as unknown as Controller;
  const queues: Queues = { modules: queue('module'), stacks: queue('stack'), executions: queue('execution') };
  const c = cache as unknown as ClusterCache;
  const [client, events, log, resolver] = [{} as KubeClient, {} as EventRecorder, {} as Logger, {} as RunResolver];
  new ModuleReconciler(
    c,
    client,
    events,
    log,
    resolver,
    {} as StateStore,
    { of: () => Promise.resolve(undefined) } as unknown as OwnerOutputs,
    {} as InputsResolver,
  ).setupWatches(queues);
  new StackReconciler(
    c,
    client,
    events,
    log,
    resolver,
    {} as StateStore,
    { of: () => Promise.resolve(undefined) } as unknown as OwnerOutputs,
    {} as InputsResolver,
  ).setupWatches(queues);
  const runQueue = { setupWatches: () => undefined } as unknown as RunQueue;
  new ExecutionReconciler(c, client, events, resolver, {} as JobPreparer, {} as PlanDecisions, runQueue, log).setupWatches(queues);
  return { cache, seen };
}

const ownedBy = (kind: string, name: string, uid: string) => [
  { apiVersion: 'tofu-operator.io/v1alpha1', kind, name, uid, controller: true },
];
const execution = (name: string, meta: Partial<TofuExecution['metadata']>, spec: Partial<TofuExecution['spec']>, phase?: string) =>
  ({
    metadata: { name, namespace: 'ns', uid: `${name}-uid`, ...meta },
    spec: { action: 'plan', ...spec },
    ...(phase ? { status: { phase } } : {}),
  }) as TofuExecution;

describe('watches', () => {
  it('a module spec change reaches the module and the stacks that use it; its status does not', () => {
    const { cache, seen } = wired();
    cache.stacks.emit('add', { metadata: { name: 's', namespace: 'ns' }, spec: { moduleRef: { name: 'm' } } } as TofuStack);
    seen.length = 0;
    const m = (generation: number, rv: string) =>
      ({ metadata: { name: 'm', namespace: 'ns', generation, resourceVersion: rv } }) as TofuModule;
    cache.modules.emit('update', m(2, '2'), m(1, '1'));
    assert.deepEqual(seen, ['module ns/m', 'stack ns/s']);
    seen.length = 0;
    cache.modules.emit('update', m(2, '3'), m(2, '2'));
    assert.deepEqual(seen, []);
  });

  it('a ConfigMap or Secret change reaches exactly the modules and stacks whose varsFrom name it (and the stacks of such modules)', () => {
    const { cache, seen } = wired();
    const varsFrom = (kind: 'ConfigMap' | 'Secret', name: string) => [{ kind, name }];
    cache.modules.emit('add', { metadata: { name: 'm', namespace: 'ns' }, spec: { varsFrom: varsFrom('ConfigMap', 'cfg') } } as TofuModule);
    cache.modules.emit('add', { metadata: { name: 'other', namespace: 'ns' }, spec: {} } as TofuModule);
    cache.stacks.emit('add', { metadata: { name: 's', namespace: 'ns' }, spec: { moduleRef: { name: 'm' } } } as TofuStack);
    cache.stacks.emit('add', {
      metadata: { name: 't', namespace: 'ns' },
      spec: { moduleRef: { name: 'other' }, varsFrom: varsFrom('Secret', 'db') },
    } as TofuStack);
    seen.length = 0;
    const obj = (name: string, rv: string) => ({ metadata: { name, namespace: 'ns', resourceVersion: rv } });
    cache.configMaps.emit('update', obj('cfg', '2'), obj('cfg', '1'));
    assert.deepEqual(seen.sort(), ['module ns/m', 'stack ns/s']);
    seen.length = 0;
    cache.secrets.emit('add', obj('db', '5'));
    assert.deepEqual(seen, ['stack ns/t']);
    seen.length = 0;
    cache.configMaps.emit('update', obj('cfg', '2'), obj('cfg', '2'));
    cache.configMaps.emit('add', obj('unrelated', '1'));
    cache.secrets.emit('update', obj('cfg', '3'), obj('cfg', '2'));
    assert.deepEqual(seen, [], 'a resync, an object nobody names, a Secret of a ConfigMap name: nothing');
  });

  it("a stack's new outputs, appearance or deletion reach the stacks that depend on it; its other status writes do not", () => {
    const { cache, seen } = wired();
    cache.stacks.emit('add', {
      metadata: { name: 'app', namespace: 'ns' },
      spec: { moduleRef: { name: 'm' }, dependsOn: [{ name: 'net' }] },
    } as TofuStack);
    cache.stacks.emit('add', {
      metadata: { name: 'db', namespace: 'ns' },
      spec: { moduleRef: { name: 'm' }, inputsFrom: [{ stackRef: { name: 'net' }, output: 'o', variable: 'v' }] },
    } as TofuStack);
    seen.length = 0;
    const net = (rv: string, digest?: string) =>
      ({
        metadata: { name: 'net', namespace: 'ns', generation: 1, resourceVersion: rv },
        spec: { moduleRef: { name: 'm' } },
        ...(digest ? { status: { outputsInfo: { digest } } } : {}),
      }) as TofuStack;
    cache.stacks.emit('add', net('1'));
    assert.deepEqual(seen.sort(), ['stack ns/app', 'stack ns/db', 'stack ns/net']);
    seen.length = 0;
    cache.stacks.emit('update', net('2', 'sha256:a'), net('1'));
    assert.deepEqual(seen.sort(), ['stack ns/app', 'stack ns/db']);
    seen.length = 0;
    cache.stacks.emit('update', net('3', 'sha256:a'), net('2', 'sha256:a'));
    assert.deepEqual(seen, []);
  });

  it("an owned execution's progress reaches its owner coalesced, a phase change at once", () => {
    const { cache, seen } = wired();
    const refs = { ownerReferences: ownedBy('TofuStack', 's', 's-uid') };
    cache.executions.emit('update', execution('x', refs, {}, 'Running'), execution('x', refs, {}, 'Running'));
    assert.deepEqual(seen, ['stack ns/s +1000']);
    seen.length = 0;
    cache.executions.emit('update', execution('x', refs, {}, 'Running'), execution('x', refs, {}, 'Pending'));
    assert.deepEqual(seen, ['stack ns/s +0']);
  });

  it('a hand-made execution reaches the owner it names: the stack when it names one', () => {
    const { cache, seen } = wired();
    cache.executions.emit('add', execution('a', {}, { moduleRef: { name: 'm' } }));
    cache.executions.emit('add', execution('b', {}, { moduleRef: { name: 'm' }, stackRef: { name: 's' } }));
    assert.deepEqual(seen, ['module ns/m', 'execution ns/a', 'stack ns/s', 'execution ns/b']);
  });

  it('a run that ends wakes the executions of the same owner', () => {
    const { cache, seen } = wired();
    const refs = { ownerReferences: ownedBy('TofuModule', 'm', 'm-uid') };
    cache.executions.emit('add', execution('waiting', refs, {}, 'Pending'));
    seen.length = 0;
    cache.executions.emit('update', execution('done', refs, {}, 'Succeeded'), execution('done', refs, {}, 'Running'));
    assert.deepEqual(seen.filter((s) => s.startsWith('execution')).sort(), ['execution ns/done', 'execution ns/waiting']);
  });

  it("a starting run's Job and Pod changes are coalesced, the deciding ones go at once", () => {
    const { cache, seen } = wired();
    const job = (conditions: { type: string; status: string }[]): Job => ({
      metadata: { name: 'x', namespace: 'ns', uid: 'job-uid', ownerReferences: ownedBy('TofuExecution', 'x', 'x-uid') },
      status: { conditions },
    });
    cache.jobs.emit('add', job([]));
    cache.jobs.emit('update', job([{ type: 'Complete', status: 'True' }]), job([]));
    cache.jobs.emit('delete', job([]));
    const pod = (terminated: boolean): Pod => ({
      metadata: { name: 'x-p', namespace: 'ns', ownerReferences: ownedBy('Job', 'x', 'job-uid') },
      status: { containerStatuses: [{ name: 'runner', state: terminated ? { terminated: { exitCode: 0 } } : { running: {} } }] },
    });
    cache.pods.emit('update', pod(false), pod(false));
    cache.pods.emit('update', pod(true), pod(false));
    assert.deepEqual(seen, ['execution ns/x +250', 'execution ns/x +0', 'execution ns/x +0', 'execution ns/x +250', 'execution ns/x +0']);
  });
});
