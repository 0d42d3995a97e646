import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TofuExecution, TofuModule, TofuStack } from '@tofu-operator/api-types';
import type { EventRecorder, Job, KubeClient, Logger } from '@tofu-operator/reconcile-runtime';
import { KubeApiError } from '@tofu-operator/reconcile-runtime';
import type { ClusterCache } from '../kube/cluster-cache.js';
import type { JobPreparer } from './job-preparer.js';
import type { PlanDecisions } from './plan-decisions.js';
import { ExecutionReconciler } from './execution.reconciler.js';
import type { RunQueue } from './run-queue.js';
import { RunResolver } from './run-resolver.js';

const quiet = { info: () => undefined, warn: () => undefined, debug: () => undefined, error: () => undefined } as unknown as Logger;

describe('ExecutionReconciler', () => {
  it("refuses a hand-made execution whose moduleRef is not its stack's module: Failed, InvalidSpec, no Job", async () => {
    const execution: TofuExecution = {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuExecution',
      metadata: { name: 'mixed', namespace: 'ns', uid: 'x-uid', generation: 1, resourceVersion: '7' },
      spec: { action: 'plan', moduleRef: { name: 'a' }, stackRef: { name: 's' } },
    };
    const modules: TofuModule[] = ['a', 'b'].map((name) => ({
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuModule',
      metadata: { name, namespace: 'ns' },
      spec: { source: { repository: `https://git.example.com/${name}.git` } },
    }));
    const stack: TofuStack = {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuStack',
      metadata: { name: 's', namespace: 'ns' },
      spec: { moduleRef: { name: 'b' } },
    };
    const cache = {
      executions: { get: () => execution },
      jobs: { get: () => undefined, byIndex: () => [] },
      modules: { get: (_ns: string, name: string) => modules.find((m) => m.metadata.name === name) },
      stacks: { get: (_ns: string, name: string) => (name === 's' ? stack : undefined) },
    } as unknown as ClusterCache;
    const writes: { path: string; body: TofuExecution; opts: unknown }[] = [];
    const client = {
      replace: (_rt: unknown, ns: string, name: string, body: TofuExecution, opts: unknown) => {
        writes.push({ path: `${ns}/${name}`, body, opts });
        return Promise.resolve(body);
      },
      create: () => assert.fail('no Job is created'),
    } as unknown as KubeClient;
    const reconciler = new ExecutionReconciler(
      cache,
      client,
      {} as EventRecorder,
      new RunResolver(cache),
      {} as JobPreparer,
      {} as PlanDecisions,
      {} as RunQueue,
      quiet,
    );

    const result = await reconciler.reconcile({ namespace: 'ns', name: 'mixed' }, { log: quiet, reconcileId: 'r' });

    assert.equal(result, undefined, 'final: not looked at again');
    assert.equal(writes.length, 1);
    const status = writes[0]?.body.status;
    assert.equal(writes[0]?.path, 'ns/mixed');
    assert.deepEqual(writes[0]?.opts, { subresource: 'status', priority: undefined });
    assert.equal(status?.phase, 'Failed');
    assert.equal(status?.failureCategory, 'InvalidSpec');
    assert.equal(status?.resolved, undefined, 'nothing was resolved');
    const ready = status?.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.status, 'False');
    assert.equal(ready?.reason, 'InvalidSpec');
    assert.match(ready?.message ?? '', /spec\.moduleRef names TofuModule "a" but spec\.stackRef's TofuStack "s" runs TofuModule "b"/);
  });
});

describe('ExecutionReconciler and the run queue', () => {
  const planned = (annotations?: Record<string, string>, status?: TofuExecution['status']): TofuExecution => ({
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuExecution',
    metadata: { name: 'p1', namespace: 'ns', uid: 'p1-uid', generation: 1, resourceVersion: '3', ...(annotations ? { annotations } : {}) },
    spec: { action: 'plan', moduleRef: { name: 'm' }, source: { repository: 'https://git.example.com/m.git' } },
    ...(status ? { status } : {}),
  });

  function setup(execution: TofuExecution, queue: Partial<RunQueue>, job?: Job) {
    const cache = {
      executions: { get: () => execution, byIndex: () => [] },
      jobs: { get: () => job, byIndex: () => [] },
      pods: { byIndex: () => [] },
      modules: { get: () => undefined },
      stacks: { get: () => undefined },
    } as unknown as ClusterCache;
    const writes: TofuExecution[] = [];
    const client = {
      replace: (_rt: unknown, _ns: string, _name: string, body: TofuExecution) => {
        writes.push(body);
        return Promise.resolve(body);
      },
      delete: () => Promise.resolve(),
      create: () => assert.fail('no Job is created'),
    } as unknown as KubeClient;
    const events: string[] = [];
    const recorder = { record: (_o: unknown, _t: string, reason: string) => events.push(reason) } as unknown as EventRecorder;
    const preparer = {
      prepare: () => assert.fail('a waiting run is not prepared'),
      verifyPlan: (_x: TofuExecution, run: unknown) => Promise.resolve(run),
    } as unknown as JobPreparer;
    const reconciler = new ExecutionReconciler(
      cache,
      client,
      recorder,
      new RunResolver(cache),
      preparer,
      {} as PlanDecisions,
      queue as RunQueue,
      quiet,
    );
    return { reconciler, writes, events };
  }

  it('writes the place of a run that gets no slot, and neither prepares nor creates its Job', async () => {
    const place = {
      uid: 'p1-uid',
      namespace: 'ns',
      name: 'p1',
      admit: false,
      position: 2,
      length: 5,
      limit: 'Operator' as const,
      going: 3,
      cap: 3,
    };
    const { reconciler, writes } = setup(planned(), { acquire: () => ({ slot: false, place }) });
    const result = await reconciler.reconcile({ namespace: 'ns', name: 'p1' }, { log: quiet, reconcileId: 'r' });
    await reconciler.statuses.idle();
    assert.deepEqual(result, { requeueAfterMs: 60_000 }, 'woken by the queue; a slow resync as a safety net');
    assert.equal(writes.length, 1);
    const status = writes[0]?.status;
    assert.equal(status?.phase, 'Pending');
    assert.deepEqual({ ...status?.queue, since: undefined }, { position: 2, length: 5, limit: 'Operator', since: undefined });
    const queued = status?.conditions?.find((c) => c.type === 'Queued');
    assert.equal(queued?.message, '2nd of 5 waiting: 3 of 3 runs going (TOFU_OPERATOR_MAX_CONCURRENT_RUNS)');
  });

  it('does not write again while the place shown is still right', async () => {
    const place = {
      uid: 'p1-uid',
      namespace: 'ns',
      name: 'p1',
      admit: false,
      position: 30,
      length: 40,
      limit: 'Operator' as const,
      going: 3,
      cap: 3,
    };
    const shown = {
      phase: 'Pending' as const,
      queue: { position: 31, length: 41, limit: 'Operator' as const, since: '2026-11-30T12:00:00Z' },
    };
    const { reconciler, writes } = setup(planned(undefined, shown), { acquire: () => ({ slot: false, place }) });
    await reconciler.reconcile({ namespace: 'ns', name: 'p1' }, { log: quiet, reconcileId: 'r' });
    await reconciler.statuses.idle();
    assert.equal(writes.length, 0);
  });

  it('ends a superseded run without a Job Failed/Superseded, and never asks for a slot', async () => {
    const { reconciler, writes, events } = setup(planned({ 'tofu-operator.io/superseded-by': 'p2' }), {
      acquire: () => assert.fail('a superseded run asks for no slot'),
    });
    assert.equal(await reconciler.reconcile({ namespace: 'ns', name: 'p1' }, { log: quiet, reconcileId: 'r' }), undefined);
    assert.equal(writes[0]?.status?.phase, 'Failed');
    assert.equal(writes[0]?.status?.failureCategory, 'Superseded');
    assert.match(writes[0]?.status?.message ?? '', /superseded by p2/);
    assert.deepEqual(events, ['Superseded']);
  });

  it('ignores the superseded mark of a run that has its Job', async () => {
    const job = {
      metadata: {
        name: 'p1',
        namespace: 'ns',
        uid: 'j',
        ownerReferences: [{ controller: true, uid: 'p1-uid', kind: 'TofuExecution', name: 'p1' }],
      },
    } as unknown as Job;
    const execution = planned({ 'tofu-operator.io/superseded-by': 'p2' }, { phase: 'Running', jobName: 'p1' });
    const { reconciler, writes } = setup(execution, { acquire: () => assert.fail('it has its slot') }, job);
    await reconciler.reconcile({ namespace: 'ns', name: 'p1' }, { log: quiet, reconcileId: 'r' });
    await reconciler.statuses.idle();
    assert.ok(writes.every((w) => w.status?.phase !== 'Failed'));
  });
});

describe('ExecutionReconciler final Events', () => {
  it('records a final transition only when its own write ended the run (a reconcile racing the cache records nothing)', async () => {
    // The cache still shows the run waiting; the stored execution was already ended by another reconcile.
    const cached: TofuExecution = {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuExecution',
      metadata: {
        name: 'p1',
        namespace: 'ns',
        uid: 'p1-uid',
        generation: 1,
        resourceVersion: '3',
        annotations: { 'tofu-operator.io/superseded-by': 'p2' },
      },
      spec: { action: 'plan', moduleRef: { name: 'm' }, source: { repository: 'https://git.example.com/m.git' } },
    };
    const stored: TofuExecution = {
      ...cached,
      metadata: { ...cached.metadata, resourceVersion: '4' },
      status: { phase: 'Failed', failureCategory: 'Superseded' },
    };
    const cache = {
      executions: { get: () => cached, byIndex: () => [] },
      jobs: { get: () => undefined, byIndex: () => [] },
      pods: { byIndex: () => [] },
      modules: { get: () => undefined },
      stacks: { get: () => undefined },
    } as unknown as ClusterCache;
    let replaced = 0;
    const client = {
      replace: () => {
        replaced++;
        return Promise.reject(new KubeApiError('PUT', '/x', 409, { reason: 'Conflict', message: 'changed' }));
      },
      get: () => Promise.resolve(stored),
    } as unknown as KubeClient;
    const events: string[] = [];
    const recorder = { record: (_o: unknown, _t: string, reason: string) => events.push(reason) } as unknown as EventRecorder;
    const reconciler = new ExecutionReconciler(
      cache,
      client,
      recorder,
      new RunResolver(cache),
      {} as JobPreparer,
      {} as PlanDecisions,
      { acquire: () => assert.fail('no slot') } as unknown as RunQueue,
      quiet,
    );
    await reconciler.reconcile({ namespace: 'ns', name: 'p1' }, { log: quiet, reconcileId: 'r' });
    assert.equal(replaced, 1, 'one attempt, then the stored final status stands');
    assert.deepEqual(events, [], 'the run was ended (and its Event recorded) by the other reconcile');
  });
});
