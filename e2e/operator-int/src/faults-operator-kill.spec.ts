// Fault suite (issue 14): the operator OOM-killed (SIGKILL, as the kernel's OOM killer sends it)
// while it reconciles a burst of new plans and an apply runs, then started again as a Deployment
// would (same runner API port). Extends apply-faults.spec.ts to plans in flight and the log archive:
// healed, every run has finished exactly once and nothing is lost (see fault-harness.ts).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { operatorKubeconfig } from './harness.js';
import { assertClusterHealthy, FaultScenario } from './fault-harness.js';

describe('fault: the operator OOM-killed while reconciling a burst', () => {
  let s: FaultScenario | undefined;

  before(async () => {
    s = await FaultScenario.setup({ prefix: 'fault-oom', kubeconfig: await operatorKubeconfig(), sleepS: 30 });
  });

  after(async () => {
    await s?.teardown('faults-operator-kill');
    await assertClusterHealthy();
  });

  it('every run finishes exactly once with its log, state and owner status', async () => {
    if (!s) throw new Error('setup failed');
    await s.startApply();
    // Killed as soon as the burst's first execution exists: some plans have an execution and no Job yet.
    await s.startBurst('execution');
    console.log(`faults-operator-kill: ${await s.markFault()}`);
    const killed = await s.operator.kill();
    const killedAt = Date.now();
    const next = await s.operator.waitUntilLeading();
    assert.notEqual(next, killed, 'a new process leads');
    console.log(`faults-operator-kill: a new process led ${Date.now() - killedAt} ms after the kill`);
    console.log(`faults-operator-kill: ${await s.verify()}`);
  });
});
