import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  Annotations,
  type TofuExecution,
  type TofuExecutionStatus,
  type TofuModule,
  type TofuStack,
  type TofuStackStatus,
} from '@tofu-operator/api-types';
import { KubeApiError, type EventRecorder, type KubeClient, type Logger } from '@tofu-operator/reconcile-runtime';
import type { ClusterCache } from '../kube/cluster-cache.js';
import type { StateStore } from '../runner-api/state-store.service.js';
import { RunResolver } from './run-resolver.js';
import { StackReconciler } from './stack.reconciler.js';
import type { InputsResolver } from './inputs-resolver.js';
import type { OwnerOutputs } from './owner-outputs-sync.js';

const quiet = { info: () => undefined, warn: () => undefined, debug: () => undefined, error: () => undefined } as unknown as Logger;
const ctx = { log: quiet, reconcileId: 'r' };
const DIGEST = `sha256:${'b'.repeat(64)}`;
const owned = [{ apiVersion: 'tofu-operator.io/v1alpha1', kind: 'TofuStack', name: 'web', uid: 'web-uid', controller: true }];

function stackWith(autoApply?: boolean): TofuStack {
  return {
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuStack',
    // The trigger of generation 1 with module generation 1 is handled: no new plan is due.
    metadata: { name: 'web', namespace: 'ns', uid: 'web-uid', generation: 1, resourceVersion: '1' },
    spec: { moduleRef: { name: 'mod' }, ...(autoApply === undefined ? {} : { autoApply }) },
    status: { lastTrigger: 'g1/m1' },
  };
}
const module: TofuModule = {
  apiVersion: 'tofu-operator.io/v1alpha1',
  kind: 'TofuModule',
  metadata: { name: 'mod', namespace: 'ns', uid: 'mod-uid', generation: 1 },
  spec: { source: { repository: 'https://git.example.com/mod.git' } },
};

function execution(name: string, second: number, status: TofuExecutionStatus, action: 'plan' | 'apply' = 'plan'): TofuExecution {
  return {
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuExecution',
    metadata: {
      name,
      namespace: 'ns',
      uid: `${name}-uid`,
      generation: 1,
      resourceVersion: '7',
      labels: { 'tofu-operator.io/stack': 'web' },
      annotations: { [Annotations.createdAt]: `2024-04-01T09:00:${10 + second}.000Z` },
      ownerReferences: owned,
    },
    spec: {
      action,
      moduleRef: { name: 'mod' },
      stackRef: { name: 'web' },
      source: { repository: 'https://git.example.com/mod.git', revision: 'main', workdir: '.' },
      ...(action === 'apply' ? { planRef: { name: 'p1', digest: DIGEST } } : {}),
    },
    status,
  };
}
const waiting = (name: string, second: number, hasChanges = true) =>
  execution(name, second, {
    phase: 'Succeeded',
    plan: { digest: DIGEST, commit: 'c0ffee', hasChanges },
    summary: { hasChanges, text: hasChanges ? 'Plan: 1 to add, 0 to change, 0 to destroy.' : 'No changes.' },
  });

/** A stack reconciler over a cache of the stack, its module and its executions; the client records writes. */
function reconciler(stack: TofuStack, executions: TofuExecution[], opts: { createFails?: Error; module?: TofuModule } = {}) {
  const writes: { verb: string; kind: string; name: string; body: unknown }[] = [];
  const events: string[] = [];
  const cache = {
    stacks: { get: () => stack },
    modules: { get: () => opts.module ?? module },
    executions: { byIndex: (index: string) => (index === 'ownerUid' ? executions : []), observeCreate: () => undefined },
  } as unknown as ClusterCache;
  const client = {
    create: (rt: { kind: string }, _ns: string, body: TofuExecution) => {
      writes.push({ verb: 'create', kind: rt.kind, name: body.metadata.name ?? '', body });
      return opts.createFails ? Promise.reject(opts.createFails) : Promise.resolve(body);
    },
    replace: (rt: { kind: string }, _ns: string, name: string, body: unknown) => {
      writes.push({ verb: 'status', kind: rt.kind, name, body });
      return Promise.resolve(body);
    },
    delete: () => Promise.resolve({}),
  } as unknown as KubeClient;
  const recorder = {
    record: (o: { metadata: { name: string } }, _t: string, reason: string) => events.push(`${o.metadata.name} ${reason}`),
  } as unknown as EventRecorder;
  const r = new StackReconciler(
    cache,
    client,
    recorder,
    quiet,
    new RunResolver(cache),
    {} as StateStore,
    { of: () => Promise.resolve(undefined) } as unknown as OwnerOutputs,
    {} as InputsResolver,
  );
  return { r, writes, events };
}

const statusOf = (w: { body: unknown }) => (w.body as { status: TofuStackStatus & TofuExecutionStatus }).status;

describe('OwnerReconciler and approvals', () => {
  it('a plan with changes waits: status.pendingPlan and AwaitingApproval=True on the stack, nothing created', async () => {
    const { r, writes } = reconciler(stackWith(), [waiting('p1', 1)]);
    await r.reconcile({ namespace: 'ns', name: 'web' }, ctx);
    await r.statuses.idle();
    assert.deepEqual(
      writes.map((w) => `${w.verb} ${w.kind} ${w.name}`),
      ['status TofuStack web'],
    );
    const status = statusOf(writes[0] as { body: unknown });
    assert.deepEqual(status.pendingPlan, {
      name: 'p1',
      digest: DIGEST,
      summary: { hasChanges: true, text: 'Plan: 1 to add, 0 to change, 0 to destroy.' },
    });
    const c = status.conditions?.find((x) => x.type === 'AwaitingApproval');
    assert.equal(c?.status, 'True');
    assert.match(c?.message ?? '', /plan p1 .* waits for approval of digest sha256:b{64}/);
  });

  it('a newer plan supersedes the waiting one: approval Superseded on it, Events on it and on the stack', async () => {
    const { r, writes, events } = reconciler(stackWith(), [waiting('p1', 1), execution('p2', 2, { phase: 'Running' })]);
    await r.reconcile({ namespace: 'ns', name: 'web' }, ctx);
    await r.statuses.idle();
    const p1 = writes.find((w) => w.name === 'p1');
    assert.equal(p1?.verb, 'status');
    assert.deepEqual(
      { ...statusOf(p1 as { body: unknown }).approval, at: 'x' },
      { state: 'Superseded', at: 'x', message: 'superseded by p2' },
    );
    const c = statusOf(p1).conditions?.find((x) => x.type === 'AwaitingApproval');
    assert.deepEqual([c?.status, c?.reason], ['False', 'Superseded']);
    assert.deepEqual(events, ['p1 PlanSuperseded', 'web PlanSuperseded']);
    const stack = writes.find((w) => w.kind === 'TofuStack');
    assert.equal(statusOf(stack as { body: unknown }).pendingPlan, undefined, 'the running plan does not wait yet');
  });

  it('autoApply from the module when the stack leaves it unset', async () => {
    const { r, writes } = reconciler(stackWith(), [waiting('p1', 1)], { module: { ...module, spec: { ...module.spec, autoApply: true } } });
    await r.reconcile({ namespace: 'ns', name: 'web' }, ctx);
    assert.equal(writes[0]?.name, 'p1-apply');
  });

  it('autoApply (the stack wins over its module): creates the apply of the newest plan and records the approval', async () => {
    const { r, writes, events } = reconciler(stackWith(true), [waiting('p1', 1)]);
    await r.reconcile({ namespace: 'ns', name: 'web' }, ctx);
    await r.statuses.idle();
    assert.deepEqual(
      writes.map((w) => `${w.verb} ${w.kind} ${w.name}`),
      ['create TofuExecution p1-apply', 'status TofuExecution p1'],
    );
    const apply = writes[0]?.body as TofuExecution;
    assert.equal(apply.spec.action, 'apply');
    assert.deepEqual(apply.spec.planRef, { name: 'p1', digest: DIGEST });
    assert.equal(apply.spec.source?.revision, 'c0ffee', 'the commit the plan was made at');
    assert.deepEqual(apply.metadata.ownerReferences, owned);
    const approval = statusOf(writes[1] as { body: unknown }).approval;
    assert.deepEqual([approval?.state, approval?.by, approval?.digest], ['Approved', undefined, DIGEST]);
    assert.deepEqual(events, ['web PlanAutoApplied', 'p1 PlanAutoApplied']);
  });

  it('autoApply: an apply that exists already (an earlier reconcile) is done, not an error', async () => {
    const exists = new KubeApiError('POST', '/x', 409, { reason: 'AlreadyExists', message: 'exists' });
    const { r, writes, events } = reconciler(stackWith(true), [waiting('p1', 1)], { createFails: exists });
    await r.reconcile({ namespace: 'ns', name: 'web' }, ctx);
    assert.deepEqual(
      writes.map((w) => `${w.verb} ${w.name}`),
      ['create p1-apply', 'status p1'],
    );
    assert.deepEqual(events, [], 'no second event for the same apply');
  });

  it('a destroy request creates a destroy plan (spec.destroy) from its trigger; its approval destroys', async () => {
    const requested = stackWith();
    requested.metadata.annotations = { [Annotations.destroyRequestedAt]: '2026-11-30T07:00:00.000Z' };
    const { r, writes, events } = reconciler(requested, [execution('a1', 2, { phase: 'Succeeded' }, 'apply')]);
    await r.reconcile({ namespace: 'ns', name: 'web' }, ctx);
    assert.deepEqual(
      writes.map((w) => w.verb),
      ['create'],
    );
    const plan = writes[0]?.body as TofuExecution;
    assert.deepEqual([plan.spec.action, plan.spec.destroy], ['plan', true]);
    assert.equal(plan.metadata.annotations?.[Annotations.trigger], 'destroy/d2026-11-30T07:00:00.000Z');
    assert.deepEqual(plan.metadata.ownerReferences, [{ ...owned[0], blockOwnerDeletion: true }]);
    assert.match(events[0] ?? '', /web ExecutionCreated/);

    const destroyPlan = { ...waiting(plan.metadata.name ?? '', 3), spec: { ...plan.spec } };
    const auto = reconciler({ ...requested, spec: { ...requested.spec, autoApply: true } }, [destroyPlan]);
    await auto.r.reconcile({ namespace: 'ns', name: 'web' }, ctx);
    const destroy = auto.writes[0]?.body as TofuExecution;
    assert.deepEqual([destroy.spec.action, destroy.spec.planRef?.name], ['destroy', plan.metadata.name]);
  });

  const autoModule: TofuModule = { ...module, spec: { ...module.spec, autoApply: true } };
  const noApply: { name: string; stack: TofuStack; xs: TofuExecution[]; module?: TofuModule }[] = [
    { name: 'a plan without changes is never applied', stack: stackWith(true), xs: [waiting('p1', 1, false)] },
    {
      name: 'one run at a time: a run in progress goes first',
      stack: stackWith(true),
      xs: [waiting('p1', 1), execution('by-hand', 2, { phase: 'Running' }, 'apply')],
    },
    { name: 'a plan an apply carries out already', stack: stackWith(true), xs: [waiting('p1', 1), execution('p1-apply', 2, {}, 'apply')] },
    { name: 'autoApply off on the stack wins over the module', stack: stackWith(false), xs: [waiting('p1', 1)], module: autoModule },
  ];
  for (const { name, stack, xs, module: m } of noApply) {
    it(`autoApply creates nothing: ${name}`, async () => {
      const { r, writes } = reconciler(stack, xs, m ? { module: m } : {});
      await r.reconcile({ namespace: 'ns', name: 'web' }, ctx);
      await r.statuses.idle();
      assert.deepEqual(
        writes.filter((w) => w.verb === 'create'),
        [],
      );
    });
  }
});
