// Destroy on demand (issue 11, docs/guides/approve-and-destroy.md#destroy-on-demand), on the local
// node with real runner pods and real tofu (samples/modules/hello, state kept by the operator), over
// REST with a ServiceAccount's token: a stack is planned, approved and applied; POST …/plan
// {"destroy": true} makes a destroy plan that destroys both resources once approved; the next plan
// adds them again. The body is validated (422 on field destroy) and the route needs `patch`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlanResponse } from '@tofu-operator/api-contracts';
import { Annotations, type TofuExecution, type TofuModule, type TofuStack } from '@tofu-operator/api-types';
import {
  admin,
  deleteNamespace,
  freePort,
  getExecution,
  installCrdsAndRbac,
  listExecutions,
  newNamespace,
  operatorKubeconfig,
  OperatorProcess,
  repoRoot,
  serveRepo,
  serviceAccountWithRole,
  TofuModules,
  TofuStacks,
  waitFor,
} from './harness.js';

/** A run on the node: clone, init, plan (or apply) with remote state. */
const RUN_MS = 240_000;
const TERMINAL = ['Succeeded', 'Failed'];

describe('destroy on demand (real runner pods)', () => {
  let operator: OperatorProcess;
  let ns: string;
  let base: string;
  let token: string;
  let viewer: string;

  const call = async (method: string, path: string, as: string, body?: unknown) => {
    const res = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${as}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined };
  };
  const plan = (body?: unknown, as = token) => call('POST', `/api/v1/namespaces/${ns}/stacks/web/plan`, as, body);
  const approve = (p: TofuExecution) =>
    call('POST', `/api/v1/namespaces/${ns}/executions/${p.metadata.name}/approve`, token, { planDigest: p.status?.plan?.digest });

  async function finished(name: string): Promise<TofuExecution> {
    const e = await waitFor(
      `execution ${name} to finish`,
      async () => {
        const x = await getExecution(ns, name);
        return TERMINAL.includes(x.status?.phase ?? '') ? x : undefined;
      },
      RUN_MS,
      1_000,
    );
    assert.equal(e.status?.phase, 'Succeeded', `${name}: ${e.status?.message}`);
    return e;
  }
  /** The execution a 201 answer of POST …/plan names. */
  function created(answer: { status: number; body: Record<string, unknown> | undefined }): TofuExecution {
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    const execution = (answer.body as PlanResponse | undefined)?.execution;
    assert.ok(execution?.metadata.name, JSON.stringify(answer.body));
    return execution;
  }

  before(async () => {
    await installCrdsAndRbac();
    const hello = readFileSync(join(repoRoot, 'samples/modules/hello/main.tf'), 'utf8');
    const repo = serveRepo('e2e-destroy-request', { 'main.tf': hello });
    ns = await newNamespace('destroy-request');
    // Plan (patch) and approve; a viewer may read but not plan.
    token = await serviceAccountWithRole(ns, 'operator-user', ['get', 'list', 'watch', 'patch', 'approve']);
    viewer = await serviceAccountWithRole(ns, 'viewer', ['get', 'list', 'watch']);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    operator = new OperatorProcess(await operatorKubeconfig(), { PORT: String(port), TOFU_OPERATOR_WATCH_NAMESPACE: ns });
    operator.start();
    await operator.waitUntilLeading();
    await waitFor('the API is ready', async () => (await fetch(`${base}/readyz`)).ok);
    await admin.create<TofuModule>(TofuModules, ns, {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuModule',
      metadata: { name: 'hello' },
      spec: { source: { repository: repo, revision: 'main' } },
    });
    await admin.create<TofuStack>(TofuStacks, ns, {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuStack',
      metadata: { name: 'web' },
      spec: { moduleRef: { name: 'hello' } },
    });
  });

  after(async () => {
    await operator?.stop();
    if (ns) await deleteNamespace(ns);
  });

  it('apply, then POST plan {"destroy": true}: a destroy plan, approved, destroys both resources; the next plan adds them again', async () => {
    const first = await waitFor('the first plan of the stack', async () =>
      (await listExecutions(ns)).find((e) => e.spec.stackRef?.name === 'web'),
    );
    const planned = await finished(first.metadata.name ?? '');
    assert.equal(planned.status?.summary?.add, 2, JSON.stringify(planned.status?.summary));
    const approved = await approve(planned);
    assert.equal(approved.status, 201, JSON.stringify(approved.body));
    const applied = await finished(String((approved.body as unknown as TofuExecution).metadata.name));
    assert.equal(applied.status?.apply?.add, 2, JSON.stringify(applied.status?.apply));

    // Validated before anything is written, and authorised like plan.
    const invalid = await plan({ destroy: 'yes' });
    assert.equal(invalid.status, 422, JSON.stringify(invalid.body));
    assert.deepEqual(
      (invalid.body?.['fields'] as { path: string }[] | undefined)?.map((f) => f.path),
      ['destroy'],
    );
    const forbidden = await plan({ destroy: true }, viewer);
    assert.equal(forbidden.status, 403, JSON.stringify(forbidden.body));
    const untouched = await admin.get<TofuStack>(TofuStacks, ns, 'web');
    assert.equal(untouched.metadata.annotations?.[Annotations.destroyRequestedAt], undefined, 'refused requests write nothing');

    const requested = created(await plan({ destroy: true }));
    assert.deepEqual([requested.spec.action, requested.spec.destroy], ['plan', true]);
    const destroyPlan = await finished(requested.metadata.name ?? '');
    assert.equal(destroyPlan.status?.plan?.hasChanges, true, JSON.stringify(destroyPlan.status?.plan));
    assert.equal(destroyPlan.status?.summary?.destroy, 2, JSON.stringify(destroyPlan.status?.summary));
    assert.equal(destroyPlan.status?.summary?.add, 0, JSON.stringify(destroyPlan.status?.summary));
    const waiting = await waitFor('the stack to name the destroy plan as waiting', async () => {
      const s = await admin.get<TofuStack>(TofuStacks, ns, 'web');
      return s.status?.pendingPlan?.name === requested.metadata.name ? s : undefined;
    });
    assert.equal(waiting.status?.pendingPlan?.digest, destroyPlan.status?.plan?.digest);

    const approvedDestroy = await approve(destroyPlan);
    assert.equal(approvedDestroy.status, 201, JSON.stringify(approvedDestroy.body));
    const destroyExecution = approvedDestroy.body as unknown as TofuExecution;
    assert.equal(destroyExecution.spec.action, 'destroy');
    assert.equal(destroyExecution.metadata.name, `${requested.metadata.name}-destroy`);
    const destroyed = await finished(destroyExecution.metadata.name ?? '');
    assert.equal(destroyed.status?.apply?.destroy, 2, JSON.stringify(destroyed.status?.apply));
    await waitFor('the stack to record the destroy request as handled', async () => {
      const s = await admin.get<TofuStack>(TofuStacks, ns, 'web');
      return s.status?.lastHandledDestroyRequestedAt === requested.metadata.annotations?.[Annotations.trigger]?.slice('destroy/d'.length);
    });

    // The object stays, and so does its (now empty) state: the next plan creates both again.
    const again = created(await plan());
    assert.equal(again.spec.destroy, undefined);
    const next = await finished(again.metadata.name ?? '');
    assert.equal(next.status?.summary?.add, 2, JSON.stringify(next.status?.summary));
    assert.equal(next.status?.summary?.destroy, 0, JSON.stringify(next.status?.summary));
    const destroyPlans = (await listExecutions(ns)).filter((e) => e.spec.destroy === true);
    assert.deepEqual(
      destroyPlans.map((e) => e.metadata.name),
      [requested.metadata.name],
      'one destroy plan per request',
    );
  });
});
