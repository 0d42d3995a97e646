import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TofuStack } from '@tofu-operator/api-types';
import { dependencyNames, DependencyReason, evaluateDependencies, findCycle, MAX_DEPENDENCY_SEARCH } from './dependencies.js';

interface Shape {
  dependsOn?: string[];
  inputsFrom?: { stack: string; output: string; variable: string }[];
  /** Output names of its latest apply; undefined: never applied. */
  outputs?: string[];
  deleting?: boolean;
}

function stack(name: string, shape: Shape = {}): TofuStack {
  return {
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuStack',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, ...(shape.deleting ? { deletionTimestamp: '2026-11-30T08:00:00Z' } : {}) },
    spec: {
      moduleRef: { name: 'm' },
      ...(shape.dependsOn ? { dependsOn: shape.dependsOn.map((n) => ({ name: n })) } : {}),
      ...(shape.inputsFrom
        ? { inputsFrom: shape.inputsFrom.map((i) => ({ stackRef: { name: i.stack }, output: i.output, variable: i.variable })) }
        : {}),
    },
    ...(shape.outputs ? { status: { outputsInfo: { names: shape.outputs, execution: `${name}-apply`, digest: 'sha256:x' } } } : {}),
  };
}

/** A namespace of stacks, looked up by name. */
function world(...stacks: TofuStack[]): (name: string) => TofuStack | undefined {
  const byName = new Map(stacks.map((s) => [s.metadata.name ?? '', s]));
  return (name) => byName.get(name);
}

describe('dependencyNames', () => {
  it('joins dependsOn and inputsFrom stackRefs, sorted, each once', () => {
    const s = stack('app', {
      dependsOn: ['net', 'db'],
      inputsFrom: [
        { stack: 'db', output: 'host', variable: 'db_host' },
        { stack: 'cache', output: 'url', variable: 'cache_url' },
        { stack: 'db', output: 'port', variable: 'db_port' },
      ],
    });
    assert.deepEqual(dependencyNames(s), ['cache', 'db', 'net']);
  });
  it('is empty without either field', () => assert.deepEqual(dependencyNames(stack('app')), []));
});

describe('evaluateDependencies', () => {
  it('is ready without dependencies', () => {
    assert.deepEqual(evaluateDependencies(stack('app'), world()), { ready: true, inputs: [], message: 'no dependencies' });
  });

  it('is ready when every dependency applied and has the outputs read, with the inputs in spec order', () => {
    const app = stack('app', {
      dependsOn: ['net'],
      inputsFrom: [
        { stack: 'db', output: 'port', variable: 'db_port' },
        { stack: 'db', output: 'host', variable: 'db_host' },
      ],
    });
    const state = evaluateDependencies(app, world(app, stack('net', { outputs: [] }), stack('db', { outputs: ['host', 'port'] })));
    assert.deepEqual(state, {
      ready: true,
      inputs: [
        { variable: 'db_port', stack: 'db', output: 'port' },
        { variable: 'db_host', stack: 'db', output: 'host' },
      ],
      message: 'dependencies "db", "net" applied successfully',
    });
  });

  it('names every missing dependency (DependencyNotFound)', () => {
    const app = stack('app', { dependsOn: ['net', 'db'], inputsFrom: [{ stack: 'cache', output: 'url', variable: 'u' }] });
    const state = evaluateDependencies(app, world(stack('net', { outputs: [] })));
    assert.equal(state.ready, false);
    assert.equal(!state.ready && state.reason, DependencyReason.NotFound);
    assert.match(state.message, /^dependencies "cache", "db" do not exist/);
    assert.doesNotMatch(state.message, /"net"/);
  });

  it('counts a dependency being deleted as not found', () => {
    const app = stack('app', { dependsOn: ['db'] });
    const state = evaluateDependencies(app, world(stack('db', { outputs: ['host'], deleting: true })));
    assert.deepEqual(state, {
      ready: false,
      reason: 'DependencyNotFound',
      message: 'dependency "db" does not exist in the namespace (or is being deleted)',
    });
  });

  it('waits for dependencies that have not applied (DependencyNotApplied), naming them', () => {
    const app = stack('app', { dependsOn: ['net', 'db', 'dns'] });
    const state = evaluateDependencies(app, world(stack('net', { outputs: [] }), stack('db'), stack('dns')));
    assert.deepEqual(state, {
      ready: false,
      reason: 'DependencyNotApplied',
      message: 'waiting for stacks "db", "dns" to apply successfully',
    });
  });

  it('reports not found before not applied', () => {
    const app = stack('app', { dependsOn: ['db', 'net'] });
    const state = evaluateDependencies(app, world(stack('db')));
    assert.equal(!state.ready && state.reason, 'DependencyNotFound');
  });

  it('refuses an output the dependency does not have (OutputMissing), naming stack, output, variable and what it has', () => {
    const app = stack('app', {
      inputsFrom: [
        { stack: 'db', output: 'host', variable: 'db_host' },
        { stack: 'db', output: 'passwd', variable: 'db_password' },
        { stack: 'empty', output: 'x', variable: 'x' },
      ],
    });
    const state = evaluateDependencies(app, world(stack('db', { outputs: ['port', 'host'] }), stack('empty', { outputs: [] })));
    assert.deepEqual(state, {
      ready: false,
      reason: 'OutputMissing',
      message:
        'stack "db" has no output "passwd" (for variable "db_password"; its outputs are "host", "port"); ' +
        'stack "empty" has no output "x" (for variable "x"; it has no outputs)',
    });
  });

  it('refuses a self-dependency as a cycle', () => {
    const app = stack('app', { dependsOn: ['app'] });
    assert.deepEqual(evaluateDependencies(app, world()), {
      ready: false,
      reason: 'DependencyCycle',
      message: 'dependency cycle: app → app',
    });
  });

  it('names a two-stack cycle from each side, starting with the stack itself', () => {
    const a = stack('a', { dependsOn: ['b'], outputs: [] });
    const b = stack('b', { inputsFrom: [{ stack: 'a', output: 'o', variable: 'v' }], outputs: [] });
    const lookup = world(a, b);
    assert.deepEqual(evaluateDependencies(a, lookup), { ready: false, reason: 'DependencyCycle', message: 'dependency cycle: a → b → a' });
    assert.deepEqual(evaluateDependencies(b, lookup), { ready: false, reason: 'DependencyCycle', message: 'dependency cycle: b → a → b' });
  });

  it('names a longer cycle in order, even when every stack has applied', () => {
    const a = stack('a', { dependsOn: ['b'], outputs: [] });
    const b = stack('b', { dependsOn: ['c'], outputs: [] });
    const c = stack('c', { dependsOn: ['a'], outputs: [] });
    const state = evaluateDependencies(a, world(a, b, c));
    assert.deepEqual(state, { ready: false, reason: 'DependencyCycle', message: 'dependency cycle: a → b → c → a' });
  });

  it('uses the stack it is given for its own name, not the cached copy', () => {
    // The cache still has the old spec (a → b); the new spec no longer depends on b.
    const cachedA = stack('a', { dependsOn: ['b'] });
    const b = stack('b', { dependsOn: ['a'], outputs: [] });
    assert.equal(evaluateDependencies(stack('a'), world(cachedA, b)).ready, true);
    assert.equal(evaluateDependencies(stack('a', { dependsOn: ['b'] }), world(stack('a'), b)).ready, false);
  });

  it('reports a cycle among its dependencies that does not pass through the stack', () => {
    const app = stack('app', { dependsOn: ['b'] });
    const b = stack('b', { dependsOn: ['c'], outputs: [] });
    const c = stack('c', { dependsOn: ['b'], outputs: [] });
    const state = evaluateDependencies(app, world(app, b, c));
    assert.equal(!state.ready && state.reason, 'DependencyCycle');
    assert.match(state.message, /^dependency cycle: b → c → b \(reached from stack "app"\)/);
  });

  it('does not follow a missing or deleted stack, and is not fooled by a diamond', () => {
    // app → b, app → c, b → d, c → d: d is reached twice, which is no cycle.
    const app = stack('app', { dependsOn: ['b', 'c'] });
    const lookup = world(
      stack('b', { dependsOn: ['d'], outputs: [] }),
      stack('c', { dependsOn: ['d', 'gone'], outputs: [] }),
      stack('d', { dependsOn: ['x'], outputs: [] }),
      stack('x', { dependsOn: ['d'], deleting: true, outputs: [] }),
    );
    assert.deepEqual(evaluateDependencies(app, lookup), { ready: true, inputs: [], message: 'dependencies "b", "c" applied successfully' });
  });
});

describe('findCycle', () => {
  const find = (lookup: (n: string) => TofuStack | undefined) => (n: string) => lookup(n);

  it('finds none in a long chain, and stops searching past the bound', () => {
    const chain = Array.from({ length: 50 }, (_, i) => stack(`s${i}`, { dependsOn: i < 49 ? [`s${i + 1}`] : [] }));
    assert.equal(findCycle('s0', find(world(...chain))), undefined);
    // A chain longer than the bound whose end points back to the start: not searched that far.
    const n = MAX_DEPENDENCY_SEARCH + 5;
    const long = Array.from({ length: n }, (_, i) => stack(`l${i}`, { dependsOn: [`l${(i + 1) % n}`] }));
    assert.equal(findCycle('l0', find(world(...long))), undefined);
    const short = Array.from({ length: 10 }, (_, i) => stack(`k${i}`, { dependsOn: [`k${(i + 1) % 10}`] }));
    assert.deepEqual(findCycle('k0', find(world(...short))), [...short.map((s) => s.metadata.name), 'k0']);
  });

  it('follows dependencies in name order, so the answer is the same every time', () => {
    const lookup = world(stack('a', { dependsOn: ['c', 'b'] }), stack('b', { dependsOn: ['a'] }), stack('c', { dependsOn: ['a'] }));
    assert.deepEqual(findCycle('a', find(lookup)), ['a', 'b', 'a']);
  });
});
