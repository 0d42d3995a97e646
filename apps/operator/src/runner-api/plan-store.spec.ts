import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Labels, type TofuExecution } from '@tofu-operator/api-types';
import { createLogger } from '@tofu-operator/reconcile-runtime';
import { ChunkIntegrityError, sha256Digest } from './chunking.js';
import { PlanConflictError, PlanStore } from './plan-store.service.js';
import { FakeSecretApi } from './secret-api.fake.js';

const log = createLogger('test', 'silent');

function execution(name: string, uid = `uid-${name}`): TofuExecution {
  return {
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuExecution',
    metadata: { name, namespace: 'ns', uid },
    spec: { action: 'plan', moduleRef: { name: 'web' }, stackRef: { name: 'prod' } },
  };
}

function setup() {
  const api = new FakeSecretApi();
  return { api, plans: new PlanStore(api, log) };
}

describe('PlanStore', () => {
  it('stores a 10 MiB plan in chunks owned by the execution and reads it back byte for byte', async () => {
    const { api, plans } = setup();
    const x = execution('prod-p1');
    const data = randomBytes(10 * 1024 * 1024);
    assert.deepEqual(await plans.store(x, 'plan', data), { digest: sha256Digest(data), created: true });
    const names = api.names('ns');
    assert.ok(names.length >= 14, `${names.length} chunks`);
    assert.ok(names.every((n) => /^tofu-plan-prod-p1-\d+$/.test(n)));
    for (const s of api.objects.values()) {
      assert.equal(s.type, 'Opaque');
      assert.deepEqual(s.metadata.ownerReferences, [
        {
          apiVersion: 'tofu-operator.io/v1alpha1',
          kind: 'TofuExecution',
          name: 'prod-p1',
          uid: 'uid-prod-p1',
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
      assert.deepEqual(s.metadata.labels, {
        [Labels.managedBy]: 'tofu-operator',
        [Labels.execution]: 'prod-p1',
        [Labels.artifact]: 'plan',
        [Labels.ownerKind]: 'stack',
        [Labels.stack]: 'prod',
      });
    }
    // Chunk 0, the manifest, is written last: a reader never finds a partial plan.
    const creates = api.calls.filter((c) => c.method === 'create').map((c) => c.name);
    assert.equal(creates.at(-1), 'tofu-plan-prod-p1-0');
    const read = await plans.read(x, 'plan');
    assert.ok(read?.data.equals(data));
    assert.equal(read?.digest, sha256Digest(data));
  });

  it('stores a plan once: the same bytes again answer the same digest, other bytes 409', async () => {
    const { plans } = setup();
    const x = execution('web-p1');
    const first = await plans.store(x, 'plan', Buffer.from('plan A'));
    assert.deepEqual(await plans.store(x, 'plan', Buffer.from('plan A')), { digest: first.digest, created: false });
    await assert.rejects(plans.store(x, 'plan', Buffer.from('plan B')), PlanConflictError);
    assert.equal((await plans.read(x, 'plan'))?.data.toString(), 'plan A');
  });

  it('keeps the diff apart from the plan', async () => {
    const { api, plans } = setup();
    const x = execution('web-p1');
    await plans.store(x, 'plan', Buffer.from('binary plan'));
    await plans.store(x, 'diff', Buffer.from('{"resource_changes":[]}'));
    assert.deepEqual(api.names('ns'), ['tofu-diff-web-p1-0', 'tofu-plan-web-p1-0']);
    assert.equal(api.objects.get('ns/tofu-diff-web-p1-0')?.metadata.labels?.[Labels.artifact], 'plan-diff');
    assert.equal((await plans.read(x, 'diff'))?.data.toString(), '{"resource_changes":[]}');
    assert.equal((await plans.read(x, 'plan'))?.data.toString(), 'binary plan');
  });

  it('has no plan before the upload', async () => {
    const { plans } = setup();
    assert.equal(await plans.read(execution('web-p1'), 'plan'), undefined);
  });

  it('replaces the leftovers of an interrupted upload (no chunk 0 yet)', async () => {
    const { api, plans } = setup();
    const x = execution('web-p1');
    const data = randomBytes(2 * 1024 * 1024);
    api.before = (call) => {
      if (call.method === 'create' && call.name === 'tofu-plan-web-p1-0') throw new Error('connection reset');
    };
    await assert.rejects(plans.store(x, 'plan', data), /connection reset/);
    api.before = undefined;
    assert.equal(await plans.read(x, 'plan'), undefined);
    await plans.store(x, 'plan', data);
    assert.ok((await plans.read(x, 'plan'))?.data.equals(data));
  });

  it('ignores, then replaces, the plan of an earlier execution of the same name', async () => {
    const { plans } = setup();
    await plans.store(execution('web-p1', 'old-uid'), 'plan', Buffer.from('old'));
    const now = execution('web-p1', 'new-uid');
    assert.equal(await plans.read(now, 'plan'), undefined);
    assert.equal((await plans.store(now, 'plan', Buffer.from('new'))).created, true);
    assert.equal((await plans.read(now, 'plan'))?.data.toString(), 'new');
  });

  it('reports a missing chunk as damage', async () => {
    const { api, plans } = setup();
    const x = execution('web-p1');
    await plans.store(x, 'plan', randomBytes(2 * 1024 * 1024));
    api.objects.delete('ns/tofu-plan-web-p1-1');
    await assert.rejects(plans.read(x, 'plan'), ChunkIntegrityError);
  });
});
