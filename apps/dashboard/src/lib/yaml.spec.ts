import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { toYaml, withoutManagedFields, yamlString } from './yaml.ts';

const MODULE = {
  apiVersion: 'tofu-operator.io/v1alpha1',
  kind: 'TofuModule',
  metadata: {
    name: 'web',
    namespace: 'team-a',
    generation: 3,
    labels: { 'app.kubernetes.io/managed-by': 'tofu-operator' },
    annotations: { 'tofu-operator.io/trigger': 'g3/r2026-11-30T10:00:00Z', note: 'line one\nline two: "quoted" # not a comment' },
    managedFields: [{ manager: 'kubectl', operation: 'Apply' }],
  },
  spec: {
    source: { repository: 'git@github.com:acme/infra.git', revision: 'main', workdir: '' },
    autoApply: false,
    variables: { count: '3', enabled: 'true', region: 'eu-west-1', nothing: null, empty: {}, list: [] },
    varFiles: ['env/prod.tfvars', 'yes', '0x1F', '1e3', ' padded', 'trailing '],
    executionTemplate: {
      env: [
        { name: 'A', value: 'x' },
        { name: 'B', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
      ],
    },
    nested: [[1, 2], [{ a: 1 }]],
  },
  status: { phase: 'Succeeded', conditions: [{ type: 'Ready', status: 'True', reason: 'Planned', message: 'ok: done' }] },
};

describe('toYaml', () => {
  it('reads back as the same object (parsed by the yaml package)', () => {
    assert.deepEqual(parse(toYaml(MODULE)), MODULE);
  });
  it('is block style with two-space indents', () => {
    const y = toYaml({ metadata: { name: 'web' }, list: [{ name: 'A', value: 'x' }] });
    assert.equal(y, 'metadata:\n  name: web\nlist:\n- name: A\n  value: x\n');
  });
  it('quotes strings that would read as numbers, booleans or null', () => {
    for (const s of ['3', 'true', 'yes', 'null', '~', '1e3', '0x1F', '1:30', '.inf', '']) assert.equal(yamlString(s), JSON.stringify(s), s);
  });
  it('writes ordinary names plain', () => {
    for (const s of ['web', 'eu-west-1', 'tofu-operator.io/v1alpha1', 'env/prod.tfvars', '2026-11-30T10:00:00Z'])
      assert.equal(yamlString(s), s.includes(':') ? JSON.stringify(s) : s, s);
  });
  it('round-trips awkward strings', () => {
    for (const s of [
      'a: b',
      '# c',
      '- d',
      '[e]',
      '{f}',
      "it's",
      '"q"',
      'tab\there',
      'é ünïcode',
      '*alias',
      '&anchor',
      '!tag',
      '%x',
      '@at',
      '`tick`',
      '|',
      '>',
    ])
      assert.deepEqual(parse(toYaml({ s })), { s }, s);
  });
  it('scalars at the top', () => assert.equal(toYaml('x'), 'x\n'));
});

describe('withoutManagedFields', () => {
  it('drops metadata.managedFields and keeps the rest', () => {
    const out = withoutManagedFields(MODULE);
    assert.equal('managedFields' in out.metadata, false);
    assert.equal(out.metadata.name, 'web');
    assert.deepEqual(out.spec, MODULE.spec);
  });
  it('does not change its input', () => {
    withoutManagedFields(MODULE);
    assert.equal(MODULE.metadata.managedFields.length, 1);
  });
  it('leaves an object without managedFields alone', () => {
    const o = { metadata: { name: 'x' } };
    assert.equal(withoutManagedFields(o), o);
  });
});
