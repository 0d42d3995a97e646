import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ExecutionTemplate } from '@tofu-operator/api-types';
import { mergeTemplates } from './template-merge.js';

describe('mergeTemplates', () => {
  const table: {
    name: string;
    base: ExecutionTemplate | undefined;
    override: ExecutionTemplate | undefined;
    expected: ExecutionTemplate;
  }[] = [
    { name: 'both undefined', base: undefined, override: undefined, expected: {} },
    {
      name: 'undefined override keeps the base',
      base: { image: 'a:1', activeDeadlineSeconds: 60 },
      override: undefined,
      expected: { image: 'a:1', activeDeadlineSeconds: 60 },
    },
    {
      name: 'undefined base takes the override',
      base: undefined,
      override: { image: 'b:2', env: [{ name: 'X', value: '1' }], nodeSelector: { zone: 'a' } },
      expected: { image: 'b:2', env: [{ name: 'X', value: '1' }], nodeSelector: { zone: 'a' } },
    },
    {
      name: 'scalars from the stack win when set',
      base: {
        image: 'a:1',
        imagePullPolicy: 'Always',
        serviceAccountName: 'm',
        activeDeadlineSeconds: 60,
        automountServiceAccountToken: true,
      },
      override: { image: 'b:2', activeDeadlineSeconds: 120, automountServiceAccountToken: false },
      expected: {
        image: 'b:2',
        imagePullPolicy: 'Always',
        serviceAccountName: 'm',
        activeDeadlineSeconds: 120,
        automountServiceAccountToken: false,
      },
    },
    {
      name: 'undefined fields of the stack do not clear the module',
      base: { image: 'a:1', priorityClassName: 'low' },
      override: { image: undefined, priorityClassName: 'high' },
      expected: { image: 'a:1', priorityClassName: 'high' },
    },
    {
      name: 'env merged by name, the stack winning, module order first',
      base: {
        env: [
          { name: 'A', value: 'module-a' },
          { name: 'B', value: 'module-b' },
        ],
      },
      override: {
        env: [
          { name: 'C', value: 'stack-c' },
          { name: 'B', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
        ],
      },
      expected: {
        env: [
          { name: 'A', value: 'module-a' },
          { name: 'B', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
          { name: 'C', value: 'stack-c' },
        ],
      },
    },
    {
      name: 'env only in the module is kept when the stack has none',
      base: { env: [{ name: 'A', value: '1' }] },
      override: { image: 'x' },
      expected: { env: [{ name: 'A', value: '1' }], image: 'x' },
    },
    {
      name: 'imagePullSecrets merged by name',
      base: { imagePullSecrets: [{ name: 'one' }, { name: 'two' }] },
      override: { imagePullSecrets: [{ name: 'two' }, { name: 'three' }] },
      expected: { imagePullSecrets: [{ name: 'one' }, { name: 'two' }, { name: 'three' }] },
    },
    {
      name: 'nodeSelector, podLabels and podAnnotations merged by key, the stack winning',
      base: {
        nodeSelector: { zone: 'a', disk: 'ssd' },
        podLabels: { team: 'x', tier: 'module' },
        podAnnotations: { 'a.io/one': '1' },
      },
      override: {
        nodeSelector: { zone: 'b' },
        podLabels: { tier: 'stack' },
        podAnnotations: { 'a.io/two': '2' },
      },
      expected: {
        nodeSelector: { zone: 'b', disk: 'ssd' },
        podLabels: { team: 'x', tier: 'stack' },
        podAnnotations: { 'a.io/one': '1', 'a.io/two': '2' },
      },
    },
    {
      name: 'maps only in the stack',
      base: {},
      override: { podLabels: { a: '1' } },
      expected: { podLabels: { a: '1' } },
    },
    {
      name: 'resources replaced whole',
      base: { resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '2Gi' } } },
      override: { resources: { requests: { cpu: '500m' } } },
      expected: { resources: { requests: { cpu: '500m' } } },
    },
    {
      name: 'tolerations replaced whole',
      base: { tolerations: [{ key: 'a', operator: 'Exists' }] },
      override: { tolerations: [{ key: 'b', operator: 'Equal', value: 'v', effect: 'NoSchedule' }] },
      expected: { tolerations: [{ key: 'b', operator: 'Equal', value: 'v', effect: 'NoSchedule' }] },
    },
    {
      name: 'an empty tolerations list from the stack clears the module list',
      base: { tolerations: [{ key: 'a', operator: 'Exists' }] },
      override: { tolerations: [] },
      expected: { tolerations: [] },
    },
    {
      name: 'affinity replaced whole',
      base: { affinity: { nodeAffinity: { x: 1 }, podAntiAffinity: { y: 2 } } },
      override: { affinity: { nodeAffinity: { z: 3 } } },
      expected: { affinity: { nodeAffinity: { z: 3 } } },
    },
  ];

  for (const { name, base, override, expected } of table) {
    it(name, () => {
      assert.deepEqual(mergeTemplates(base, override), expected);
    });
  }

  it('raises ttlSecondsAfterFinished below 60 (stored before the schema minimum) to 60, from either side', () => {
    assert.deepEqual(mergeTemplates({ ttlSecondsAfterFinished: 0 }, undefined), { ttlSecondsAfterFinished: 60 });
    assert.deepEqual(mergeTemplates({ ttlSecondsAfterFinished: 600 }, { ttlSecondsAfterFinished: 5 }), { ttlSecondsAfterFinished: 60 });
    assert.deepEqual(mergeTemplates({ ttlSecondsAfterFinished: 0 }, { ttlSecondsAfterFinished: 120 }), { ttlSecondsAfterFinished: 120 });
  });

  it('does not modify its inputs', () => {
    const base: ExecutionTemplate = { env: [{ name: 'A', value: '1' }], nodeSelector: { zone: 'a' }, image: 'a' };
    const override: ExecutionTemplate = { env: [{ name: 'A', value: '2' }], nodeSelector: { zone: 'b' }, image: 'b' };
    const before = structuredClone({ base, override });
    mergeTemplates(base, override);
    assert.deepEqual({ base, override }, before);
  });
});
