// A hand-made TofuExecution names what it runs by reference. When it names both a stack and a
// module, the module must be the stack's: otherwise it would run the stack's module's code while
// `kubectl get` shows the other module. Such an execution is refused when it is resolved.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TofuExecution, TofuModule, TofuStack } from '@tofu-operator/api-types';
import {
  admin,
  deleteNamespace,
  getExecution,
  installCrdsAndRbac,
  listJobs,
  newNamespace,
  operatorKubeconfig,
  OperatorProcess,
  TofuExecutions,
  TofuModules,
  TofuStacks,
  UNSCHEDULABLE,
  waitFor,
} from './harness.js';

const REPO = 'git://10.88.0.1/samples.git';

const moduleObj = (ns: string, name: string): TofuModule => ({
  apiVersion: 'tofu-operator.io/v1alpha1',
  kind: 'TofuModule',
  metadata: { name, namespace: ns },
  spec: { source: { repository: REPO, revision: `rev-${name}`, workdir: 'examples/hello' }, executionTemplate: { ...UNSCHEDULABLE } },
});

const handMade = (ns: string, name: string, moduleName: string, stackName: string): TofuExecution => ({
  apiVersion: 'tofu-operator.io/v1alpha1',
  kind: 'TofuExecution',
  metadata: { name, namespace: ns },
  spec: { action: 'plan', moduleRef: { name: moduleName }, stackRef: { name: stackName } },
});

describe('hand-made executions naming a stack and a module', () => {
  let operator: OperatorProcess;
  let ns: string;

  before(async () => {
    await installCrdsAndRbac();
    operator = new OperatorProcess(await operatorKubeconfig());
    operator.start();
    await operator.waitUntilLeading();
    ns = await newNamespace('execution-refs');
    await admin.create(TofuModules, ns, moduleObj(ns, 'a'));
    await admin.create(TofuModules, ns, moduleObj(ns, 'b'));
    await admin.create<TofuStack>(TofuStacks, ns, {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuStack',
      metadata: { name: 's', namespace: ns },
      spec: { moduleRef: { name: 'b' } },
    });
  });

  after(async () => {
    await operator?.stop();
    if (ns) await deleteNamespace(ns);
  });

  it("refuses one whose moduleRef is not the stack's module: Failed, InvalidSpec naming spec.moduleRef, no Job", async () => {
    await admin.create(TofuExecutions, ns, handMade(ns, 'mixed', 'a', 's'));
    const failed = await waitFor('the execution Failed', async () => {
      const e = await getExecution(ns, 'mixed');
      return e.status?.phase === 'Failed' ? e : undefined;
    });
    const ready = failed.status?.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.status, 'False');
    assert.equal(ready?.reason, 'InvalidSpec');
    assert.equal(failed.status?.failureCategory, 'InvalidSpec');
    assert.match(ready?.message ?? '', /spec\.moduleRef names TofuModule "a" but spec\.stackRef's TofuStack "s" runs TofuModule "b"/);
    assert.equal(failed.status?.resolved, undefined, 'nothing was resolved for it');
    assert.equal(failed.status?.jobName, undefined);
    assert.ok(!(await listJobs(ns)).some((j) => j.metadata?.name === 'mixed'), 'no Job runs it');
  });

  it("resolves one whose moduleRef is the stack's module to the stack's module", async () => {
    await admin.create(TofuExecutions, ns, handMade(ns, 'matching', 'b', 's'));
    const resolved = await waitFor('the execution resolved', async () => {
      const e = await getExecution(ns, 'matching');
      return e.status?.resolved ? e : undefined;
    });
    assert.equal(resolved.status?.resolved?.source?.revision, 'rev-b');
    assert.notEqual(resolved.status?.phase, 'Failed');
  });
});
