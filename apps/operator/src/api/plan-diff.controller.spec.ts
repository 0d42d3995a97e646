import 'reflect-metadata';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PlanDiff, TofuExecution } from '@tofu-operator/api-types';
import { ApiError } from '../http/errors.js';
import type { PlanStore, PlanPart } from '../runner-api/plan-store.service.js';
import type { ResourcesService } from './resources.service.js';
import { PlanDiffController, PlanDiffUnreadableError } from './plan-diff.controller.js';

const plan: TofuExecution = {
  apiVersion: 'tofu-operator.io/v1alpha1',
  kind: 'TofuExecution',
  metadata: { name: 'web-plan-1', namespace: 'team', uid: 'u1' },
  spec: { action: 'plan' },
};

const diff: PlanDiff = {
  v: 1,
  resources: [
    {
      address: 'terraform_data.a',
      actions: ['create'],
      attributes: [{ name: 'input', after: '(sensitive value)', sensitive: true }],
      unchanged: 0,
    },
  ],
  outputs: [],
};

function controller(stored: Buffer | undefined): { c: PlanDiffController; reads: string[] } {
  const reads: string[] = [];
  const resources = {
    get: (_k: string, ns: string, name: string) => {
      if (ns === 'team' && name === 'web-plan-1') return plan;
      throw new ApiError(404, 'NotFound', `tofuexecutions.tofu-operator.io "${name}" not found`);
    },
  } as unknown as ResourcesService;
  const plans = {
    read: (e: TofuExecution, part: PlanPart) => {
      reads.push(`${e.metadata.name}/${part}`);
      return Promise.resolve(stored && { data: stored, digest: 'sha256:x' });
    },
  } as unknown as PlanStore;
  return { c: new PlanDiffController(resources, plans), reads };
}

describe('PlanDiffController', () => {
  it("answers the stored diff of the execution's plan, as stored", async () => {
    const { c, reads } = controller(Buffer.from(JSON.stringify(diff)));
    assert.deepEqual(await c.diff('team', 'web-plan-1'), diff);
    assert.deepEqual(reads, ['web-plan-1/diff']);
  });

  it('answers 404 with the error shape when no diff is stored', async () => {
    const { c } = controller(undefined);
    await assert.rejects(c.diff('team', 'web-plan-1'), (e: unknown) => {
      assert.ok(e instanceof ApiError);
      assert.equal(e.status, 404);
      assert.equal(e.reason, 'NotFound');
      assert.match(e.message, /web-plan-1" has no stored plan diff/);
      return true;
    });
  });

  it('answers 404 for an execution that does not exist, without reading the store', async () => {
    const { c, reads } = controller(Buffer.from('{}'));
    await assert.rejects(c.diff('team', 'nope'), (e: unknown) => e instanceof ApiError && e.status === 404);
    assert.deepEqual(reads, []);
  });

  it('refuses a stored diff that is not JSON (a server error, not a 404)', async () => {
    const { c } = controller(Buffer.from('not json'));
    await assert.rejects(c.diff('team', 'web-plan-1'), PlanDiffUnreadableError);
  });
});
