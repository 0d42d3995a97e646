import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { controllerOf, controllerRef, controllerUid, nameOf, namespaceOf, uidOf } from './object-meta.js';

describe('object metadata helpers', () => {
  const owned = {
    metadata: {
      name: 'a',
      namespace: 'ns',
      uid: 'u1',
      ownerReferences: [
        { apiVersion: 'v1', kind: 'ConfigMap', name: 'other', uid: 'u2' },
        { apiVersion: 'tofu-operator.io/v1alpha1', kind: 'TofuModule', name: 'm', uid: 'u3', controller: true },
      ],
    },
  };

  it('reads name, namespace and uid, with "" when missing', () => {
    assert.deepEqual([nameOf(owned), namespaceOf(owned), uidOf(owned)], ['a', 'ns', 'u1']);
    for (const obj of [{}, { metadata: {} }]) assert.deepEqual([nameOf(obj), namespaceOf(obj), uidOf(obj)], ['', '', '']);
  });

  it('finds the controller owner among other owners', () => {
    assert.equal(controllerOf(owned)?.name, 'm');
    assert.equal(controllerUid(owned), 'u3');
    assert.equal(controllerUid({ metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'x', uid: 'u' }] } }), undefined);
    assert.equal(controllerUid({}), undefined);
  });

  it('builds a controller reference to an owner', () => {
    assert.deepEqual(controllerRef('tofu-operator.io/v1alpha1', 'TofuStack', { metadata: { name: 's', uid: 'u9' } }), {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuStack',
      name: 's',
      uid: 'u9',
      controller: true,
      blockOwnerDeletion: true,
    });
  });
});
