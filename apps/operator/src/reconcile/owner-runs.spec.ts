import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Annotations, type TofuExecution } from '@tofu-operator/api-types';
import { KubeApiError, type EventRecorder, type KubeClient, type ReconcileContext } from '@tofu-operator/reconcile-runtime';
import type { ClusterCache } from '../kube/cluster-cache.js';
import { OwnerRuns } from './owner-runs.js';

const ctx = { log: { info() {}, warn() {} } } as unknown as ReconcileContext;
const queued = {
  metadata: { name: 'web-old', namespace: 'ns', resourceVersion: '7', annotations: {} },
  spec: { action: 'plan' },
  status: { phase: 'Pending', queue: { position: 3, limit: 'Operator' } },
} as unknown as TofuExecution;

function runsWith(answer: (patch: unknown) => Promise<unknown>) {
  const patches: unknown[] = [];
  const client = {
    mergePatch: (_r: unknown, _ns: string, _name: string, patch: unknown) => {
      patches.push(patch);
      return answer(patch);
    },
  } as unknown as KubeClient;
  return { patches, runs: new OwnerRuns(client, {} as ClusterCache, {} as EventRecorder) };
}

describe('OwnerRuns.supersedeQueued', () => {
  it('marks the queued plan superseded-by the new one, with its resourceVersion as a precondition', async () => {
    const { patches, runs } = runsWith(() => Promise.resolve({}));
    assert.equal(await runs.supersedeQueued(queued, 'web-new', ctx), true);
    assert.deepEqual(patches, [{ metadata: { resourceVersion: '7', annotations: { [Annotations.supersededBy]: 'web-new' } } }]);
    const marked = { ...queued, metadata: { ...queued.metadata, annotations: { [Annotations.supersededBy]: 'web-new' } } };
    assert.equal(await runs.supersedeQueued(marked, 'web-new', ctx), true);
    assert.equal(patches.length, 1, 'marked already: no write');
  });

  it('a conflict (its Job was created meanwhile) or a deleted plan: not replaced, the owner waits', async () => {
    for (const code of [409, 404]) {
      const { runs } = runsWith(() =>
        Promise.reject(new KubeApiError('PATCH', '/x', code, { reason: code === 409 ? 'Conflict' : 'NotFound' })),
      );
      assert.equal(await runs.supersedeQueued(queued, 'web-new', ctx), false);
    }
    const { runs } = runsWith(() => Promise.reject(new KubeApiError('PATCH', '/x', 500, undefined)));
    await assert.rejects(runs.supersedeQueued(queued, 'web-new', ctx));
  });
});
