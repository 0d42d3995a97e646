import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { API_GROUP_VERSION, Reason, type TofuExecution } from '@tofu-operator/api-types';
import type { KubeClient } from '@tofu-operator/reconcile-runtime';
import type { OperatorConfig } from '../config/operator-config.js';
import type { ClusterCache } from '../kube/cluster-cache.js';
import type { PlanStore } from '../runner-api/plan-store.service.js';
import type { RunnerKeyService } from '../runner-api/runner-key.service.js';
import type { DerivedRun } from './execution-status.js';
import { JobPreparer } from './job-preparer.js';
import type { RunResolver } from './run-resolver.js';
import type { ExecutionInputsWriter } from './inputs-secret.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const OTHER = `sha256:${'b'.repeat(64)}`;

/** A preparer whose plan store answers `stored` and counts its reads. */
function preparer(stored: string | undefined): { p: JobPreparer; reads: () => number } {
  let reads = 0;
  const plans = {
    digest: () => {
      reads++;
      return Promise.resolve(stored);
    },
  } as unknown as PlanStore;
  const p = new JobPreparer(
    {} as ClusterCache,
    {} as KubeClient,
    {} as RunResolver,
    {} as RunnerKeyService,
    plans,
    {} as ExecutionInputsWriter,
    {} as OperatorConfig,
  );
  return { p, reads: () => reads };
}

function plan(status?: TofuExecution['status']): TofuExecution {
  return {
    apiVersion: API_GROUP_VERSION,
    kind: 'TofuExecution',
    metadata: { name: 'web-1', namespace: 'ns', uid: 'u1' },
    spec: { action: 'plan', moduleRef: { name: 'web' } },
    ...(status ? { status } : {}),
  };
}

const succeeded: DerivedRun = { phase: 'Succeeded', reason: Reason.Succeeded, message: 'done', plan: { digest: DIGEST, hasChanges: true } };

describe('JobPreparer.verifyPlan', () => {
  it('keeps a succeeded plan whose reported digest is the stored one', async () => {
    const { p, reads } = preparer(DIGEST);
    assert.deepEqual(await p.verifyPlan(plan(), succeeded), succeeded);
    assert.equal(reads(), 1);
  });

  it('fails a plan whose reported digest is not the stored one, without status.plan', async () => {
    const { p } = preparer(OTHER);
    const run = await p.verifyPlan(plan(), succeeded);
    assert.equal(run.phase, 'Failed');
    assert.equal(run.reason, Reason.PlanDigestMismatch);
    assert.equal(run.plan, undefined);
  });

  it('reads the store once: a plan whose status already records that digest is not read again', async () => {
    const { p, reads } = preparer(OTHER);
    assert.deepEqual(await p.verifyPlan(plan({ phase: 'Succeeded', plan: { digest: DIGEST, hasChanges: true } }), succeeded), succeeded);
    assert.equal(reads(), 0);
  });

  it('does not read the store for runs that are not a succeeded plan', async () => {
    const { p, reads } = preparer(DIGEST);
    const running: DerivedRun = { phase: 'Running', reason: Reason.Running, message: 'tofu is running' };
    assert.deepEqual(await p.verifyPlan(plan(), running), running);
    assert.equal(reads(), 0);
  });
});
