// Fault suite (issue 14): the kubelet restarted while runs are in flight (an apply in its slow resource, a burst of
// plans starting): the runner pods keep running under containerd, and their log streams through the kubelet break. With the leader election of a deployed operator; healed, every run has
// finished exactly once and nothing is lost (see fault-harness.ts for the checks).
import { after, before, describe, it } from 'node:test';
import { operatorKubeconfig } from './harness.js';
import { assertClusterHealthy, DEPLOYED_LEASE, FaultScenario, restartComponent } from './fault-harness.js';

describe('fault: the kubelet restarted during runs', () => {
  let s: FaultScenario | undefined;

  before(async () => {
    s = await FaultScenario.setup({
      prefix: 'fault-kubelet',
      kubeconfig: await operatorKubeconfig(),
      env: { ...DEPLOYED_LEASE },
      sleepS: 40,
    });
  });

  after(async () => {
    await s?.teardown('faults-kubelet');
    await assertClusterHealthy();
  });

  it('every run finishes exactly once with its log, state and owner status', async () => {
    if (!s) throw new Error('setup failed');
    await s.startApply();
    await s.startBurst();
    console.log(`faults-kubelet: ${await s.markFault()}`);
    const started = Date.now();
    await restartComponent('kubelet');
    console.log(`faults-kubelet: restarted in ${Date.now() - started} ms`);
    console.log(`faults-kubelet: ${await s.verify()}`);
  });
});
