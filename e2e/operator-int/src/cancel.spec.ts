// Cancelling a run against the real stack: a real runner pod planning a slow module on the local
// node, the real API server's SubjectAccessReviews, Job deletion and Events. The cancel request stops
// the run for real (Job and pod gone), is recorded once as Failed/Cancelled, and a finished run
// cannot be cancelled.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Condition, TofuExecution, TofuModule } from '@tofu-operator/api-types';
import {
  admin,
  deleteNamespace,
  freePort,
  getExecution,
  installCrdsAndRbac,
  listExecutions,
  listJobs,
  listPods,
  newNamespace,
  operatorKubeconfig,
  OperatorProcess,
  serveRepo,
  serviceAccountWithRole,
  sleep,
  TofuModules,
  waitFor,
  manyResources,
} from './harness.js';

/** Thousands of resources: a plan that runs for a good while. */

interface CoreEvent {
  reason?: string;
  type?: string;
  count?: number;
  series?: { count?: number };
  involvedObject?: { name?: string; kind?: string };
}

describe('cancelling a run', () => {
  let operator: OperatorProcess;
  let ns: string;
  let base: string;
  let editor: string;
  let viewer: string;
  let repo: string;

  const cancel = (name: string, token: string) =>
    fetch(`${base}/api/v1/namespaces/${ns}/executions/${name}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });

  async function planOf(module: string): Promise<TofuExecution> {
    return waitFor(`the plan of ${module}`, async () => (await listExecutions(ns)).find((e) => e.spec.moduleRef?.name === module), 60_000);
  }

  before(async () => {
    await installCrdsAndRbac();
    repo = serveRepo('e2e-cancel', { 'slow/main.tf': manyResources(4000), 'quick/main.tf': 'terraform {}\n' });
    ns = await newNamespace('cancel');
    editor = await serviceAccountWithRole(ns, 'editor', ['get', 'list', 'watch', 'patch']);
    viewer = await serviceAccountWithRole(ns, 'viewer', ['get', 'list', 'watch']);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    operator = new OperatorProcess(await operatorKubeconfig(), { PORT: String(port), TOFU_OPERATOR_WATCH_NAMESPACE: ns });
    operator.start();
    await operator.waitUntilLeading();
    await waitFor('the API is ready', async () => (await fetch(`${base}/readyz`)).ok);
  });

  after(async () => {
    await operator?.stop();
    if (ns) await deleteNamespace(ns);
  });

  it('stops a running plan: the Job and its pod are gone, the run is Failed/Cancelled, recorded once', async () => {
    const module: TofuModule = {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuModule',
      metadata: { name: 'slow', namespace: ns },
      spec: { source: { repository: repo, revision: 'main', workdir: 'slow' } },
    };
    await admin.create(TofuModules, ns, module);
    const { metadata } = await planOf('slow');
    const name = metadata.name!;
    const running = await waitFor(
      'the plan to run in its pod',
      async () => {
        const e = await getExecution(ns, name);
        return e.status?.phase === 'Running' && e.status.podName && e.status.jobName ? e : undefined;
      },
      120_000,
    );
    const jobName = running.status!.jobName!;
    const podName = running.status!.podName!;

    // RBAC: get/list/watch is not enough; the API answers 403 and marks nothing.
    assert.equal((await cancel(name, viewer)).status, 403);
    assert.equal((await getExecution(ns, name)).metadata.annotations?.['tofu-operator.io/cancel-requested-at'], undefined);

    const answer = await cancel(name, editor);
    assert.equal(answer.status, 200, await answer.clone().text());
    const marked = (await answer.json()) as TofuExecution;
    const requestedAt = marked.metadata.annotations?.['tofu-operator.io/cancel-requested-at'] ?? '';
    assert.match(requestedAt, /^\d{4}-\d\d-\d\dT/);
    // A second request while it happens changes nothing (or, once finished, is refused).
    const again = await cancel(name, editor);
    assert.ok(again.status === 200 || again.status === 409, `second cancel: ${again.status}`);

    const cancelled = await waitFor(
      'the execution to be cancelled',
      async () => {
        const e = await getExecution(ns, name);
        return e.status?.phase === 'Failed' ? e : undefined;
      },
      60_000,
    );
    assert.equal(cancelled.status?.failureCategory, 'Cancelled');
    assert.match(cancelled.status?.message ?? '', new RegExp(`cancelled \\(requested at ${requestedAt.replace(/\./g, '\\.')}\\)`));
    for (const type of ['Ready', 'Reconciling']) {
      const c: Condition | undefined = cancelled.status?.conditions?.find((x) => x.type === type);
      assert.deepEqual([c?.status, c?.reason], ['False', 'Cancelled'], type);
    }
    assert.equal(cancelled.metadata.annotations?.['tofu-operator.io/cancel-requested-at'], requestedAt);
    assert.ok(cancelled.status?.completionTime);

    // A real stop: the Job and its pod are gone (foreground deletion), long before the plan could end.
    await waitFor(
      'the Job and the runner pod to be gone',
      async () => {
        const jobs = await listJobs(ns);
        const pods = await listPods(ns);
        return !jobs.some((j) => j.metadata?.name === jobName) && !pods.some((p) => p.metadata?.name === podName);
      },
      60_000,
    );

    // Exactly once: the status stays as written, and one Cancelled Event (count 1) names the run.
    await sleep(5000);
    const later = await getExecution(ns, name);
    assert.equal(later.status?.phase, 'Failed');
    assert.equal(later.status?.failureCategory, 'Cancelled');
    assert.equal(later.status?.completionTime, cancelled.status?.completionTime);
    const events = await admin.request<{ items: CoreEvent[] }>('GET', `/api/v1/namespaces/${ns}/events`);
    const mine = events.items.filter((e) => e.reason === 'Cancelled' && e.involvedObject?.name === name);
    assert.equal(mine.length, 1, JSON.stringify(mine));
    assert.equal(mine[0]?.type, 'Warning');
    assert.equal(mine[0]?.series?.count ?? mine[0]?.count ?? 1, 1);
    // No JobDeleted story on top of it, and no second run of the same execution.
    assert.ok(!events.items.some((e) => e.reason === 'JobDeleted' && e.involvedObject?.name === name));
    assert.ok(!(await listJobs(ns)).some((j) => j.metadata?.name === jobName));

    // Finished now: a cancel is refused with 409.
    const finished = await cancel(name, editor);
    assert.equal(finished.status, 409);
    assert.match(((await finished.json()) as { message: string }).message, /has finished \(Failed\)/);
  });

  it('a finished run is not cancelled (409) and an unknown one is 404', async () => {
    await admin.create(TofuModules, ns, {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuModule',
      metadata: { name: 'quick', namespace: ns },
      spec: { source: { repository: repo, revision: 'main', workdir: 'quick' } },
    } satisfies TofuModule);
    const quick = (await planOf('quick')).metadata.name!;
    await waitFor('the quick plan to succeed', async () => (await getExecution(ns, quick)).status?.phase === 'Succeeded', 120_000);
    const answer = await cancel(quick, editor);
    assert.equal(answer.status, 409);
    const after = await getExecution(ns, quick);
    assert.equal(after.status?.phase, 'Succeeded');
    assert.equal(after.metadata.annotations?.['tofu-operator.io/cancel-requested-at'], undefined);
    assert.equal((await cancel('no-such-run', editor)).status, 404);
  });
});
