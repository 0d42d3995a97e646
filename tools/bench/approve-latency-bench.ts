// Benchmark (not a test): from an approve click to the apply's Job, next to the plan path's own
// figure (from a plan request to the plan's Job), on the local cluster with real runner pods.
//
//   npm run bench:approve -- [iterations]   (default 20; needs `npm run build` and `npm run cluster -- up`)
//
// Starts the built operator as a child process (the integration harness's OperatorProcess: its
// ServiceAccount's token, watching one fresh namespace with the restricted Pod Security Standard, its
// runner API reached by runner pods at the node's bridge) and, one iteration at a time:
//
// 1. creates a stack of the samples' `hello` module and waits (polling, not measured) until its plan
//    has Succeeded with changes and a digest (status.plan.digest);
// 2. approve: T0 just before `POST /api/v1/namespaces/{ns}/executions/{plan}/approve {"planDigest"}`
//    (a token allowed to approve); measured: the 201 answer, and the ADDED watch events of the apply
//    execution and of its Job; then waits (not measured) for the apply to succeed;
// 3. plan: T0 just before `POST /api/v1/namespaces/{ns}/stacks/{stack}/plan`; measured: the answer
//    (201 once the operator's cache shows the execution), and the ADDED watch events of the plan
//    execution and of its Job; then waits (not measured) for the plan to finish.
//
// Execution and Job times come from two watches opened once at the start (no polling); all clocks
// are this process's performance.now(). Prints p50/p90/p99/max of each figure and the ratio
// approve/plan of the Job figures at each percentile.
import type { TofuExecution } from '@tofu-operator/api-types';
import * as api from '@tofu-operator/api-types';
import * as rt from '@tofu-operator/reconcile-runtime';
// The integration suite's harness: the same admin client, operator process and tokens as the tests.
import * as h from '@tofu-operator/operator-int/dist/harness.js';
import { pct, watchAdded } from './bench-lib.ts';

const iterations = Number(process.argv[2] ?? 20);
if (!Number.isInteger(iterations) || iterations < 1) throw new Error(`iterations must be a positive integer, got ${process.argv[2]}`);
const admin = h.admin;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const began = performance.now();
/** Progress on stderr, so stdout keeps only the results. */
const progress = (what: string) => console.error(`[${((performance.now() - began) / 1000).toFixed(1).padStart(6)} s] ${what}`);

await h.installCrdsAndRbac();
const ns = `bench-approve-${Date.now() % 100000}`;
await admin.create(h.Namespaces, undefined, {
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: ns, labels: { 'tofu-operator.io/bench': 'true', 'pod-security.kubernetes.io/enforce': 'restricted' } },
});
// The user who clicks: may plan (patch) and approve, nothing else.
const token: string = await h.serviceAccountWithRole(ns, 'approver', ['get', 'list', 'watch', 'patch', 'approve']);
await admin.create(api.TofuModules, ns, {
  apiVersion: api.API_GROUP_VERSION,
  kind: 'TofuModule',
  metadata: { name: 'hello', namespace: ns },
  spec: { source: { repository: 'git://10.88.0.1/tofu-samples', revision: 'main', workdir: 'hello' } },
});

const port: number = await h.freePort();
const base = `http://127.0.0.1:${port}`;
const operator = new h.OperatorProcess(await h.operatorKubeconfig(), {
  PORT: String(port),
  LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
  TOFU_OPERATOR_LEASE_NAME: 'bench-approve',
  TOFU_OPERATOR_WATCH_NAMESPACE: ns,
});

const stop = new AbortController();
const execAdded = new Map<string, number>();
const jobAdded = new Map<string, number>();
/** Executions by the stack their label names, in the order they appeared (for a plan answered 202). */
const execsOfStack = new Map<string, { name: string; at: number }[]>();
const watches = [
  await watchAdded(admin, api.TofuExecutions, ns, execAdded, stop.signal, undefined, (o, at) => {
    const stack = o.metadata.labels?.[api.Labels.stack];
    if (stack) execsOfStack.set(stack, [...(execsOfStack.get(stack) ?? []), { name: o.metadata.name, at }]);
  }),
  await watchAdded(admin, rt.Jobs, ns, jobAdded, stop.signal),
];
const watchFailed = Promise.race(watches.map((w) => w.done)).then(() => {
  if (!stop.signal.aborted) throw new Error('a watch ended');
});
watchFailed.catch(() => undefined);

let cleaned = false;
async function cleanUp(): Promise<void> {
  if (cleaned) return;
  cleaned = true;
  stop.abort();
  await operator.stop().catch((err: unknown) => console.error(String(err)));
  await admin.delete(h.Namespaces, undefined, ns).catch(() => undefined);
  await admin.close();
}
process.on('SIGINT', () => void cleanUp().then(() => process.exit(130)));

/** When the watch first saw `name` in `seen` (ms, performance.now()); fails after the timeout. */
async function addedAt(seen: Map<string, number>, name: string, what: string, timeoutMs = 60_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  // Reads the watch's own map: the time is the event's arrival, not this loop's.
  while (!seen.has(name)) {
    if (performance.now() > deadline) throw new Error(`no ADDED event of ${what} ${name} within ${timeoutMs} ms`);
    await Promise.race([sleep(2), watchFailed]);
  }
  return seen.get(name) ?? NaN;
}

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: ((await res.json().catch(() => ({}))) ?? {}) as Record<string, unknown> };
}

/** Waits (polling every 200 ms, not measured) until an execution is finished; fails unless it Succeeded. */
async function succeeded(name: string): Promise<TofuExecution> {
  const e = await h.waitFor(
    `execution ${name} to finish`,
    async () => {
      const x = await h.getExecution(ns, name);
      return x.status?.phase === 'Succeeded' || x.status?.phase === 'Failed' ? x : undefined;
    },
    240_000,
  );
  if (e.status?.phase !== 'Succeeded') throw new Error(`execution ${name} ${e.status?.phase}: ${e.status?.message}`);
  return e;
}

interface Sample {
  approveAnswer: number;
  approveExec: number;
  approveJob: number;
  planAnswer: number;
  planExec: number;
  planJob: number;
}
const samples: Sample[] = [];

try {
  operator.start();
  await operator.waitUntilLeading(60_000);
  await h.waitFor('the API is ready', async () => (await fetch(`${base}/readyz`)).ok);
  progress(`operator leading (log ${operator.logFile}); ${iterations} iterations in namespace ${ns}`);
  for (let i = 0; i < iterations; i++) {
    const stack = `s${i}`;
    await admin.create(api.TofuStacks, ns, {
      apiVersion: api.API_GROUP_VERSION,
      kind: 'TofuStack',
      metadata: { name: stack, namespace: ns },
      spec: { moduleRef: { name: 'hello' } },
    });
    const first = await h.waitFor(`the first plan of ${stack}`, () => execsOfStack.get(stack)?.[0]?.name, 60_000, 50);
    const plan = await succeeded(first);
    const digest = plan.status?.plan?.digest;
    if (!digest || plan.status?.plan?.hasChanges !== true) throw new Error(`plan ${first} has no changes or no digest`);

    // Approve: the clock starts just before the request.
    const a0 = performance.now();
    const approved = await call('POST', `/api/v1/namespaces/${ns}/executions/${first}/approve`, { planDigest: digest });
    const approveAnswer = performance.now() - a0;
    if (approved.status !== 201) throw new Error(`approve answered ${approved.status}: ${JSON.stringify(approved.body)}`);
    const applyName = (approved.body as unknown as TofuExecution).metadata.name ?? '';
    const approveExec = (await addedAt(execAdded, applyName, 'apply execution')) - a0;
    const approveJob = (await addedAt(jobAdded, applyName, 'the Job of apply')) - a0;
    await succeeded(applyName);

    // Plan: the clock starts just before the request.
    const p0 = performance.now();
    const planned = await call('POST', `/api/v1/namespaces/${ns}/stacks/${stack}/plan`);
    const planAnswer = performance.now() - p0;
    if (planned.status !== 201 && planned.status !== 202)
      throw new Error(`plan answered ${planned.status}: ${JSON.stringify(planned.body)}`);
    const answered = (planned.body['execution'] as TofuExecution | undefined)?.metadata.name;
    const planName =
      answered ??
      (await h.waitFor(`the requested plan of ${stack}`, () => execsOfStack.get(stack)?.find((e) => e.at > p0)?.name, 60_000, 5));
    const planExec = (await addedAt(execAdded, planName, 'plan execution')) - p0;
    const planJob = (await addedAt(jobAdded, planName, 'the Job of plan')) - p0;
    await succeeded(planName);

    samples.push({ approveAnswer, approveExec, approveJob, planAnswer, planExec, planJob });
    progress(
      `${stack}: approve → Job ${approveJob.toFixed(0)} ms (answer ${approveAnswer.toFixed(0)}); plan → Job ${planJob.toFixed(0)} ms (answer ${planAnswer.toFixed(0)}${answered ? '' : ', 202'})`,
    );
  }
} finally {
  await cleanUp();
}

const figures: [string, keyof Sample][] = [
  ['approve: POST …/approve → apply execution ADDED', 'approveExec'],
  ['approve: POST …/approve → apply Job ADDED', 'approveJob'],
  ['approve: POST …/approve → 201 answer', 'approveAnswer'],
  ['plan: POST …/stacks/{name}/plan → plan execution ADDED', 'planExec'],
  ['plan: POST …/stacks/{name}/plan → plan Job ADDED', 'planJob'],
  ['plan: POST …/stacks/{name}/plan → answer', 'planAnswer'],
];
const levels = [50, 90, 99, 100];
const at = (k: keyof Sample, p: number) =>
  pct(
    samples.map((s) => s[k]),
    p,
  );
const col = (s: string) => s.padStart(7);
console.log(
  `approve → apply Job next to plan request → plan Job, ${samples.length} iterations: ms from just before the POST to the ` +
    `ADDED event of a watch opened at the start (or to the HTTP answer); p99 is nearest-rank, so below 100 iterations it is the largest sample`,
);
console.log(`${'figure'.padEnd(56)} | ${['p50', 'p90', 'p99', 'max'].map(col).join(' | ')}`);
for (const [label, k] of figures) console.log(`${label.padEnd(56)} | ${levels.map((p) => col(at(k, p).toFixed(0))).join(' | ')}`);
const ratios = levels.map((p) => col((at('approveJob', p) / at('planJob', p)).toFixed(2)));
console.log(`${'ratio: approve → Job / plan → Job (same percentile)'.padEnd(56)} | ${ratios.join(' | ')}`);
console.log(`operator log: ${operator.logFile}`);
