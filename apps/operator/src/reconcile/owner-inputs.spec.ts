import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TofuExecution, TofuModule, TofuModuleStatus, TofuStack } from '@tofu-operator/api-types';
import type { EventRecorder, KubeClient, Logger } from '@tofu-operator/reconcile-runtime';
import type { ClusterCache } from '../kube/cluster-cache.js';
import type { StateStore } from '../runner-api/state-store.service.js';
import type { DependencyState } from './dependencies.js';
import { buildInputs, InputsError } from './inputs.js';
import type { InputsResolver } from './inputs-resolver.js';
import { ModuleReconciler } from './module.reconciler.js';
import { inputObjectKeys, inputsGateOf } from './owner-inputs.js';
import type { OwnerOutputs } from './owner-outputs-sync.js';
import { RunResolver } from './run-resolver.js';

const quiet = { info: () => undefined, warn: () => undefined, debug: () => undefined, error: () => undefined } as unknown as Logger;

function moduleWith(spec: Partial<TofuModule['spec']> = {}): TofuModule {
  return {
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuModule',
    metadata: { name: 'mod', namespace: 'ns', uid: 'mod-uid', generation: 1, resourceVersion: '1' },
    spec: { source: { repository: 'https://git.example.com/mod.git' }, ...spec },
  };
}
function stackWith(spec: Partial<TofuStack['spec']> = {}): TofuStack {
  return {
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuStack',
    metadata: { name: 'web', namespace: 'ns', uid: 'web-uid', generation: 1 },
    spec: { moduleRef: { name: 'mod' }, ...spec },
  };
}
const vars = (v: Record<string, unknown>) => v as TofuModule['spec']['variables'];

/** A resolver answering the digest of the given spec variables, or throwing `fails`. */
function resolverOf(fails?: InputsError): InputsResolver & { calls: unknown[][] } {
  const calls: unknown[][] = [];
  return {
    calls,
    resolve: (module: TofuModule, stack?: TofuStack, deps: unknown[] = []) => {
      calls.push([module.metadata.name, stack?.metadata.name, deps]);
      if (fails) return Promise.reject(fails);
      return Promise.resolve(buildInputs([{ kind: 'TofuModule', name: 'mod', variables: module.spec.variables ?? {} }]));
    },
  } as unknown as InputsResolver & { calls: unknown[][] };
}
const ready: DependencyState = {
  ready: true,
  inputs: [{ variable: 'vpc', stack: 'net', output: 'vpc_id' }],
  message: 'dependency "net" applied successfully',
};

describe('inputsGateOf', () => {
  it('without any inputs: no digest (the owner keeps its old triggers) and no resolving', async () => {
    const resolver = resolverOf();
    assert.deepEqual(await inputsGateOf(resolver, moduleWith()), {});
    assert.deepEqual(resolver.calls, []);
  });

  it('with inputs: the digest of the resolved inputs; a stack passes its dependency inputs and gets DependenciesReady True', async () => {
    const resolver = resolverOf();
    const gate = await inputsGateOf(resolver, moduleWith({ variables: vars({ a: 1 }) }));
    assert.match(gate.digest ?? '', /^sha256:/);
    const stackGate = await inputsGateOf(
      resolver,
      moduleWith(),
      stackWith({ inputsFrom: [{ stackRef: { name: 'net' }, output: 'vpc_id', variable: 'vpc' }] }),
      ready,
    );
    assert.match(stackGate.digest ?? '', /^sha256:/);
    assert.deepEqual(stackGate.dependencies, { ready: true, reason: 'Ready', message: ready.message });
    assert.deepEqual(resolver.calls[1], ['mod', 'web', ready.inputs]);
  });

  it('dependencies not ready block the plan (waiting, except a cycle) with the same reason on DependenciesReady', async () => {
    const resolver = resolverOf();
    const waiting = await inputsGateOf(resolver, moduleWith(), stackWith(), {
      ready: false,
      reason: 'DependencyNotApplied',
      message: 'waiting for stack "net"',
    });
    assert.deepEqual(waiting.blocked, { reason: 'DependencyNotApplied', message: 'waiting for stack "net"', pending: true });
    assert.deepEqual(waiting.dependencies, { ready: false, reason: 'DependencyNotApplied', message: 'waiting for stack "net"' });
    const cycle = await inputsGateOf(resolver, moduleWith(), stackWith(), {
      ready: false,
      reason: 'DependencyCycle',
      message: 'dependency cycle: a → b → a',
    });
    assert.equal(cycle.blocked?.pending, false);
    assert.deepEqual(resolver.calls, []);
  });

  it('refuses a bad spec.variables key: InvalidSpec for its own, InputsInvalid naming the module for a stack', async () => {
    const resolver = resolverOf();
    const own = await inputsGateOf(resolver, moduleWith({ variables: vars({ 'bad key': 1 }) }));
    assert.deepEqual(own.blocked, {
      reason: 'InvalidSpec',
      message: 'spec.variables.bad key: not a variable name (an OpenTofu identifier)',
      pending: false,
    });
    const ofModule = await inputsGateOf(resolver, moduleWith({ variables: vars({ '9x': 1 }) }), stackWith(), ready);
    assert.equal(ofModule.blocked?.reason, 'InputsInvalid');
    assert.equal(ofModule.blocked?.message, 'TofuModule "mod" spec.variables.9x: not a variable name (an OpenTofu identifier)');
  });

  it('an InputsError is the reason: a missing object waits for it, a bad key waits for a fix', async () => {
    const missing = await inputsGateOf(
      resolverOf(new InputsError('InputNotFound', 'Secret "db" not found')),
      moduleWith({ varsFrom: [{ kind: 'Secret', name: 'db' }] }),
    );
    assert.deepEqual(missing, { blocked: { reason: 'InputNotFound', message: 'Secret "db" not found', pending: true } });
    const bad = await inputsGateOf(
      resolverOf(new InputsError('InputsInvalid', 'ConfigMap "c" key "x.json" is not JSON')),
      moduleWith({ varsFrom: [{ kind: 'ConfigMap', name: 'c' }] }),
    );
    assert.equal(bad.blocked?.pending, false);
  });

  it('inputObjectKeys: the index keys of the objects varsFrom names', () => {
    const m = moduleWith({
      varsFrom: [
        { kind: 'ConfigMap', name: 'c' },
        { kind: 'Secret', name: 's', optional: true },
      ],
    });
    assert.deepEqual(inputObjectKeys(m), ['ns/ConfigMap/c', 'ns/Secret/s']);
  });
});

describe('OwnerReconciler with inputs that cannot be resolved', () => {
  it('creates no execution, says Ready False with the reason and message, and records an Event once', async () => {
    const module = moduleWith({ varsFrom: [{ kind: 'Secret', name: 'db' }] });
    const writes: string[] = [];
    const statuses: TofuModuleStatus[] = [];
    const events: string[] = [];
    const cache = {
      modules: { get: () => module },
      executions: { byIndex: () => [] as TofuExecution[] },
    } as unknown as ClusterCache;
    const client = {
      create: (_rt: unknown, _ns: string, body: TofuExecution) => {
        writes.push(`create ${body.metadata.name}`);
        return Promise.resolve(body);
      },
      replace: (_rt: unknown, _ns: string, _name: string, body: { status: TofuModuleStatus }) => {
        statuses.push(body.status);
        return Promise.resolve(body);
      },
    } as unknown as KubeClient;
    const recorder = {
      record: (_o: unknown, type: string, reason: string, _a: string, message: string) => events.push(`${type} ${reason} ${message}`),
    };
    const r = new ModuleReconciler(
      cache,
      client,
      recorder as unknown as EventRecorder,
      quiet,
      new RunResolver(cache),
      {} as StateStore,
      { of: () => Promise.resolve(undefined) } as unknown as OwnerOutputs,
      resolverOf(new InputsError('InputNotFound', 'Secret "db" not found')),
    );
    assert.equal(await r.reconcile({ namespace: 'ns', name: 'mod' }, { log: quiet, reconcileId: 'r' }), undefined);
    await r.statuses.idle();
    assert.deepEqual(writes, [], 'no execution');
    const readyOf = (s: TofuModuleStatus | undefined) => s?.conditions?.find((c) => c.type === 'Ready');
    assert.deepEqual(
      [readyOf(statuses.at(-1))?.status, readyOf(statuses.at(-1))?.reason, readyOf(statuses.at(-1))?.message],
      ['False', 'InputNotFound', 'Secret "db" not found'],
    );
    assert.equal(statuses.at(-1)?.phase, 'Pending');
    assert.equal(statuses.at(-1)?.inputsDigest, undefined);
    assert.deepEqual(events, ['Normal InputNotFound Secret "db" not found']);

    // The same condition already in status: no second Event.
    module.status = statuses.at(-1);
    await r.reconcile({ namespace: 'ns', name: 'mod' }, { log: quiet, reconcileId: 'r2' });
    await r.statuses.idle();
    assert.equal(events.length, 1);
  });
});
