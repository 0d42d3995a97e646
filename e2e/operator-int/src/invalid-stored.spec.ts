// Objects stored before a stricter schema (or past admission in any other way): the operator reports
// them with reason InvalidSpec, naming the field, and does not act on them or crash-loop. To store
// such objects the test loosens the CRDs for a moment, then puts them back exactly as they were.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TofuExecution, TofuModule } from '@tofu-operator/api-types';
import { manifestKinds, type KubeObject } from '@tofu-operator/reconcile-runtime';
import {
  admin,
  deleteNamespace,
  installCrdsAndRbac,
  listExecutions,
  listJobs,
  newNamespace,
  operatorKubeconfig,
  OperatorProcess,
  sleep,
  TofuExecutions,
  TofuModules,
  waitFor,
} from './harness.js';

const Crds = manifestKinds['CustomResourceDefinition']!;

interface Crd extends KubeObject {
  spec: { versions: { schema: { openAPIV3Schema: { properties: Record<string, unknown>; 'x-kubernetes-validations'?: unknown } } }[] };
}

/** Runs `fn` while the CRDs accept any spec; restores them exactly, whatever happens. */
async function withLooseCrds(names: string[], fn: () => Promise<void>): Promise<void> {
  const originals = await Promise.all(names.map((n) => admin.get<Crd>(Crds, undefined, n)));
  try {
    for (const crd of originals) {
      const loose = structuredClone(crd);
      for (const v of loose.spec.versions) {
        v.schema.openAPIV3Schema.properties['spec'] = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
        delete v.schema.openAPIV3Schema['x-kubernetes-validations'];
      }
      await admin.replace(Crds, undefined, crd.metadata?.name ?? '', loose);
    }
    await sleep(2000); // the API server's validators follow the CRD asynchronously
    await fn();
  } finally {
    for (const crd of originals) {
      const current = await admin.get<Crd>(Crds, undefined, crd.metadata?.name ?? '');
      await admin.replace(Crds, undefined, crd.metadata?.name ?? '', {
        ...crd,
        metadata: { ...crd.metadata, resourceVersion: current.metadata?.resourceVersion },
      });
    }
    await sleep(2000);
  }
}

describe('objects stored with an invalid spec', () => {
  let operator: OperatorProcess;
  let ns: string;

  before(async () => {
    await installCrdsAndRbac();
    ns = await newNamespace('invalid');
    operator = new OperatorProcess(await operatorKubeconfig(), { TOFU_OPERATOR_WATCH_NAMESPACE: ns });
    operator.start();
    await operator.waitUntilLeading();
  });

  after(async () => {
    await operator?.stop();
    if (ns) await deleteNamespace(ns);
  });

  it('reports a module and an execution with reason InvalidSpec naming the field, runs nothing, and plans once the spec is fixed', async () => {
    await withLooseCrds(['tofumodules.tofu-operator.io', 'tofuexecutions.tofu-operator.io'], async () => {
      await admin.create<TofuModule>(TofuModules, ns, {
        apiVersion: 'tofu-operator.io/v1alpha1',
        kind: 'TofuModule',
        metadata: { name: 'stored-invalid', namespace: ns },
        spec: { source: { repository: 'git://10.88.0.1/tofu-samples', workdir: 'hello' }, historyLimit: 0 },
      });
      await admin.create<TofuExecution>(TofuExecutions, ns, {
        apiVersion: 'tofu-operator.io/v1alpha1',
        kind: 'TofuExecution',
        metadata: { name: 'stored-invalid-run', namespace: ns },
        spec: { action: 'destroy-everything' as 'plan', moduleRef: { name: 'stored-invalid' } },
      });
    });

    const module = await waitFor('the module reported invalid', async () => {
      const m = await admin.get<TofuModule>(TofuModules, ns, 'stored-invalid');
      return m.status?.conditions?.find((c) => c.type === 'Ready' && c.reason === 'InvalidSpec') ? m : undefined;
    });
    const ready = module.status?.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.status, 'False');
    assert.match(ready?.message ?? '', /spec\.historyLimit must be at least 1/);
    const execution = await waitFor('the execution failed as invalid', async () => {
      const e = await admin.get<TofuExecution>(TofuExecutions, ns, 'stored-invalid-run');
      return e.status?.phase === 'Failed' ? e : undefined;
    });
    assert.equal(execution.status?.failureCategory, 'InvalidSpec');
    assert.match(execution.status?.message ?? '', /spec\.action must be one of "plan"/);
    await sleep(1500);
    assert.deepEqual(
      (await listExecutions(ns)).map((e) => e.metadata.name),
      ['stored-invalid-run'],
      'the invalid module made no execution',
    );
    assert.equal((await listJobs(ns)).length, 0, 'nothing ran');
    assert.equal(operator.log().includes('"level":50'), false, 'no error logged (no crash loop)');

    // Fixed (the schema is strict again, so the fix must be valid): the module plans.
    await admin.mergePatch(TofuModules, ns, 'stored-invalid', { spec: { historyLimit: 3 } });
    await waitFor('a plan of the fixed module', async () =>
      (await listExecutions(ns)).some(
        (e) =>
          e.spec.moduleRef?.name === 'stored-invalid' && e.metadata.name !== 'stored-invalid-run' && !!e.metadata.ownerReferences?.length,
      ),
    );
  });
});
