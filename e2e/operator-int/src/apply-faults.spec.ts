// The operator killed (SIGKILL) while an apply runs, on the local node with real runner pods and real
// tofu: the apply's runner pod holds the state lock and keeps running; a new operator process (same
// runner API port, which the pod was given) takes over, the apply finishes once (one apply execution,
// one Job, one pod, one "Apply complete!"), the state Secrets hold what it created with the lock
// released, and the next plan says "No changes.".
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Annotations, Labels, type TofuExecution, type TofuModule } from '@tofu-operator/api-types';
import type { KubeObject } from '@tofu-operator/reconcile-runtime';
import {
  admin,
  deleteNamespace,
  freePort,
  getExecution,
  installCrdsAndRbac,
  Jobs,
  listExecutions,
  listJobs,
  newNamespace,
  operatorKubeconfig,
  OperatorProcess,
  outputDir,
  Pods,
  serveRepo,
  serviceAccountWithRole,
  sleep,
  TofuModules,
  waitFor,
} from './harness.js';

/** How long the apply's first resource takes (its local-exec provisioner): longer than an operator's restart. */
const SLEEP_S = 25;
/** One slow resource, then three that depend on it: "4 added" only if the apply got past the kill. */
const SLOW_MODULE = `resource "terraform_data" "slow" {
  input = "slow"
  provisioner "local-exec" {
    command = "sleep ${SLEEP_S}"
  }
}

resource "terraform_data" "after" {
  count      = 3
  input      = "after-\${count.index}"
  depends_on = [terraform_data.slow]
}
`;
const TERMINAL = ['Succeeded', 'Failed'];
const Secrets = { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true } as const;
type Secret = KubeObject & { data?: Record<string, string> };
type PodT = KubeObject & { status?: { phase?: string } };
type JobT = KubeObject & { status?: { succeeded?: number; failed?: number; active?: number } };

/** The runner API calls an operator logged (debug) for one execution's state, as "METHOD status". */
function stateCalls(log: string, execution: string): string[] {
  return log
    .split('\n')
    .filter((l) => l.includes('"msg":"runner API"'))
    .map((l) => JSON.parse(l) as { method: string; path: string; execution: string; status: number })
    .filter((c) => c.execution === execution && c.path.startsWith('/state/'))
    .map((c) => `${c.method} ${c.status}`);
}

describe('operator killed during an apply', () => {
  let first: OperatorProcess | undefined;
  let second: OperatorProcess | undefined;
  let ns: string;
  let base: string;
  let approver: string;

  /** The plans of the module, newest first (by the operator's created-at annotation). */
  async function plans(): Promise<TofuExecution[]> {
    const at = (e: TofuExecution) => e.metadata.annotations?.[Annotations.createdAt] ?? '';
    return (await listExecutions(ns)).filter((e) => e.spec.action === 'plan').sort((a, b) => at(b).localeCompare(at(a)));
  }

  /** Waits for the newest plan other than `seen` to finish; fails if it failed. */
  async function nextPlan(seen: string[] = []): Promise<TofuExecution> {
    const plan = await waitFor(
      `a finished plan other than ${seen.join(', ') || 'none'}`,
      async () => {
        const p = (await plans()).find((e) => !seen.includes(e.metadata.name ?? ''));
        return p && TERMINAL.includes(p.status?.phase ?? '') ? p : undefined;
      },
      240_000,
      1_000,
    );
    assert.equal(plan.status?.phase, 'Succeeded', `plan ${plan.metadata.name}: ${plan.status?.message}`);
    return plan;
  }

  /** The runner container's log of a pod, as the kubelet has it now. */
  async function podLog(pod: string): Promise<string> {
    const abort = new AbortController();
    const stream = await admin.stream(`/api/v1/namespaces/${ns}/pods/${pod}/log`, { container: 'runner' }, abort.signal);
    let text = '';
    for await (const chunk of stream) text += (chunk as Buffer).toString('utf8');
    return text;
  }

  const podsOf = async (execution: string) =>
    (await admin.list<PodT>(Pods, ns, { labelSelector: `${Labels.execution}=${execution}` })).items;

  before(async () => {
    await installCrdsAndRbac();
    const repo = serveRepo('e2e-apply-faults', { 'slow/main.tf': SLOW_MODULE });
    ns = await newNamespace('apply-kill');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    first = new OperatorProcess(await operatorKubeconfig(), { PORT: String(port), TOFU_OPERATOR_WATCH_NAMESPACE: ns });
    first.start();
    await first.waitUntilLeading();
    await waitFor('the API is ready', async () => (await fetch(`${base}/readyz`)).ok);
    approver = await serviceAccountWithRole(ns, 'approver', ['get', 'list', 'watch', 'patch', 'approve']);
    await admin.create<TofuModule>(TofuModules, ns, {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuModule',
      metadata: { name: 'slow', namespace: ns },
      spec: { source: { repository: repo, revision: 'main', workdir: 'slow' } },
    });
  });

  after(async () => {
    for (const [i, o] of [first, second].entries()) {
      if (!o) continue;
      await o.stop().catch(() => o.stop('SIGKILL'));
      writeFileSync(join(outputDir, `apply-faults-${process.pid}-${i + 1}.operator.log`), o.log());
    }
    if (ns) await deleteNamespace(ns);
  });

  it('the apply finishes once with the state intact, and no second apply is made', async () => {
    const plan = await nextPlan();
    const digest = plan.status?.plan?.digest ?? '';
    assert.match(digest, /^sha256:[0-9a-f]{64}$/);
    assert.equal(plan.status?.plan?.hasChanges, true);

    const answer = await fetch(`${base}/api/v1/namespaces/${ns}/executions/${plan.metadata.name}/approve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${approver}`, 'content-type': 'application/json' },
      body: JSON.stringify({ planDigest: digest }),
    });
    const apply = (await answer.json()) as TofuExecution;
    assert.equal(answer.status, 201, JSON.stringify(apply));
    const applyName = apply.metadata.name ?? '';

    // Kill once tofu is inside the apply: it holds the state lock and runs the slow provisioner.
    const pod = await waitFor(
      'the apply running its slow resource',
      async () => {
        const p = (await podsOf(applyName))[0];
        if (p?.status?.phase !== 'Running') return undefined;
        return (await podLog(p.metadata?.name ?? '')).includes(`Executing: ["/bin/sh" "-c" "sleep ${SLEEP_S}"]`) ? p : undefined;
      },
      120_000,
      300,
    );
    const podName = pod.metadata?.name ?? '';
    await first?.stop('SIGKILL');
    const killedAt = Date.now();
    const atKill = await getExecution(ns, applyName);
    assert.ok(!TERMINAL.includes(atKill.status?.phase ?? ''), `the apply was still running at the kill: ${atKill.status?.phase}`);
    assert.doesNotMatch(await podLog(podName), /Apply complete!/, 'the apply had not finished at the kill');

    // The pod was given the first operator's runner API address: the new process serves the same port.
    second = new OperatorProcess(await operatorKubeconfig(), {
      PORT: String(await freePort()),
      TOFU_OPERATOR_RUNNER_PORT: first?.runnerPort ?? '',
      TOFU_OPERATOR_WATCH_NAMESPACE: ns,
    });
    assert.equal(second.runnerPort, first?.runnerPort);
    second.start();
    await second.waitUntilLeading(60_000);
    const takeover = Date.now() - killedAt;
    assert.ok(takeover < (SLEEP_S - 5) * 1000, `the new operator led ${takeover} ms after the kill, too late for a ${SLEEP_S} s apply`);

    const done = await waitFor(
      `apply ${applyName} to finish`,
      async () => {
        const e = await getExecution(ns, applyName);
        return TERMINAL.includes(e.status?.phase ?? '') ? e : undefined;
      },
      240_000,
      1_000,
    );
    assert.equal(done.status?.phase, 'Succeeded', done.status?.message);
    assert.equal(done.status?.apply?.add, 4, JSON.stringify(done.status?.apply));

    // The lock taken through the first process was released through the second, which stored the state.
    const beforeKill = stateCalls(first?.log() ?? '', applyName);
    const afterKill = stateCalls(second.log(), applyName);
    assert.ok(
      beforeKill.includes('LOCK 200') && !beforeKill.some((c) => c.startsWith('UNLOCK')),
      `first operator: ${beforeKill.join(', ')}`,
    );
    assert.ok(
      afterKill.includes('POST 200') && afterKill.includes('UNLOCK 200') && !afterKill.some((c) => c.startsWith('LOCK')),
      `second: ${afterKill.join(', ')}`,
    );

    // Once: one pod of one Job, which succeeded without a retry, and tofu applied once.
    const job = await admin.get<JobT>(Jobs, ns, applyName);
    assert.equal(job.status?.succeeded, 1, JSON.stringify(job.status));
    assert.ok(!job.status?.failed, JSON.stringify(job.status));
    assert.deepEqual(
      (await podsOf(applyName)).map((p) => p.metadata?.name),
      [podName],
    );
    const log = await podLog(podName);
    assert.equal(log.match(/Apply complete!/g)?.length, 1, log);
    assert.match(log, /Apply complete! Resources: 4 added, 0 changed, 0 destroyed\./);

    // The state: the pointer names a stored generation and holds no lock; its chunks are the four resources.
    const pointerSecret = await admin.get<Secret>(Secrets, ns, 'tofu-state-module-slow');
    const pointer = JSON.parse(Buffer.from(pointerSecret.data?.['pointer'] ?? '', 'base64').toString('utf8')) as {
      generation: number;
      chunks: number;
      lock?: unknown;
    };
    assert.equal(pointer.lock, undefined, `the state is still locked: ${JSON.stringify(pointer.lock)}`);
    assert.ok(pointer.generation >= 1 && pointer.chunks >= 1, JSON.stringify(pointer));
    const pieces: Buffer[] = [];
    for (let i = 0; i < pointer.chunks; i++) {
      const chunk = await admin.get<Secret>(Secrets, ns, `tofu-state-data-module-slow-g${pointer.generation}-${i}`);
      pieces.push(Buffer.from(chunk.data?.['chunk'] ?? '', 'base64'));
    }
    const state = JSON.parse(gunzipSync(Buffer.concat(pieces)).toString('utf8')) as {
      resources: { type: string; name: string; instances: unknown[] }[];
    };
    assert.deepEqual(state.resources.map((r) => `${r.type}.${r.name}:${r.instances.length}`).sort(), [
      'terraform_data.after:3',
      'terraform_data.slow:1',
    ]);

    // The next plan reads that state: nothing to do.
    await admin.mergePatch(TofuModules, ns, 'slow', { metadata: { annotations: { [Annotations.requestedAt]: new Date().toISOString() } } });
    const next = await nextPlan([plan.metadata.name ?? '']);
    assert.equal(next.status?.plan?.hasChanges, false, JSON.stringify(next.status?.plan));
    assert.match(next.status?.summary?.text ?? '', /No changes\./);

    // No second apply, now or a little later (a duplicate would come from the new operator's first reconciles).
    await sleep(3000);
    const executions = await listExecutions(ns);
    assert.deepEqual(
      executions.filter((e) => e.spec.action !== 'plan').map((e) => e.metadata.name),
      [applyName],
    );
    const jobs = (await listJobs(ns)).map((j) => j.metadata?.name ?? '').sort();
    assert.deepEqual(jobs, executions.map((e) => e.metadata.name ?? '').sort(), 'one Job per execution');
    assert.equal(executions.length, 3, 'the first plan, the apply, the next plan');
  });
});
