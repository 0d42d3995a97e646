import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeClient } from '@tofu-operator/reconcile-runtime';
import { Labels } from '@tofu-operator/api-types';
import { keyedObject, keyedObjectList, PickersService, type KeyedSource } from './pickers.service.js';

const CANARY = 'canary-6f1e0c2b-value';
const b64 = Buffer.from(CANARY).toString('base64');

const secret: KeyedSource = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'db', annotations: { note: 'x' } } as KeyedSource['metadata'],
  type: 'kubernetes.io/basic-auth',
  data: { password: b64, username: b64 },
};

describe('keyedObject', () => {
  it('answers names, key names and the Secret type, never a value (raw, base64 or inside anything)', () => {
    const item = keyedObject('secrets', secret);
    assert.deepEqual(item, { name: 'db', keys: ['password', 'username'], type: 'kubernetes.io/basic-auth' });
    const text = JSON.stringify(item);
    assert.ok(!text.includes(b64) && !text.includes(CANARY));
  });

  it('merges data and binaryData keys of a ConfigMap, sorted, without a type', () => {
    const cm: KeyedSource = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'vars' },
      data: { 'region.json': '"eu"', b: CANARY },
      binaryData: { a: b64, b: b64 },
    };
    assert.deepEqual(keyedObject('configmaps', cm), { name: 'vars', keys: ['a', 'b', 'region.json'] });
  });

  it('names a Secret without a type Opaque and one without data with no keys', () => {
    assert.deepEqual(keyedObject('secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'e' } }), {
      name: 'e',
      keys: [],
      type: 'Opaque',
    });
  });
});

describe('PickersService', () => {
  it('lists the kind in the namespace from the API server and sorts by name', async () => {
    const calls: string[] = [];
    const client = {
      list: (rt: { group: string; plural: string }, ns: string) => {
        calls.push(`${rt.group}/${rt.plural} ${ns}`);
        return Promise.resolve({
          items: [
            { ...secret, metadata: { name: 'z' } },
            secret,
            { ...secret, metadata: { name: 'tofu-state-stack-web', labels: { [Labels.artifact]: 'state' } } },
            { ...secret, metadata: { name: 'web-plan-x-inputs', labels: { [Labels.artifact]: 'inputs' } } },
            { ...secret, metadata: { name: 'web-outputs', labels: { [Labels.artifact]: 'outputs-secret' } } },
          ],
        });
      },
    } as unknown as KubeClient;
    const answer = await new PickersService(client).list('secrets', 'team-a');
    assert.deepEqual(calls, ['/secrets team-a']);
    assert.equal(answer.kind, 'SecretKeyList');
    assert.deepEqual(
      answer.items.map((i) => i.name),
      ['db', 'web-outputs', 'z'],
    );
    assert.ok(!JSON.stringify(answer).includes(b64));
    assert.equal(keyedObjectList('configmaps', []).kind, 'ConfigMapKeyList');
  });
});
