// Fault suite (issue 14): the API server restarted while runs are in flight (an apply in its slow
// resource, a burst of plans starting), with the leader election of a deployed operator. Healed, every
// run has finished exactly once and nothing is lost (see fault-harness.ts for the checks).
import { after, before, describe, it } from 'node:test';
import { operatorKubeconfig } from './harness.js';
import { assertClusterHealthy, DEPLOYED_LEASE, FaultScenario, restartComponent } from './fault-harness.js';

describe('fault: the API server restarted during runs', () => {
  let s: FaultScenario | undefined;

  before(async () => {
    s = await FaultScenario.setup({
      prefix: 'fault-apiserver',
      kubeconfig: await operatorKubeconfig(),
      env: { ...DEPLOYED_LEASE },
      sleepS: 40,
    });
  });

  after(async () => {
    await s?.teardown('faults-apiserver');
    await assertClusterHealthy();
  });

  it('every run finishes exactly once with its log, state and owner status', async () => {
    if (!s) throw new Error('setup failed');
    await s.startApply();
    await s.startBurst();
    console.log(`faults-apiserver: ${await s.markFault()}`);
    const started = Date.now();
    await restartComponent('apiserver');
    console.log(`faults-apiserver: restarted in ${Date.now() - started} ms`);
    console.log(`faults-apiserver: ${await s.verify()}`);
  });
});
