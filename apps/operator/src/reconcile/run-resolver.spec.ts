import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TofuExecution, TofuModule, TofuStack } from '@tofu-operator/api-types';
import type { ClusterCache } from '../kube/cluster-cache.js';
import { RunResolver } from './run-resolver.js';

const module = (name: string): TofuModule => ({
  apiVersion: 'tofu-operator.io/v1alpha1',
  kind: 'TofuModule',
  metadata: { name, namespace: 'ns', generation: 1 },
  spec: { source: { repository: `https://git.example.com/${name}.git` } },
});
const stack = (name: string, moduleName: string): TofuStack => ({
  apiVersion: 'tofu-operator.io/v1alpha1',
  kind: 'TofuStack',
  metadata: { name, namespace: 'ns' },
  spec: { moduleRef: { name: moduleName } },
});
const execution = (spec: Partial<TofuExecution['spec']>): TofuExecution => ({
  apiVersion: 'tofu-operator.io/v1alpha1',
  kind: 'TofuExecution',
  metadata: { name: 'x', namespace: 'ns' },
  spec: { action: 'plan', ...spec },
});

/** A resolver over a cache holding modules a and b and stack s of module b. */
function resolver(): RunResolver {
  const modules = new Map([module('a'), module('b')].map((m) => [m.metadata.name, m]));
  const stacks = new Map([stack('s', 'b'), stack('orphan', 'gone')].map((s) => [s.metadata.name, s]));
  const cache = {
    modules: { get: (ns: string, name: string) => (ns === 'ns' ? modules.get(name) : undefined) },
    stacks: { get: (ns: string, name: string) => (ns === 'ns' ? stacks.get(name) : undefined) },
  } as unknown as ClusterCache;
  return new RunResolver(cache);
}

describe('RunResolver.resolveForExecution', () => {
  const table: [string, Partial<TofuExecution['spec']>, string][] = [
    ['a module reference', { moduleRef: { name: 'a' } }, 'runs a'],
    ['a stack reference', { stackRef: { name: 's' } }, 'runs b'],
    ['a stack reference with its own module', { stackRef: { name: 's' }, moduleRef: { name: 'b' } }, 'runs b'],
    [
      "a stack reference with another module than the stack's",
      { stackRef: { name: 's' }, moduleRef: { name: 'a' } },
      'invalid: spec.moduleRef names TofuModule "a" but spec.stackRef\'s TofuStack "s" runs TofuModule "b": name the stack\'s module in spec.moduleRef, or leave spec.moduleRef out',
    ],
    ['a missing module', { moduleRef: { name: 'nope' } }, 'missing: TofuModule "nope" not found in namespace ns'],
    ['a missing stack', { stackRef: { name: 'nope' }, moduleRef: { name: 'a' } }, 'missing: TofuStack "nope" not found in namespace ns'],
    ['a stack whose module is missing', { stackRef: { name: 'orphan' } }, 'missing: TofuModule "gone" not found in namespace ns'],
  ];
  for (const [what, spec, expected] of table) {
    it(`${what}: ${expected.split(':')[0]}`, () => {
      const r = resolver().resolveForExecution(execution(spec));
      const got = 'invalid' in r ? `invalid: ${r.invalid}` : 'missing' in r ? `missing: ${r.missing}` : `runs ${r.module.metadata.name}`;
      assert.equal(got, expected);
    });
  }
});

describe('RunResolver.settingsFor', () => {
  const KEY = { name: 'k', key: 'pass' };
  /** A resolver over module m (FromCode, encrypted with KEY), stack plain (no settings) and stack own (Operator, key own). */
  function settingsResolver(): RunResolver {
    const m: TofuModule = { ...module('m'), spec: { ...module('m').spec, backend: 'FromCode', stateEncryption: { keySecretRef: KEY } } };
    const own: TofuStack = {
      ...stack('own', 'm'),
      spec: { moduleRef: { name: 'm' }, backend: 'Operator', stateEncryption: { keySecretRef: { name: 'o', key: 'p' } } },
    };
    const stacks = new Map([stack('plain', 'm'), own].map((s) => [s.metadata.name, s]));
    const cache = {
      modules: { get: (_ns: string, name: string) => (name === 'm' ? m : name === 'a' ? module('a') : undefined) },
      stacks: { get: (_ns: string, name: string) => stacks.get(name) },
    } as unknown as ClusterCache;
    return new RunResolver(cache);
  }

  it("uses the module's settings for the module's own runs, and Operator without encryption by default", () => {
    assert.deepEqual(settingsResolver().settingsFor(execution({ moduleRef: { name: 'm' } })), {
      owner: { kind: 'module', name: 'm' },
      backend: 'FromCode',
      stateEncryption: { keySecretRef: KEY },
    });
    assert.deepEqual(settingsResolver().settingsFor(execution({ moduleRef: { name: 'a' } })), {
      owner: { kind: 'module', name: 'a' },
      backend: 'Operator',
    });
  });

  it("gives a stack's runs the stack's state, with the stack's settings winning over its module's", () => {
    assert.deepEqual(settingsResolver().settingsFor(execution({ stackRef: { name: 'plain' }, moduleRef: { name: 'm' } })), {
      owner: { kind: 'stack', name: 'plain' },
      backend: 'FromCode',
      stateEncryption: { keySecretRef: KEY },
    });
    assert.deepEqual(settingsResolver().settingsFor(execution({ stackRef: { name: 'own' } })), {
      owner: { kind: 'stack', name: 'own' },
      backend: 'Operator',
      stateEncryption: { keySecretRef: { name: 'o', key: 'p' } },
    });
  });

  it('says what is missing when the owner is gone', () => {
    assert.deepEqual(settingsResolver().settingsFor(execution({ stackRef: { name: 'gone' } })), {
      missing: 'TofuStack "gone" not found in namespace ns',
    });
  });
});
