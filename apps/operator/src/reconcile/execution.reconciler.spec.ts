import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TofuExecution, TofuModule, TofuStack } from '@tofu-operator/api-types';
import type { EventRecorder, KubeClient, Logger } from '@tofu-operator/reconcile-runtime';
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
