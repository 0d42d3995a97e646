import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Annotations, type TofuExecution, type TofuExecutionStatus, type TofuModule, type TofuStack } from '@tofu-operator/api-types';
import type { EventRecorder, KubeClient, Logger } from '@tofu-operator/reconcile-runtime';
import { executionNameFor } from '../execution/naming.js';
import type { ClusterCache } from '../kube/cluster-cache.js';
import type { StateRef, StateStore } from '../runner-api/state-store.service.js';
import { destroyStepOf, destroyTriggerOf, finalizersWith } from './owner-deletion.js';
import { RunResolver } from './run-resolver.js';
import { ModuleReconciler } from './module.reconciler.js';
import { StackReconciler } from './stack.reconciler.js';
import type { InputsResolver } from './inputs-resolver.js';
import type { OwnerOutputs } from './owner-outputs-sync.js';

const quiet = { info: () => undefined, warn: () => undefined, debug: () => undefined, error: () => undefined } as unknown as Logger;
const ctx = { log: quiet, reconcileId: 'r' };
const DIGEST = `sha256:${'c'.repeat(64)}`;
const FINALIZER = 'tofu-operator.io/destroy';

function stack(opts: { policy?: 'Destroy' | 'Orphan'; deleting?: boolean; finalizers?: string[]; autoApply?: boolean } = {}): TofuStack {
  return {
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuStack',
    metadata: {
      name: 'web',
      namespace: 'ns',
      uid: 'web-uid',
      generation: 1,
      resourceVersion: '42',
      ...(opts.finalizers ? { finalizers: opts.finalizers } : {}),
      ...(opts.deleting ? { deletionTimestamp: '2024-04-01T10:00:00Z' } : {}),
    },
    spec: {
      moduleRef: { name: 'mod' },
      ...(opts.policy ? { deletionPolicy: opts.policy } : {}),
      ...(opts.autoApply === undefined ? {} : { autoApply: opts.autoApply }),
    },
    status: { lastTrigger: 'g1/m1' },
  };
}
const module: TofuModule = {
  apiVersion: 'tofu-operator.io/v1alpha1',
  kind: 'TofuModule',
  // Being deleted too (a namespace going away): a stack's destroy still uses it.
  metadata: { name: 'mod', namespace: 'ns', uid: 'mod-uid', generation: 1, deletionTimestamp: '2024-04-01T10:00:00Z' },
  spec: { source: { repository: 'https://git.example.com/mod.git' } },
};

function exec(
  name: string,
  second: number,
  status: TofuExecutionStatus,
  action: 'plan' | 'destroy' = 'plan',
  planRef?: string,
): TofuExecution {
  return {
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuExecution',
    metadata: {
      name,
      namespace: 'ns',
      uid: `${name}-uid`,
      annotations: { [Annotations.createdAt]: `2024-04-01T09:00:${10 + second}.000Z` },
      ownerReferences: [{ apiVersion: 'tofu-operator.io/v1alpha1', kind: 'TofuStack', name: 'web', uid: 'web-uid', controller: true }],
    },
    spec: {
      action,
      stackRef: { name: 'web' },
      source: { repository: 'https://git.example.com/mod.git', workdir: '.' },
      ...(action === 'plan' ? { destroy: true } : { planRef: { name: planRef ?? '', digest: DIGEST } }),
    },
    status,
  };
}
const planned = (hasChanges: boolean, extra: TofuExecutionStatus = {}): TofuExecutionStatus => ({
  phase: 'Succeeded',
  plan: { digest: DIGEST, commit: 'c0ffee', hasChanges },
  ...extra,
});

describe('destroyStepOf', () => {
  const deleting = stack({ policy: 'Destroy', deleting: true, finalizers: [FINALIZER] });
  const P = 'web-destroy';
  const table: { name: string; xs: TofuExecution[]; auto?: boolean; unresolved?: string; expect: string }[] = [
    { name: 'no destroy plan yet: plan it', xs: [], expect: 'plan' },
    {
      name: 'a run in progress goes first',
      xs: [exec('p0', 0, { phase: 'Running' })],
      expect: 'wait:the destroy is planned when p0 has finished',
    },
    { name: 'the module is missing', xs: [], unresolved: 'TofuModule "mod" not found', expect: 'failed:cannot plan the destroy' },
    { name: 'the destroy plan runs', xs: [exec(P, 1, { phase: 'Running' })], expect: 'wait:planning the destroy: web-destroy is running' },
    {
      name: 'the destroy plan failed',
      xs: [exec(P, 1, { phase: 'Failed', message: 'boom' })],
      expect: 'failed:the destroy plan web-destroy failed (boom)',
    },
    { name: 'nothing to destroy: let go, remove the state', xs: [exec(P, 1, planned(false))], expect: 'release:state' },
    {
      name: 'changes, no autoApply: wait for approval',
      xs: [exec(P, 1, planned(true))],
      expect: 'wait:the destroy plan web-destroy waits for approval',
    },
    { name: 'changes, autoApply: apply', xs: [exec(P, 1, planned(true))], auto: true, expect: 'apply' },
    {
      name: 'rejected',
      xs: [exec(P, 1, planned(true, { approval: { state: 'Rejected', at: 't' } }))],
      expect: 'failed:the destroy plan web-destroy was rejected',
    },
    {
      name: 'the destroy runs',
      xs: [exec(P, 1, planned(true)), exec('d', 2, { phase: 'Running' }, 'destroy', P)],
      expect: 'wait:destroying: d is running',
    },
    {
      name: 'the destroy failed',
      xs: [exec(P, 1, planned(true)), exec('d', 2, { phase: 'Failed', message: 'tofu said no' }, 'destroy', P)],
      expect: 'failed:the destroy d failed (tofu said no)',
    },
    {
      name: 'the destroy succeeded',
      xs: [exec(P, 1, planned(true)), exec('d', 2, { phase: 'Succeeded' }, 'destroy', P)],
      expect: 'release:state',
    },
  ];
  for (const { name, xs, auto, unresolved, expect } of table) {
    it(name, () => {
      const step = destroyStepOf(deleting, xs, P, auto ?? false, unresolved);
      const got =
        step.kind === 'wait'
          ? `${step.failed ? 'failed' : 'wait'}:${step.message}`
          : step.kind === 'release'
            ? `release:${step.removeState ? 'state' : 'keep'}`
            : step.kind;
      assert.ok(got.startsWith(expect), `${got} starts with ${expect}`);
      if (step.kind === 'wait' && step.failed) assert.match(step.message, /spec\.deletionPolicy: Orphan/, 'the way out is named');
    });
  }
  it('Orphan (also set on an object being deleted): let go at once, the state stays', () => {
    const orphan = stack({ policy: 'Orphan', deleting: true, finalizers: [FINALIZER] });
    assert.deepEqual(destroyStepOf(orphan, [exec(P, 1, { phase: 'Running' })], P, false), {
      kind: 'release',
      removeState: false,
      why: 'deletionPolicy Orphan: the resources and the state stay',
    });
  });
  it('the destroy plan of a new re-plan request has another trigger', () => {
    const s = stack();
    assert.equal(destroyTriggerOf(s), 'destroy');
    s.metadata.annotations = { [Annotations.requestedAt]: 'x' };
    assert.equal(destroyTriggerOf(s), 'destroy/rx');
  });
  it('finalizersWith keeps the other finalizers', () => {
    const s = stack({ finalizers: ['other.io/x', FINALIZER] });
    assert.deepEqual(finalizersWith(s, false), ['other.io/x']);
    assert.deepEqual(finalizersWith(stack({ finalizers: ['other.io/x'] }), true), ['other.io/x', FINALIZER]);
  });
});

/** A stack reconciler over a cache of one stack, its module and its executions; records every write. */
function reconciler(s: TofuStack, executions: TofuExecution[]) {
  const writes: string[] = [];
  const patches: unknown[] = [];
  const removed: StateRef[] = [];
  const cache = {
    stacks: { get: () => s },
    modules: { get: () => module },
    executions: { byIndex: (index: string) => (index === 'ownerUid' ? executions : []), observeCreate: () => undefined },
  } as unknown as ClusterCache;
  const client = {
    create: (_rt: unknown, _ns: string, body: TofuExecution) => {
      writes.push(`create ${body.spec.action}${body.spec.destroy ? ' -destroy' : ''}`);
      return Promise.resolve(body);
    },
    mergePatch: (rt: { kind: string }, _ns: string, name: string, patch: unknown) => {
      writes.push(`patch ${rt.kind} ${name}`);
      patches.push(patch);
      return Promise.resolve({});
    },
    replace: (rt: { kind: string }, _ns: string, name: string, body: unknown) => {
      writes.push(`status ${rt.kind} ${name}`);
      return Promise.resolve(body);
    },
  } as unknown as KubeClient;
  const states = {
    remove: (ref: StateRef) => {
      writes.push('remove state');
      removed.push(ref);
      return Promise.resolve();
    },
  } as unknown as StateStore;
  const events = { record: () => undefined } as unknown as EventRecorder;
  const r = new StackReconciler(
    cache,
    client,
    events,
    quiet,
    new RunResolver(cache),
    states,
    { of: () => Promise.resolve(undefined) } as unknown as OwnerOutputs,
    {} as InputsResolver,
  );
  return { r, writes, patches, removed };
}

describe('OwnerReconciler and deletionPolicy', () => {
  it('Destroy: a live stack gets the finalizer, by a patch with its resourceVersion', async () => {
    const { r, writes, patches } = reconciler(stack({ policy: 'Destroy', finalizers: ['other.io/x'] }), []);
    await r.reconcile({ namespace: 'ns', name: 'web' }, ctx);
    assert.deepEqual(writes.slice(0, 1), ['patch TofuStack web'], 'before anything else');
    assert.deepEqual(patches, [{ metadata: { resourceVersion: '42', finalizers: ['other.io/x', FINALIZER] } }]);
  });
  it('Orphan: the finalizer is taken off a live stack', async () => {
    const { r, patches } = reconciler(stack({ policy: 'Orphan', finalizers: [FINALIZER] }), []);
    await r.reconcile({ namespace: 'ns', name: 'web' }, ctx);
    assert.deepEqual(patches, [{ metadata: { resourceVersion: '42', finalizers: [] } }]);
  });
  it('deleting with Destroy: plans the destroy (action plan, spec.destroy) with a module being deleted too', async () => {
    const { r, writes } = reconciler(stack({ policy: 'Destroy', deleting: true, finalizers: [FINALIZER] }), []);
    await r.reconcile({ namespace: 'ns', name: 'web' }, ctx);
    assert.deepEqual(writes, ['create plan -destroy']);
  });
  it('deleting with Destroy and autoApply: the destroy plan with changes gets its destroy execution', async () => {
    const s = stack({ policy: 'Destroy', deleting: true, finalizers: [FINALIZER], autoApply: true });
    const name = planNameOf(s);
    const { r, writes } = reconciler(s, [exec(name, 1, { ...planned(true), resolved: {} })]);
    await r.reconcile({ namespace: 'ns', name: 'web' }, ctx);
    assert.deepEqual(writes.slice(0, 1), ['create destroy']);
  });
  it('deleting with Destroy: after the destroy succeeded, the state is removed, then the finalizer', async () => {
    const s = stack({ policy: 'Destroy', deleting: true, finalizers: [FINALIZER] });
    const name = planNameOf(s);
    const { r, writes, removed, patches } = reconciler(s, [
      exec(name, 1, planned(true)),
      exec('d', 2, { phase: 'Succeeded' }, 'destroy', name),
    ]);
    await r.reconcile({ namespace: 'ns', name: 'web' }, ctx);
    assert.deepEqual(writes, ['remove state', 'patch TofuStack web']);
    assert.deepEqual(removed, [{ namespace: 'ns', kind: 'stack', owner: 'web' }]);
    assert.deepEqual(patches, [{ metadata: { resourceVersion: '42', finalizers: [] } }]);
  });
  it('deleting, switched to Orphan: the finalizer goes at once, the state stays', async () => {
    const s = stack({ policy: 'Orphan', deleting: true, finalizers: [FINALIZER] });
    const { r, writes } = reconciler(s, [exec(planNameOf(s), 1, { phase: 'Running' })]);
    await r.reconcile({ namespace: 'ns', name: 'web' }, ctx);
    assert.deepEqual(writes, ['patch TofuStack web']);
  });
  it("a module with Destroy removes only its own direct state (kind module), not its stacks' states", async () => {
    const m: TofuModule = {
      ...module,
      metadata: { ...module.metadata, resourceVersion: '7', finalizers: [FINALIZER] },
      spec: { ...module.spec, deletionPolicy: 'Destroy' },
    };
    const plan = executionNameFor('mod', 'mod-uid', 'destroy');
    const owned = [{ apiVersion: 'tofu-operator.io/v1alpha1', kind: 'TofuModule', name: 'mod', uid: 'mod-uid', controller: true }];
    const mine = (x: TofuExecution): TofuExecution => ({ ...x, metadata: { ...x.metadata, ownerReferences: owned } });
    const removed: StateRef[] = [];
    const cache = {
      modules: { get: () => m },
      executions: {
        byIndex: (index: string) =>
          index === 'ownerUid' ? [mine(exec(plan, 1, planned(true))), mine(exec('d', 2, { phase: 'Succeeded' }, 'destroy', plan))] : [],
      },
    } as unknown as ClusterCache;
    const client = { mergePatch: () => Promise.resolve({}) } as unknown as KubeClient;
    const states = { remove: (ref: StateRef) => Promise.resolve(void removed.push(ref)) } as unknown as StateStore;
    const events = { record: () => undefined } as unknown as EventRecorder;
    const r = new ModuleReconciler(
      cache,
      client,
      events,
      quiet,
      new RunResolver(cache),
      states,
      { of: () => Promise.resolve(undefined) } as unknown as OwnerOutputs,
      {} as InputsResolver,
    );
    await r.reconcile({ namespace: 'ns', name: 'mod' }, ctx);
    assert.deepEqual(removed, [{ namespace: 'ns', kind: 'module', owner: 'mod' }]);
  });
  it('deleting without the finalizer: nothing to do', async () => {
    const { r, writes } = reconciler(stack({ policy: 'Destroy', deleting: true }), []);
    await r.reconcile({ namespace: 'ns', name: 'web' }, ctx);
    assert.deepEqual(writes, []);
  });
});

/** The destroy plan's name: deterministic from the owner's uid and the destroy trigger. */
function planNameOf(s: TofuStack): string {
  return executionNameFor('web', s.metadata.uid ?? '', destroyTriggerOf(s));
}
