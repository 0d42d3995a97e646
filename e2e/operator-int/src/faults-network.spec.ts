// Fault suite (issue 14): the network between the operator and the API server cut for 30 s while
// runs are in flight (the operator reaches the API through a TCP proxy the test owns; the cut drops
// bytes and leaves connections hanging, as a partition does). The leader gives up leadership when its
// renew deadline passes (issue 14 item 4), exits, and is started again as a Deployment would; once
// the network is back it leads again, and every run has finished exactly once with nothing lost.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Lease } from '@tofu-operator/reconcile-runtime';
import { admin, operatorKubeconfig, sleep, waitFor } from './harness.js';
import { ApiProxy, assertClusterHealthy, FaultScenario } from './fault-harness.js';

const CUT_MS = 30_000;
/** The renew deadline and retry period of the operator under test (the harness's leader election). */
const RENEW_DEADLINE_MS = 3000;
const RETRY_PERIOD_MS = 500;
const Leases = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease', namespaced: true } as const;

describe('fault: the network to the API cut for 30 s during runs', () => {
  let s: FaultScenario | undefined;
  let proxy: ApiProxy | undefined;

  before(async () => {
    proxy = new ApiProxy(await operatorKubeconfig());
    await proxy.start();
    s = await FaultScenario.setup({
      prefix: 'fault-net',
      kubeconfig: proxy.kubeconfig,
      env: { TOFU_OPERATOR_RENEW_DEADLINE_MS: String(RENEW_DEADLINE_MS), TOFU_OPERATOR_RETRY_PERIOD_MS: String(RETRY_PERIOD_MS) },
      sleepS: 50,
    });
  });

  after(async () => {
    proxy?.restore();
    await s?.teardown('faults-network');
    await proxy?.stop();
    await assertClusterHealthy();
  });

  it('the leader steps down at its renew deadline, leads again after the cut, and every run finishes exactly once', async () => {
    if (!s || !proxy) throw new Error('setup failed');
    await s.startApply();
    await s.startBurst();
    console.log(`faults-network: ${await s.markFault()}`);
    const leader = s.operator.current;
    const leaseName = `int-${process.pid}`;
    const before = await admin.get<Lease>(Leases, 'tofu-operator-system', leaseName);

    proxy.cut();
    const cutAt = Date.now();
    try {
      await waitFor(
        'the leader to give up leadership',
        () => leader.log().includes('lost leadership: could not renew the lease in time'),
        15_000,
        50,
      );
      const stepDownMs = Date.now() - cutAt;
      // The last renewal started at most a retry period before the cut; the step-down comes at its deadline.
      assert.ok(stepDownMs <= RENEW_DEADLINE_MS + 1000, `stepped down ${stepDownMs} ms after the cut`);
      await waitFor('the old leader to exit', () => !leader.running, 10_000, 50);
      console.log(`faults-network: the leader stepped down ${stepDownMs} ms after the cut and exited`);
      await sleep(cutAt + CUT_MS - Date.now());
      // Nobody led while the API was unreachable: no process started during the cut became leader.
      for (const p of s.operator.processes.slice(1)) assert.doesNotMatch(p.log(), /"msg":"became leader"/);
    } finally {
      proxy.restore();
    }
    const restoredAt = Date.now();
    const next = await s.operator.waitUntilLeading(60_000);
    assert.notEqual(next, leader);
    console.log(`faults-network: a new process led ${Date.now() - restoredAt} ms after the network came back`);
    const after = await admin.get<Lease>(Leases, 'tofu-operator-system', leaseName);
    assert.notEqual(after.spec?.holderIdentity, before.spec?.holderIdentity, 'the Lease changed hands');
    assert.equal(after.spec?.leaseTransitions, (before.spec?.leaseTransitions ?? 0) + 1, 'one transition');
    console.log(`faults-network: ${await s.verify()}`);
  });
});
