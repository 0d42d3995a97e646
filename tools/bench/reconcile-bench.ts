// Benchmark (not a test): how fast the operator turns N stacks into N Jobs, next to the floor: a
// plain script creating the same N executions and Jobs directly on the same API server.
//
//   npm run bench:reconcile -- [N ...]        (default: 100 1000; needs `npm run build` and a cluster)
//
// Prints, per N:
// - floor / operator "all Jobs": from just before the first create call to the moment this script
//   notices (checking every 20 ms) that its Job watch has seen all N Jobs (ADDED events);
// - ratio: operator / floor;
// - operator p50/p99 stack -> Job: per stack, from just before its create call (so the create request,
//   and any wait for the client's rate limit, is included) to its Job's ADDED watch event; floor p99:
//   the same from just before its execution's create call (the floor then creates the Job itself);
// - the operator's peak RSS (VmHWM) and CPU time (user + system) over the run, from /proc.
// Both sides use the same client rate limit (BENCH_QPS, default 200). All times: performance.now().
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as api from '@tofu-operator/api-types';
import * as rt from '@tofu-operator/reconcile-runtime';
// The built operator's own Job template: the floor creates exactly the Jobs the operator would.
import { buildJob } from '@tofu-operator/operator/dist/reconcile/job-template.js';
import { pct, watchAdded } from './bench-lib.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const kubeconfig = process.env.KUBECONFIG || join(root, '.cluster/kubeconfig');
const qps = Number(process.env.BENCH_QPS ?? 200);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const admin = rt.KubeClient.fromFile(kubeconfig, { qps: 1000, burst: 2000, fieldManager: 'bench' });
const client = rt.KubeClient.fromFile(kubeconfig, { qps, burst: qps * 2, fieldManager: 'bench' });
const Namespaces = { group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false };
const Jobs = rt.Jobs;
const out = join(root, 'test-output', 'bench');
mkdirSync(out, { recursive: true });

async function applyFile(path: string) {
  await rt.applyManifestFile(admin, path);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>) {
  let i = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (i < items.length) await fn(items[i++] as T);
    }),
  );
}

/** Records when each stack's Job (or, for the floor, each execution's Job by name) first appears. */
const watchJobs = (ns: string, seen: Map<string, number>, stop: AbortSignal) =>
  watchAdded(admin, Jobs, ns, seen, stop, (o) => o.metadata.labels?.['tofu-operator.io/stack'] ?? o.metadata.name);

async function namespace(name: string) {
  await admin.create(Namespaces, undefined, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { 'tofu-operator.io/bench': 'true' } },
  });
}

async function deleteNamespace(name: string) {
  await admin.delete(Namespaces, undefined, name).catch(() => undefined);
}

const source = { repository: 'git://10.88.0.1/tofu-samples', revision: 'main', workdir: 'hello' };
// Runner pods of the benchmark never run (no node has this label): it measures reconciling, not plans.
const template = { nodeSelector: { 'tofu-operator.io/bench-no-node': 'true' } };

async function floor(n: number) {
  const ns = `bench-floor-${n}-${Date.now() % 100000}`;
  await namespace(ns);
  const seen = new Map<string, number>();
  const stop = new AbortController();
  const { done: watching } = await watchJobs(ns, seen, stop.signal);
  const created = new Map<string, number>();
  const t0 = performance.now();
  await pool([...Array(n).keys()], concurrency, async (i) => {
    const name = `s${i}`;
    const start = performance.now();
    const exec = await client.create<api.TofuExecution>(api.TofuExecutions, ns, {
      apiVersion: api.API_GROUP_VERSION,
      kind: 'TofuExecution',
      metadata: { name, namespace: ns },
      spec: { action: 'plan', moduleRef: { name: 'm' }, source, executionTemplate: template },
    });
    created.set(name, start);
    await client.create(Jobs, ns, buildJob(exec, { source, template }, { runnerImage: 'tofu-operator-runner:bench' }));
  });
  while (seen.size < n) await sleep(20);
  const total = performance.now() - t0;
  stop.abort();
  await watching;
  const lat = [...created].map(([k, t]) => (seen.get(k) ?? NaN) - t);
  await deleteNamespace(ns);
  return { total, p50: pct(lat, 50), p99: pct(lat, 99) };
}

async function withOperator(n: number) {
  const ns = `bench-op-${n}-${Date.now() % 100000}`;
  await namespace(ns);
  await admin.create(api.TofuModules, ns, {
    apiVersion: api.API_GROUP_VERSION,
    kind: 'TofuModule',
    metadata: { name: 'm', namespace: ns },
    spec: { source, executionTemplate: template },
  });
  const log = join(out, `operator-${n}.log`);
  const nodeArgs = (process.env.BENCH_OPERATOR_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, join(root, 'apps/operator/dist/main.js')], {
    env: {
      ...process.env,
      KUBECONFIG: kubeconfig,
      PORT: '0',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      TOFU_OPERATOR_KUBE_QPS: String(qps),
      TOFU_OPERATOR_KUBE_BURST: String(qps * 2),
      TOFU_OPERATOR_CONCURRENCY: String(concurrency),
      TOFU_OPERATOR_LEASE_NAMESPACE: 'tofu-operator-system',
      TOFU_OPERATOR_LEASE_NAME: 'bench',
      TOFU_OPERATOR_WATCH_NAMESPACE: ns,
      // The benchmark measures stack → Job, not the run queue: no cap (the default 16 would hold
      // every Job after the 16th until a run ends, and the runs never start here).
      TOFU_OPERATOR_MAX_CONCURRENT_RUNS: '1000000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let logText = '';
  child.stdout.on('data', (d) => (logText += d));
  child.stderr.on('data', (d) => (logText += d));
  // Wait for the module's own Job: the operator leads and its caches have synced.
  const seen = new Map<string, number>();
  const stop = new AbortController();
  const { done: watching } = await watchJobs(ns, seen, stop.signal);
  while (seen.size < 1) await sleep(50);
  seen.clear();
  let peakRss = 0;
  const cpuSeconds = () => {
    const f = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(f[11]) + Number(f[12])) / 100;
  };
  const cpuStart = cpuSeconds();
  let cpuEnd = cpuStart;
  const sampler = setInterval(() => {
    try {
      cpuEnd = cpuSeconds();
    } catch {
      /* exited */
    }
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peakRss = Math.max(peakRss, Number(m[1]) * 1024);
    } catch {
      /* exited */
    }
  }, 200);
  const created = new Map<string, number>();
  const t0 = performance.now();
  await pool([...Array(n).keys()], concurrency, async (i) => {
    const name = `s${i}`;
    // Before the call: the latency includes the create request itself, as the floor's does.
    const start = performance.now();
    await client.create(api.TofuStacks, ns, {
      apiVersion: api.API_GROUP_VERSION,
      kind: 'TofuStack',
      metadata: { name, namespace: ns },
      spec: { moduleRef: { name: 'm' } },
    });
    created.set(name, start);
  });
  const deadline = performance.now() + 600_000;
  while (seen.size < n && performance.now() < deadline) await sleep(20);
  const total = performance.now() - t0;
  clearInterval(sampler);
  stop.abort();
  await watching;
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  writeFileSync(log, logText);
  const lat = [...created].map(([k, t]) => (seen.get(k) ?? NaN) - t);
  await deleteNamespace(ns);
  if (seen.size < n) throw new Error(`only ${seen.size}/${n} Jobs after 10 minutes; see ${log}`);
  return { total, p50: pct(lat, 50), p99: pct(lat, 99), peakRss, cpu: cpuEnd - cpuStart };
}

for (const f of ['tofumodules', 'tofustacks', 'tofuexecutions']) await applyFile(join(root, 'crds', `${f}.tofu-operator.io.yaml`));
await applyFile(join(root, 'deploy/rbac/operator.yaml'));
console.log(`reconcile benchmark: client rate limit ${qps} qps (both sides), concurrency ${concurrency}, API server ${admin.server}`);
console.log(
  'N      | floor: all Jobs | operator: all Jobs | ratio | operator p50 / p99 stack->Job | floor p99 | operator peak RSS | operator CPU',
);
for (const n of sizes.length ? sizes : [100, 1000]) {
  const fl = await floor(n);
  const op = await withOperator(n);
  const line = [
    String(n).padEnd(6),
    `${(fl.total / 1000).toFixed(2)} s`.padStart(15),
    `${(op.total / 1000).toFixed(2)} s`.padStart(18),
    (op.total / fl.total).toFixed(2).padStart(5),
    `${op.p50.toFixed(0)} ms / ${op.p99.toFixed(0)} ms`.padStart(29),
    `${fl.p99.toFixed(0)} ms`.padStart(9),
    `${(op.peakRss / 1024 / 1024).toFixed(0)} MiB`.padStart(17),
    `${op.cpu.toFixed(2)} s`.padStart(12),
  ];
  console.log(line.join(' | '));
}
await admin.close();
await client.close();
