import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Annotations, type TofuExecution } from '@tofu-operator/api-types';
import { KubeApiError, type KubeClient } from '@tofu-operator/reconcile-runtime';
import type { ClusterCache } from '../kube/cluster-cache.js';
import { ApiError } from '../http/errors.js';
import { ApprovalsService } from './approvals.service.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const OTHER = `sha256:${'b'.repeat(64)}`;

function plan(name: string, createdAt: string, status: TofuExecution['status'] = {}): TofuExecution {
  return {
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuExecution',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, resourceVersion: '1', annotations: { [Annotations.createdAt]: createdAt } },
    spec: { action: 'plan', moduleRef: { name: 'm' }, source: { repository: 'https://git.example/r.git', revision: 'main' } },
    status: { phase: 'Succeeded', plan: { digest: DIGEST, commit: 'c'.repeat(40), hasChanges: true }, ...status },
  };
}

function service(executions: TofuExecution[], client: Partial<KubeClient> = {}): ApprovalsService {
  const cache = {
    executions: {
      get: (_ns: string, name: string) => executions.find((e) => e.metadata.name === name),
      list: () => executions,
    },
  } as unknown as ClusterCache;
  return new ApprovalsService(cache, client as KubeClient);
}

async function status(p: Promise<unknown>): Promise<number | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    if (err instanceof ApiError) return err.status;
    throw err;
  }
}

describe('ApprovalsService', () => {
  const p1 = plan('p1', '2026-01-01T00:00:01Z');

  it('approve creates <plan>-apply with the approver and answers it', async () => {
    const created: TofuExecution[] = [];
    const client = { create: (_rt: unknown, _ns: unknown, body: TofuExecution) => (created.push(body), Promise.resolve(body)) };
    const apply = await service([p1], client as unknown as KubeClient).approve('ns', 'p1', { planDigest: DIGEST }, 'alice');
    assert.equal(apply.metadata.name, 'p1-apply');
    assert.equal(apply.metadata.annotations?.[Annotations.approvedBy], 'alice');
    assert.deepEqual(apply.spec.planRef, { name: 'p1', digest: DIGEST });
    assert.equal(created.length, 1);
  });

  it('answers 422 for a malformed or wrong digest, 404 for a missing plan', async () => {
    assert.equal(await status(service([p1]).approve('ns', 'p1', { planDigest: OTHER }, 'a')), 422);
    assert.equal(await status(service([p1]).approve('ns', 'p1', { planDigest: 'sha256:x' }, 'a')), 422);
    assert.equal(await status(service([p1]).approve('ns', 'p1', {}, 'a')), 422);
    assert.equal(await status(service([p1]).approve('ns', 'nope', { planDigest: DIGEST }, 'a')), 404);
  });

  it('answers 409 for a plan that is not the newest, rejected, or while a run is in progress', async () => {
    const newer = plan('p2', '2026-01-01T00:00:02Z');
    assert.equal(await status(service([p1, newer]).approve('ns', 'p1', { planDigest: DIGEST }, 'a')), 409);
    const rejected = plan('p1', 't', { approval: { state: 'Rejected', at: 't' } });
    assert.equal(await status(service([rejected]).approve('ns', 'p1', { planDigest: DIGEST }, 'a')), 409);
    const approved = plan('p1', 't', { approval: { state: 'Approved', at: 't' } });
    assert.equal(await status(service([approved]).reject('ns', 'p1', { planDigest: DIGEST }, 'a')), 409);
    const running: TofuExecution = {
      ...plan('x', '2026-01-01T00:00:00Z'),
      spec: { action: 'plan', moduleRef: { name: 'm' } },
      status: { phase: 'Running' },
    };
    assert.equal(await status(service([p1, running]).approve('ns', 'p1', { planDigest: DIGEST }, 'a')), 409);
  });

  it('answers 409 to the second of two racing approvals (AlreadyExists)', async () => {
    const exists = new KubeApiError('POST', '/x', 409, { reason: 'AlreadyExists', message: 'exists' });
    const client = { create: () => Promise.reject(exists) };
    assert.equal(await status(service([p1], client as unknown as KubeClient).approve('ns', 'p1', { planDigest: DIGEST }, 'a')), 409);
  });

  it('reject records Rejected with who, when and the digest', async () => {
    const writes: TofuExecution[] = [];
    const client = { replace: (_rt: unknown, _ns: string, _n: string, body: TofuExecution) => (writes.push(body), Promise.resolve(body)) };
    await service([p1], client as unknown as KubeClient).reject('ns', 'p1', { planDigest: DIGEST }, 'bob');
    const approval = writes[0]?.status?.approval;
    assert.equal(approval?.state, 'Rejected');
    assert.equal(approval?.by, 'bob');
    assert.equal(approval?.digest, DIGEST);
    assert.ok(approval?.at);
  });
});
