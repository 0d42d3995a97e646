import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TofuModule } from '@tofu-operator/api-types';
import { moduleBody, moduleFormFrom, stackBody } from './form-model.ts';

const existing: TofuModule = {
  apiVersion: 'tofu-operator.io/v1alpha1',
  kind: 'TofuModule',
  metadata: { name: 'm', resourceVersion: '42' },
  spec: {
    source: { repository: 'git://h/r', revision: 'main', credentialsSecretRef: { name: 'git' } },
    executionTemplate: {
      tolerations: [{ key: 'k', operator: 'Exists' }],
      env: [
        { name: 'A', value: '1' },
        { name: 'S', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
      ],
    },
    historyLimit: 5,
  },
};

describe('form model', () => {
  it('a new module: only what was filled in', () => {
    const f = { ...moduleFormFrom(), name: ' hello ', repository: 'git://h/r', workdir: 'hello' };
    assert.deepEqual(moduleBody(f), { metadata: { name: 'hello' }, spec: { source: { repository: 'git://h/r', workdir: 'hello' } } });
  });

  it('editing keeps fields the form does not show and sends resourceVersion', () => {
    const f = moduleFormFrom(existing);
    assert.equal(f.env, 'A=1');
    const body = moduleBody({ ...f, revision: 'v2', env: 'A=2\nB=3', historyLimit: '' }, existing);
    assert.deepEqual(body.metadata, { name: 'm', resourceVersion: '42' });
    assert.deepEqual(body.spec.source, { repository: 'git://h/r', revision: 'v2', credentialsSecretRef: { name: 'git' } });
    assert.deepEqual(body.spec.executionTemplate?.tolerations, [{ key: 'k', operator: 'Exists' }]);
    assert.deepEqual(
      body.spec.executionTemplate?.env?.map((e) => e.name),
      ['A', 'B', 'S'],
    );
    assert.equal(body.spec.historyLimit, undefined);
  });

  it('a stack with overrides', () => {
    const body = stackBody({ name: 's', module: 'm', image: 'runner:2', activeDeadlineSeconds: '60', historyLimit: '3', env: '' });
    assert.deepEqual(body, {
      metadata: { name: 's' },
      spec: { moduleRef: { name: 'm' }, executionTemplate: { image: 'runner:2', activeDeadlineSeconds: 60 }, historyLimit: 3 },
    });
  });
});
