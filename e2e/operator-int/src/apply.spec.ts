// Apply bound to the reviewed plan, on the local node with real runner pods and real tofu: a plan
// with changes is stored through the runner API (status.plan.digest), approved over REST with that
// digest, applied by a second runner pod that keeps the state in Secrets, and the next plan says
// "No changes.". Refusals: a wrong digest (422), an approval after a newer plan (409), a user with
// edit but not approve (403 on REST, refused by the admission policy on kubectl), racing approvals
// (one apply, one Job), reject then approve (409).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, type TofuExecution, type TofuModule } from '@tofu-operator/api-types';
import {
  admin,
  deleteNamespace,
  freePort,
  getExecution,
  installCrdsAndRbac,
  listExecutions,
  listJobs,
  newNamespace,
  operatorKubeconfig,
  OperatorProcess,
  outputDir,
  repoRoot,
  serveRepo,
  serviceAccountWithRole,
  TofuModules,
  waitFor,
} from './harness.js';

const ONE_RESOURCE = 'resource "terraform_data" "a" {\n  input = "a"\n}\n';
const TERMINAL = ['Succeeded', 'Failed'];
const kubeconfig = process.env['KUBECONFIG'] || join(repoRoot, '.cluster', 'kubeconfig');

/** kubectl of the local cluster as `user` (impersonated by the admin); its exit status and output. */
function kubectlAs(user: string, args: string[], input?: string): { code: number; output: string } {
  try {
    const output = execFileSync(
      'bash',
      [join(repoRoot, 'tools/cluster/cluster.sh'), 'kubectl', '--kubeconfig', kubeconfig, `--as=${user}`, ...args],
      { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...(input ? { input } : {}) },
    );
    return { code: 0, output };
  } catch (err) {
    const e = err as { status?: number; stdout?: string; stderr?: string };
    return { code: e.status ?? 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('apply bound to the reviewed plan', () => {
  let operator: OperatorProcess;
  let ns: string;
  let repo: string;
  let base: string;
  let approver: string;
  let editor: string;

  const call = async (method: string, path: string, token: string, body?: unknown) => {
    const res = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined };
  };
  const approve = (name: string, digest: string, token = approver) =>
    call('POST', `/api/v1/namespaces/${ns}/executions/${name}/approve`, token, { planDigest: digest });
  const reject = (name: string, digest: string, token = approver) =>
    call('POST', `/api/v1/namespaces/${ns}/executions/${name}/reject`, token, { planDigest: digest });

  async function createModule(name: string): Promise<void> {
    await admin.create<TofuModule>(TofuModules, ns, {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuModule',
      metadata: { name, namespace: ns },
      spec: { source: { repository: repo, revision: 'main', workdir: 'one' } },
    });
  }

  /** The plans of a module, newest first (by the operator's created-at annotation). */
  async function plansOf(module: string): Promise<TofuExecution[]> {
    const at = (e: TofuExecution) => e.metadata.annotations?.[Annotations.createdAt] ?? '';
    return (await listExecutions(ns))
      .filter((e) => e.spec.moduleRef?.name === module && e.spec.action === 'plan')
      .sort((a, b) => at(b).localeCompare(at(a)));
  }

  /** Waits for a module's newest plan, other than `after`, to finish; fails if it failed. */
  async function nextPlan(module: string, after: string[] = []): Promise<TofuExecution> {
    const plan = await waitFor(
      `a finished plan of ${module} other than ${after.join(', ') || 'none'}`,
      async () => {
        const p = (await plansOf(module)).find((e) => !after.includes(e.metadata.name ?? ''));
        return p && TERMINAL.includes(p.status?.phase ?? '') ? p : undefined;
      },
      240_000,
      1_000,
    );
    assert.equal(plan.status?.phase, 'Succeeded', `plan ${plan.metadata.name}: ${plan.status?.message}`);
    return plan;
  }

  async function finished(name: string): Promise<TofuExecution> {
    return waitFor(
      `execution ${name} to finish`,
      async () => {
        const e = await getExecution(ns, name);
        return TERMINAL.includes(e.status?.phase ?? '') ? e : undefined;
      },
      240_000,
      1_000,
    );
  }

  before(async () => {
    await installCrdsAndRbac();
    repo = serveRepo('e2e-apply', { 'one/main.tf': ONE_RESOURCE });
    ns = await newNamespace('apply');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    operator = new OperatorProcess(await operatorKubeconfig(), {
      PORT: String(port),
      TOFU_OPERATOR_RUNNER_PORT: String(await freePort()),
      TOFU_OPERATOR_WATCH_NAMESPACE: ns,
    });
    operator.start();
    await operator.waitUntilLeading();
    await waitFor('the API is ready', async () => (await fetch(`${base}/readyz`)).ok);
    approver = await serviceAccountWithRole(ns, 'approver', ['get', 'list', 'watch', 'patch', 'approve']);
    // Everything edit allows on our kinds, but not approve.
    editor = await serviceAccountWithRole(ns, 'editor', ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']);
  });

  after(async () => {
    const log = operator?.log() ?? '';
    await operator?.stop();
    writeFileSync(join(outputDir, `apply-${process.pid}.operator.log`), log);
    if (ns) await deleteNamespace(ns);
  });

  it('plan, refusals, racing approvals, apply, then "No changes."', async () => {
    await createModule('web');
    const first = await nextPlan('web');
    const digest = first.status?.plan?.digest ?? '';
    assert.match(digest, /^sha256:[0-9a-f]{64}$/, 'the plan is stored with its digest');
    assert.equal(first.status?.plan?.hasChanges, true);
    assert.match(first.status?.plan?.commit ?? '', /^[0-9a-f]{40}$/);

    const wrong = await approve(first.metadata.name ?? '', `sha256:${'0'.repeat(64)}`);
    assert.equal(wrong.status, 422, JSON.stringify(wrong.body));
    assert.equal((wrong.body?.['fields'] as { path: string }[] | undefined)?.[0]?.path, 'planDigest');

    const refused = await approve(first.metadata.name ?? '', digest, editor);
    assert.equal(refused.status, 403, 'edit does not imply approve');
    const annotate = kubectlAs(`system:serviceaccount:${ns}:editor`, [
      'annotate',
      '-n',
      ns,
      'tofuexecutions',
      first.metadata.name ?? '',
      `tofu-operator.io/approve=${digest}`,
    ]);
    assert.notEqual(annotate.code, 0, annotate.output);
    assert.match(annotate.output, /approving is refused/);
    const byHand = kubectlAs(
      `system:serviceaccount:${ns}:editor`,
      ['create', '-n', ns, '-f', '-'],
      JSON.stringify({
        apiVersion: 'tofu-operator.io/v1alpha1',
        kind: 'TofuExecution',
        metadata: { name: 'by-hand-apply' },
        spec: { action: 'apply', moduleRef: { name: 'web' }, planRef: { name: first.metadata.name, digest } },
      }),
    );
    assert.notEqual(byHand.code, 0, byHand.output);
    assert.match(byHand.output, /approving is refused/);

    // A newer plan: the first one can no longer be approved.
    await admin.mergePatch(TofuModules, ns, 'web', { metadata: { annotations: { [Annotations.requestedAt]: new Date().toISOString() } } });
    const second = await nextPlan('web', [first.metadata.name ?? '']);
    const stale = await approve(first.metadata.name ?? '', digest);
    assert.equal(stale.status, 409, JSON.stringify(stale.body));

    // Two approvals at once: one apply execution, one Job.
    const digest2 = second.status?.plan?.digest ?? '';
    const answers = await Promise.all([approve(second.metadata.name ?? '', digest2), approve(second.metadata.name ?? '', digest2)]);
    assert.deepEqual(answers.map((a) => a.status).sort(), [201, 409], JSON.stringify(answers.map((a) => a.body)));
    const created = answers.find((a) => a.status === 201)?.body as unknown as TofuExecution;
    assert.equal(created.spec.action, 'apply');
    assert.deepEqual(created.spec.planRef, { name: second.metadata.name, digest: digest2 });
    assert.equal(created.metadata.annotations?.[Annotations.approvedBy], `system:serviceaccount:${ns}:approver`);

    const applied = await finished(created.metadata.name ?? '');
    assert.equal(applied.status?.phase, 'Succeeded', applied.status?.message);
    assert.equal(applied.status?.apply?.add, 1, JSON.stringify(applied.status?.apply));
    const applies = (await listExecutions(ns)).filter((e) => e.spec.action !== 'plan');
    assert.deepEqual(
      applies.map((e) => e.metadata.name),
      [created.metadata.name],
    );
    const jobs = (await listJobs(ns)).filter((j) => j.metadata?.name === created.metadata.name);
    assert.equal(jobs.length, 1);
    assert.equal((await getExecution(ns, second.metadata.name ?? '')).status?.approval?.state, 'Approved');

    const secrets = (
      await admin.list<{ metadata: { name?: string } }>(
        { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true },
        ns,
      )
    ).items.map((s) => s.metadata.name ?? '');
    assert.ok(secrets.includes('tofu-state-module-web'), `state pointer among ${secrets.join(', ')}`);
    assert.ok(
      secrets.some((n) => n.startsWith('tofu-state-data-module-web-')),
      `state data among ${secrets.join(', ')}`,
    );

    // The next plan finds the state: nothing to do.
    await admin.mergePatch(TofuModules, ns, 'web', { metadata: { annotations: { [Annotations.requestedAt]: new Date().toISOString() } } });
    const third = await nextPlan('web', [first.metadata.name ?? '', second.metadata.name ?? '']);
    assert.equal(third.status?.plan?.hasChanges, false, JSON.stringify(third.status?.plan));
    assert.match(third.status?.summary?.text ?? '', /No changes\./);
  });

  it('reject answers 200 and a later approval 409', async () => {
    await createModule('db');
    const plan = await nextPlan('db');
    const digest = plan.status?.plan?.digest ?? '';
    const rejected = await reject(plan.metadata.name ?? '', digest);
    assert.equal(rejected.status, 200, JSON.stringify(rejected.body));
    assert.equal((await getExecution(ns, plan.metadata.name ?? '')).status?.approval?.state, 'Rejected');
    const late = await approve(plan.metadata.name ?? '', digest);
    assert.equal(late.status, 409, JSON.stringify(late.body));
  });
});
