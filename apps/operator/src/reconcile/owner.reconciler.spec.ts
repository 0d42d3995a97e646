import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TofuExecution, TofuModule, TofuStack } from '@tofu-operator/api-types';
import { KubeApiError, type EventRecorder, type KubeClient, type Logger } from '@tofu-operator/reconcile-runtime';
import type { ClusterCache } from '../kube/cluster-cache.js';
import type { StateStore } from '../runner-api/state-store.service.js';
import { RunResolver } from './run-resolver.js';
import { StackReconciler } from './stack.reconciler.js';
import type { InputsResolver } from './inputs-resolver.js';
import type { OwnerOutputs } from './owner-outputs-sync.js';

const quiet = { info: () => undefined, warn: () => undefined, debug: () => undefined, error: () => undefined } as unknown as Logger;

const stack: TofuStack = {
  apiVersion: 'tofu-operator.io/v1alpha1',
  kind: 'TofuStack',
  metadata: { name: 'web', namespace: 'ns', uid: 'web-uid', generation: 1, resourceVersion: '1' },
  spec: { moduleRef: { name: 'mod' } },
};
const module: TofuModule = {
  apiVersion: 'tofu-operator.io/v1alpha1',
  kind: 'TofuModule',
  metadata: { name: 'mod', namespace: 'ns', uid: 'mod-uid', generation: 1 },
  spec: { source: { repository: 'https://git.example.com/mod.git' } },
};
/** A hand-made execution of the stack, not adopted yet, as the cache shows it. */
const byHand: TofuExecution = {
  apiVersion: 'tofu-operator.io/v1alpha1',
  kind: 'TofuExecution',
  metadata: { name: 'by-hand', namespace: 'ns', uid: 'x-uid', resourceVersion: '5' },
  spec: { action: 'plan', stackRef: { name: 'web' } },
};

/** A stack reconciler over a cache holding the stack, its module and one orphan; adoption answers as told. */
function reconciler(adopt: () => Promise<TofuExecution>) {
  const calls: string[] = [];
  const cache = {
    stacks: { get: () => stack },
    modules: { get: () => module },
    executions: { byIndex: (index: string) => (index === 'orphans:TofuStack' ? [byHand] : []) },
  } as unknown as ClusterCache;
  const client = {
    mergePatch: (_rt: unknown, _ns: string, name: string) => {
      calls.push(`adopt ${name}`);
      return adopt();
    },
    create: (_rt: unknown, _ns: string, body: TofuExecution) => {
      calls.push(`create ${body.metadata.name}`);
      return Promise.resolve(body);
    },
    replace: (_rt: unknown, _ns: string, _name: string, body: unknown) => Promise.resolve(body),
  } as unknown as KubeClient;
  const r = new StackReconciler(
    cache,
    client,
    { record: () => undefined } as unknown as EventRecorder,
    quiet,
    new RunResolver(cache),
    {} as StateStore,
    { of: () => Promise.resolve(undefined) } as unknown as OwnerOutputs,
    {} as InputsResolver,
  );
  return { r, calls };
}

describe('OwnerReconciler adopting hand-made executions', () => {
  const ctx = { log: quiet, reconcileId: 'r' };

  it('counts an adopted run as running: the owner waits instead of starting a second run', async () => {
    const adopted = {
      ...byHand,
      metadata: {
        ...byHand.metadata,
        ownerReferences: [{ apiVersion: 'v', kind: 'TofuStack', name: 'web', uid: 'web-uid', controller: true }],
      },
    };
    const { r, calls } = reconciler(() => Promise.resolve(adopted));
    assert.equal(await r.reconcile({ namespace: 'ns', name: 'web' }, ctx), undefined);
    assert.deepEqual(calls, ['adopt by-hand']);
    await r.statuses.idle();
  });

  it('decides nothing when an orphan changed under it (conflict): it may be a run in progress', async () => {
    const conflict = new KubeApiError('PATCH', '/x', 409, { reason: 'Conflict', message: 'the object has been modified' });
    const { r, calls } = reconciler(() => Promise.reject(conflict));
    assert.deepEqual(await r.reconcile({ namespace: 'ns', name: 'web' }, ctx), { requeueAfterMs: 200 });
    assert.deepEqual(calls, ['adopt by-hand'], 'no execution of its own is created');
  });
});
