import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Condition, TofuModule, TofuStack } from '@tofu-operator/api-types';
import { dependenciesReady, effectiveVariables, inputSources, outputViews } from './owner-inputs.ts';

const module = {
  apiVersion: 'tofu-operator.io/v1alpha1',
  kind: 'TofuModule',
  metadata: { name: 'm' },
  spec: {
    source: { repository: 'r' },
    variables: { region: 'eu', size: 1 },
    varsFrom: [{ kind: 'ConfigMap', name: 'common' }],
    varFiles: ['base.tfvars'],
  },
} as unknown as TofuModule;
const stack = {
  apiVersion: 'tofu-operator.io/v1alpha1',
  kind: 'TofuStack',
  metadata: { name: 's' },
  spec: {
    moduleRef: { name: 'm' },
    variables: { size: 3, tags: { a: 'b' } },
    varsFrom: [{ kind: 'Secret', name: 'db', optional: true }],
    inputsFrom: [{ stackRef: { name: 'net' }, output: 'vpc_id', variable: 'vpc' }],
  },
} as unknown as TofuStack;

describe('effectiveVariables', () => {
  it("a stack's own values override its module's; inherited ones say so", () => {
    assert.deepEqual(effectiveVariables(stack, module), [
      { name: 'region', value: '"eu"', from: 'module' },
      { name: 'size', value: '3', from: 'overridden' },
      { name: 'tags', value: '{"a":"b"}', from: 'stack' },
    ]);
  });

  it("a module's are its own; a stack without its module shows its own", () => {
    assert.deepEqual(
      effectiveVariables(module).map((v) => v.from),
      ['module', 'module'],
    );
    assert.deepEqual(
      effectiveVariables(stack).map((v) => [v.name, v.from]),
      [
        ['size', 'stack'],
        ['tags', 'stack'],
      ],
    );
  });
});

describe('inputSources', () => {
  it('lists references in the order applied: module, stack, then other stacks’ outputs', () => {
    assert.deepEqual(
      inputSources(stack, module).map((s) => `${s.of}:${s.kind}/${s.name}${s.detail ? ` (${s.detail})` : ''}`),
      [
        'module:File/base.tfvars',
        'module:ConfigMap/common',
        'stack:Secret/db (optional)',
        'stack:Output/net (output vpc_id → variable vpc)',
      ],
    );
  });
});

describe('outputViews', () => {
  it('masks sensitive outputs even if a value were present, and names omitted and absent ones', () => {
    const views = outputViews(
      { id: 'vpc-1', password: 'leaked?', n: 2 },
      { names: ['id', 'password', 'big', 'n', 'later'], sensitive: ['password'], omitted: ['big'] },
    );
    assert.deepEqual(views, [
      { name: 'big', state: 'omitted' },
      { name: 'id', state: 'value', value: '"vpc-1"' },
      { name: 'later', state: 'absent' },
      { name: 'n', state: 'value', value: '2' },
      { name: 'password', state: 'sensitive' },
    ]);
    assert.ok(!JSON.stringify(views).includes('leaked?'));
  });

  it('is empty without outputs', () => {
    assert.deepEqual(outputViews(undefined, undefined), []);
  });
});

describe('dependenciesReady', () => {
  it('finds the condition', () => {
    const c: Condition = { type: 'DependenciesReady', status: 'False', reason: 'Waiting', message: 'net', lastTransitionTime: '' };
    assert.equal(dependenciesReady([{ ...c, type: 'Ready' }, c]), c);
    assert.equal(dependenciesReady(undefined), undefined);
  });
});
