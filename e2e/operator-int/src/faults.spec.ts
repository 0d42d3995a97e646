// Faults of the cluster under a running operator: the API server (and with it every watch) goes
// away and comes back. The operator's informers must relist and keep reconciling, with no
// duplicate objects and no crash.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { TofuModule } from '@tofu-operator/api-types';
import {
  admin,
  deleteNamespace,
  installCrdsAndRbac,
  listExecutions,
  listJobs,
  newNamespace,
  operatorKubeconfig,
  OperatorProcess,
  repoRoot,
  sleep,
  TofuModules,
  UNSCHEDULABLE,
  waitFor,
} from './harness.js';

function restart(component: string): void {
  execFileSync('bash', [join(repoRoot, 'tools/cluster/cluster.sh'), 'restart', component], { stdio: 'inherit', timeout: 180_000 });
}

function moduleObj(ns: string, name: string): TofuModule {
  return {
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuModule',
    metadata: { name, namespace: ns },
    spec: { source: { repository: 'git://10.88.0.1/tofu-samples', workdir: 'hello' }, executionTemplate: { ...UNSCHEDULABLE } },
  };
}

describe('cluster faults under a running operator', () => {
  let operator: OperatorProcess;
  let ns: string;

  before(async () => {
    await installCrdsAndRbac();
    operator = new OperatorProcess(await operatorKubeconfig(), {
      // The API server is gone for several seconds: keep leadership through it.
      TOFU_OPERATOR_LEASE_DURATION_MS: '60000',
      TOFU_OPERATOR_RENEW_DEADLINE_MS: '45000',
      TOFU_OPERATOR_RETRY_PERIOD_MS: '1000',
    });
    operator.start();
    await operator.waitUntilLeading();
    ns = await newNamespace('apiserver-restart');
  });

  after(async () => {
    await operator?.stop();
    await deleteNamespace(ns);
  });

  it('keeps reconciling after the API server restarts', async () => {
    await admin.create(TofuModules, ns, moduleObj(ns, 'before'));
    await waitFor('the Job of the module created before the restart', async () => (await listJobs(ns)).length === 1);

    restart('kube-apiserver');
    // Our own client's pooled connections died with the server: wait until it answers again.
    await waitFor('the API server to answer the test client', async () => (await admin.list(TofuModules, ns)).items.length === 1);
    await admin.create(TofuModules, ns, moduleObj(ns, 'after'));
    await waitFor('the Job of the module created after the restart', async () => (await listJobs(ns)).length === 2, 60_000);
    await sleep(1500);
    assert.equal((await listExecutions(ns)).length, 2, 'one execution per module, none duplicated by the relist');
    assert.equal((await listJobs(ns)).length, 2);
    assert.match(operator.log(), /informer failed, restarting|relisting/, 'the informers noticed the outage');
    assert.equal(operator.log().includes('"level":60'), false, 'no fatal error');
  });
});
