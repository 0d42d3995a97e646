import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Annotations, type TofuExecution } from '@tofu-operator/api-types';
import type { EventRecorder, KubeClient, Logger } from '@tofu-operator/reconcile-runtime';
import type { ClusterCache } from '../kube/cluster-cache.js';
import { PlanDecisions } from './plan-decisions.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const quiet = { info: () => undefined, warn: () => undefined, debug: () => undefined, error: () => undefined } as unknown as Logger;

function plan(annotations: Record<string, string>): TofuExecution {
  return {
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuExecution',
    metadata: {
      name: 'p1',
      namespace: 'ns',
      uid: 'u1',
      resourceVersion: '3',
      annotations: { [Annotations.createdAt]: '2026-01-01T00:00:00Z', ...annotations },
    },
    spec: { action: 'plan', moduleRef: { name: 'm' }, source: { repository: 'https://git.example/r.git' } },
    status: { phase: 'Succeeded', plan: { digest: DIGEST, commit: 'c'.repeat(40), hasChanges: true } },
  };
}

function setup(p: TofuExecution) {
  const created: TofuExecution[] = [];
  const statuses: TofuExecution[] = [];
  const events: string[] = [];
  const cache = { executions: { get: () => undefined, list: () => [p], observeCreate: () => undefined } } as unknown as ClusterCache;
  const client = {
    create: (_rt: unknown, _ns: string, body: TofuExecution) => (created.push(body), Promise.resolve(body)),
    replace: (_rt: unknown, _ns: string, _n: string, body: TofuExecution) => (statuses.push(body), Promise.resolve(body)),
  } as unknown as KubeClient;
  const recorder = { record: (_o: unknown, type: string, reason: string) => events.push(`${type} ${reason}`) } as unknown as EventRecorder;
  return { decisions: new PlanDecisions(cache, client, recorder), created, statuses, events };
}

describe('PlanDecisions', () => {
  it('the approve annotation with the digest creates the apply', async () => {
    const s = setup(plan({ [Annotations.approve]: DIGEST }));
    await s.decisions.act(plan({ [Annotations.approve]: DIGEST }), { log: quiet, reconcileId: 'r' });
    assert.deepEqual(
      s.created.map((e) => e.metadata.name),
      ['p1-apply'],
    );
    assert.deepEqual(s.created[0]?.spec.planRef, { name: 'p1', digest: DIGEST });
  });

  it('another digest: a Warning Event, no apply', async () => {
    const p = plan({ [Annotations.approve]: `sha256:${'b'.repeat(64)}` });
    const s = setup(p);
    await s.decisions.act(p, { log: quiet, reconcileId: 'r' });
    assert.deepEqual(s.created, []);
    assert.deepEqual(s.events, ['Warning PlanDigestMismatch']);
  });

  it('the reject annotation records Rejected', async () => {
    const p = plan({ [Annotations.reject]: DIGEST });
    const s = setup(p);
    await s.decisions.act(p, { log: quiet, reconcileId: 'r' });
    assert.deepEqual(s.created, []);
    assert.equal(s.statuses[0]?.status?.approval?.state, 'Rejected');
    assert.equal(s.statuses[0]?.status?.approval?.digest, DIGEST);
  });

  it('a decided plan is left alone', async () => {
    const p = plan({ [Annotations.approve]: DIGEST });
    p.status!.approval = { state: 'Rejected', at: 't' };
    const s = setup(p);
    await s.decisions.act(p, { log: quiet, reconcileId: 'r' });
    assert.deepEqual([s.created, s.statuses, s.events], [[], [], []]);
  });
});
