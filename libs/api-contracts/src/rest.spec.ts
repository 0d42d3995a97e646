import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Labels } from '@tofu-operator/api-types';
import { apiPaths, OwnerLabels } from './rest.js';

describe('REST contract', () => {
  // Spelled out here so browser bundles do not pull in the CRD definitions; kept equal by this test.
  it('names the owner labels the operator puts on executions', () => {
    assert.deepEqual(OwnerLabels, { module: Labels.module, stack: Labels.stack });
  });
  it('builds paths with encoded segments and the log query', () => {
    assert.equal(apiPaths.item('team-a', 'stacks', 'a b'), '/api/v1/namespaces/team-a/stacks/a%20b');
    assert.equal(apiPaths.logs('n', 'x', { follow: true, offset: 3 }), '/api/v1/namespaces/n/executions/x/logs?follow=true&offset=3');
    assert.equal(apiPaths.logs('n', 'x'), '/api/v1/namespaces/n/executions/x/logs');
    assert.equal(apiPaths.planDiff('n', 'p/1'), '/api/v1/namespaces/n/executions/p%2F1/plan/diff');
    assert.equal(apiPaths.approve('n', 'p'), '/api/v1/namespaces/n/executions/p/approve');
    assert.equal(apiPaths.reject('n', 'p'), '/api/v1/namespaces/n/executions/p/reject');
    assert.equal(apiPaths.picker('team a', 'secrets'), '/api/v1/namespaces/team%20a/secrets');
  });
});
