// Benchmark (not a test): how fast the operator turns N stacks into N Jobs, next to the floor: a
// plain script creating the same N executions, runner token Secrets and Jobs directly on the same
// API server (what a runnable run needs at least: the Job's pod reads its token from the Secret).
//
//   npm run bench:reconcile -- [N ...] [--rate R] [--repeat K] [--plot FILE]
//        (default: 100 1000, a burst, 3 rounds; needs `npm run build` and a cluster)
//
// For each N it runs the floor and the operator alternately K times and prints, per N, the medians:
// - floor / operator "all Jobs": from just before the first create call to the moment this script
//   notices (checking every 20 ms) that its Job watch has seen all N Jobs (ADDED events);
// - ratio: the median of the rounds' operator / floor;
// - operator p50/p99 stack -> Job: per stack, from just before its create call (so the create request,
//   and any wait for the client's rate limit, is included) to its Job's ADDED watch event; floor p99:
//   the same from just before its execution's create call (the floor then creates the Job itself);
// - the operator's peak RSS (VmHWM) and CPU time (user + system) from its first create until it settled (below),
//   from /proc, CPU per stack;
// - per round (stderr): /readyz probes that failed and the longest gap between Lease renewals;
// - operator p99 stack -> status: per stack, from just before its create call to the later of the
//   watch events showing its status naming its execution and the execution's status naming the Job
//   (status writes yield the request budget to creates: this is what that costs);
// - requests per stack: the operator's own count (tofu_operator_kube_requests_total of its reconcile
//   client, scraped from its /metrics before the first create and after the last Job), next to the
//   floor's (its client's count), and "settled": the operator's count once every status is written and
//   it sent nothing but Lease renewals for 3 s (deferred status writes and Events included; the rate
//   a request budget sustains is qps / this). The operator's breakdown by request goes to the raw file.
// - per N: the share of all the machine's cores busy from the first create to the last Job, floor and
//   operator (medians; per round on stderr): the API server and the rest of the cluster share them;
// Each operator round starts once the module's own Job exists and its source is resolved, as in an
// operator that has been running for a while (its first poll after a start would otherwise land mid-round).
// --rate R creates R stacks (floor: executions) per second instead of a burst of 16 concurrent creates.
// Raw per-stack latencies and the request breakdown of every round: test-output/bench/reconcile-*.csv.
// --plot FILE writes an SVG of peak RSS, CPU per stack and requests per stack against N (log scale).
// Both sides use the same client rate limit (BENCH_QPS, default 200). All times: performance.now().
// The operator runs with node's flags of its image's ENTRYPOINT (docker/operator.Dockerfile) and the
// NODE_OPTIONS of deploy/base/operator.yaml (BENCH_OPERATOR_NODE_ARGS replaces both), MALLOC_ARENA_MAX
// of deploy/base/operator.yaml (the environment's replaces it), and its default TOFU_OPERATOR_CONCURRENCY
// (BENCH_OPERATOR_CONCURRENCY replaces it).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync, mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as api from '@tofu-operator/api-types';
import * as rt from '@tofu-operator/reconcile-runtime';
// The built operator's own Job template: the floor creates exactly the Jobs the operator would.
import { buildJob, RUNNER_TOKEN_KEY, runnerSecretNameFor } from '@tofu-operator/operator/dist/reconcile/job-template.js';
import { Secrets } from '@tofu-operator/operator/dist/runner-api/secret-io.js';
import { freePort } from '@tofu-operator/operator-int/dist/harness.js';
import { pct, watchAdded, watchFirst, type WatchedObject } from './bench-lib.ts';
import {
  deployedOperatorNode,
  busyShare,
  machineCpu,
  metricsToken,
  operatorRequests,
  requestDelta,
  observeOperator,
  scrape,
  sumMap,
  tally,
  withoutLeases,
  writeRaw,
  type Round,
} from './reconcile-lib.ts';
import { growthSvg, median } from './growth-plot.ts';

const percent = (share: number) => `${(share * 100).toFixed(0)} %`;

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const kubeconfig = process.env.KUBECONFIG || join(root, '.cluster/kubeconfig');
const qps = Number(process.env.BENCH_QPS ?? 200);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args.splice(i, 2)[1];
};
const rate = Number(option('--rate') ?? 0);
const rounds = Number(option('--repeat') ?? 3);
const plotFile = option('--plot');
const sizes = args.map(Number).filter((n) => n > 0);
const admin = rt.KubeClient.fromFile(kubeconfig, { qps: 1000, burst: 2000, fieldManager: 'bench' });
const client = rt.KubeClient.fromFile(kubeconfig, { qps, burst: qps * 2, fieldManager: 'bench' });
const Namespaces = rt.manifestKinds['Namespace']!;
const ClusterRoleBindings = rt.manifestKinds['ClusterRoleBinding']!;
const Jobs = rt.Jobs;
const out = join(root, 'test-output', 'bench');
mkdirSync(out, { recursive: true });

async function applyFile(path: string) {
  await rt.applyManifestFile(admin, path);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Calls fn for 0..n-1: in a burst (`concurrency` at a time), or with --rate, call i starts at
 * t0 + i / rate whatever the earlier calls do (arrivals do not wait for answers).
 */
async function arrivals(n: number, fn: (i: number) => Promise<void>) {
  if (rate > 0) {
    const t0 = performance.now();
    const calls: Promise<void>[] = [];
    for (let i = 0; i < n; i++) {
      const wait = t0 + (i * 1000) / rate - performance.now();
      if (wait > 0) await sleep(wait);
      calls.push(fn(i));
    }
    await Promise.all(calls);
    return;
  }
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await fn(next++);
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

/**
 * Waits (at most 15 minutes) until the namespaces of earlier rounds are gone, so their garbage
 * collection does not load the next round; says so when it gives up.
 */
async function settle() {
  const deadline = performance.now() + 900_000;
  for (;;) {
    const left = (await admin.list(Namespaces, undefined, { labelSelector: 'tofu-operator.io/bench=true' })).items.length;
    if (left === 0) return;
    if (performance.now() > deadline) {
      console.error(`  ${left} namespaces of earlier rounds are still being deleted; measuring anyway`);
      return;
    }
    await sleep(2000);
  }
}

const source = { repository: 'git://10.88.0.1/tofu-samples', revision: 'main', workdir: 'hello' };
// Runner pods of the benchmark never run (no node has this label): it measures reconciling, not plans.
const template = { nodeSelector: { 'tofu-operator.io/bench-no-node': 'true' } };

async function floor(n: number): Promise<Round> {
  const ns = `bench-floor-${n}-${Date.now() % 100000}`;
  await namespace(ns);
  const seen = new Map<string, number>();
  const stop = new AbortController();
  const { done: watching } = await watchJobs(ns, seen, stop.signal);
  const created = new Map<string, number>();
  const before = tally(client.requestCounts());
  const cpu0 = machineCpu();
  const t0 = performance.now();
  await arrivals(n, async (i) => {
    const name = `s${i}`;
    const start = performance.now();
    created.set(name, start);
    const exec = await client.create<api.TofuExecution>(api.TofuExecutions, ns, {
      apiVersion: api.API_GROUP_VERSION,
      kind: 'TofuExecution',
      metadata: { name, namespace: ns },
      spec: { action: 'plan', moduleRef: { name: 'm' }, source, executionTemplate: template },
    });
    // The Job's runner token: a Job without it could not run (the operator creates it the same way).
    await client.create(Secrets, ns, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: runnerSecretNameFor(exec), namespace: ns },
      data: { [RUNNER_TOKEN_KEY]: randomBytes(32).toString('base64') },
    });
    await client.create(Jobs, ns, buildJob(exec, { source, template }, { runnerImage: 'tofu-operator-runner:bench' }));
  });
  while (seen.size < n) await sleep(20);
  const total = performance.now() - t0;
  const machineBusy = busyShare(cpu0, machineCpu());
  const requests = requestDelta(before, tally(client.requestCounts()));
  stop.abort();
  await watching;
  await deleteNamespace(ns);
  const latencies = new Map([...created].map(([k, t]) => [k, (seen.get(k) ?? NaN) - t]));
  return { total, latencies, requests, requestsPerStack: sumMap(requests) / n, machineBusy };
}

const { nodeArgs, mallocArenas: deployedMallocArenas } = deployedOperatorNode(root);

/** Waits (at most 60 s) until module `name`'s status says its source is resolved (SourceReady True). */
async function sourceResolved(ns: string, name: string) {
  const deadline = performance.now() + 60_000;
  for (;;) {
    const m = await admin.get<api.TofuModule>(api.TofuModules, ns, name);
    if (m.status?.conditions?.some((c) => c.type === 'SourceReady' && c.status === 'True')) return;
    if (performance.now() > deadline) throw new Error(`module ${ns}/${name}: its source was not resolved within 60 s`);
    await sleep(200);
  }
}

async function withOperator(n: number): Promise<Round> {
  const ns = `bench-op-${n}-${Date.now() % 100000}`;
  await namespace(ns);
  await admin.create(api.TofuModules, ns, {
    apiVersion: api.API_GROUP_VERSION,
    kind: 'TofuModule',
    metadata: { name: 'm', namespace: ns },
    spec: { source, executionTemplate: template },
  });
  const token = await metricsToken(admin, ns);
  const port = await freePort();
  const log = join(out, `operator-${n}.log`);
  const child = spawn(process.execPath, [...nodeArgs, join(root, 'apps/operator/dist/main.js')], {
    env: {
      ...(deployedMallocArenas ? { MALLOC_ARENA_MAX: deployedMallocArenas } : {}),
      ...process.env,
      KUBECONFIG: kubeconfig,
      PORT: String(port),
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      TOFU_OPERATOR_KUBE_QPS: String(qps),
      TOFU_OPERATOR_KUBE_BURST: String(qps * 2),
      // The operator's default TOFU_OPERATOR_CONCURRENCY unless BENCH_OPERATOR_CONCURRENCY says otherwise.
      ...(process.env.BENCH_OPERATOR_CONCURRENCY ? { TOFU_OPERATOR_CONCURRENCY: process.env.BENCH_OPERATOR_CONCURRENCY } : {}),
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
  // And for the first poll of the module's source (a new operator spreads its first polls over up to
  // 30 s): an operator that has been running knows the commit when a stack arrives, while one that
  // learns it mid-round writes every stack's status once more (SourceReady), about one request per stack.
  await sourceResolved(ns, 'm');
  // Let the module's run settle (its status writes) before counting.
  await sleep(2000);
  const observed = observeOperator(child.pid!, port, admin);
  // When the operator wrote the statuses: the stack's naming its execution, the execution's naming the Job.
  type Status = WatchedObject & { status?: { lastExecution?: { name?: string }; jobName?: string } };
  const stackStatus = new Map<string, number>();
  const execStatus = new Map<string, number>();
  const statusWatches = await Promise.all([
    watchFirst<Status>(
      admin,
      api.TofuStacks,
      ns,
      stackStatus,
      stop.signal,
      (o) => o.metadata.name,
      (_, o) => !!o.status?.lastExecution?.name,
    ),
    watchFirst<Status>(
      admin,
      api.TofuExecutions,
      ns,
      execStatus,
      stop.signal,
      (o) => o.metadata.labels?.['tofu-operator.io/stack'] ?? '',
      (_, o) => !!o.status?.jobName,
    ),
  ]);
  const before = operatorRequests(await scrape(port, token));
  const created = new Map<string, number>();
  const cpu0 = machineCpu();
  const t0 = performance.now();
  await arrivals(n, async (i) => {
    const name = `s${i}`;
    // Before the call: the latency includes the create request itself, as the floor's does.
    created.set(name, performance.now());
    await client.create(api.TofuStacks, ns, {
      apiVersion: api.API_GROUP_VERSION,
      kind: 'TofuStack',
      metadata: { name, namespace: ns },
      spec: { moduleRef: { name: 'm' } },
    });
  });
  const deadline = performance.now() + 1_200_000;
  while (seen.size < n && performance.now() < deadline) await sleep(20);
  const total = performance.now() - t0;
  const machineBusy = busyShare(cpu0, machineCpu());
  const requests = requestDelta(before, operatorRequests(await scrape(port, token)));
  // Then until every status is written and the operator sends nothing more but Lease renewals for
  // 3 s: the requests a stack costs in the end, deferred status writes and Events included.
  const settleBy = performance.now() + 300_000;
  while ((stackStatus.size < n || execStatus.size < n) && performance.now() < settleBy) await sleep(50);
  let metricsAfter = await scrape(port, token);
  for (let quiet = 0; quiet < 6 && performance.now() < settleBy;) {
    await sleep(500);
    const next = await scrape(port, token);
    quiet = sumMap(withoutLeases(requestDelta(operatorRequests(metricsAfter), operatorRequests(next)))) === 0 ? quiet + 1 : 0;
    metricsAfter = next;
  }
  const settled = requestDelta(before, operatorRequests(metricsAfter));
  const health = observed.stop();
  stop.abort();
  await Promise.all([watching, ...statusWatches.map((w) => w.done)]);
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  writeFileSync(log, logText);
  // The operator's own figures (work queue waits, reconcile times) at the end of the round, for tracing.
  writeFileSync(join(out, `operator-${rate > 0 ? `rate${rate}-` : ''}${n}-metrics.txt`), metricsAfter);
  await deleteNamespace(ns);
  await admin.delete(ClusterRoleBindings, undefined, `${ns}-metrics`).catch(() => undefined);
  if (seen.size < n) throw new Error(`only ${seen.size}/${n} Jobs after 20 minutes; see ${log}`);
  const latencies = new Map([...created].map(([k, t]) => [k, (seen.get(k) ?? NaN) - t]));
  const statusAt = (k: string) => Math.max(stackStatus.get(k) ?? NaN, execStatus.get(k) ?? NaN);
  return {
    total,
    latencies,
    requests,
    requestsPerStack: sumMap(requests) / n,
    statusLatencies: new Map([...created].map(([k, t]) => [k, statusAt(k) - t])),
    settledRequestsPerStack: sumMap(settled) / n,
    settledRequests: settled,
    machineBusy,
    ...health,
  };
}

/** Where a round's raw figures go. */
const rawFile = (n: number, side: 'floor' | 'operator', round: number) =>
  join(out, `reconcile-${rate > 0 ? `rate${rate}-` : ''}${n}-${side}-${round}.csv`);

for (const f of ['tofumodules', 'tofustacks', 'tofuexecutions']) await applyFile(join(root, 'crds', `${f}.tofu-operator.io.yaml`));
await applyFile(join(root, 'deploy/rbac/operator.yaml'));
const mode = rate > 0 ? `${rate} stacks per second` : `a burst (${concurrency} concurrent creates)`;
console.log(
  `reconcile benchmark: ${mode}, client rate limit ${qps} qps (both sides), ${rounds} rounds per N (medians), API server ${admin.server}, ` +
    `operator: node ${nodeArgs.join(' ')}`,
);
console.log(
  'N      | floor: all Jobs | operator: all Jobs | ratio | operator p50 / p99 stack->Job | floor p99 | p99 stack->status | operator peak RSS | CPU per stack | requests per stack (floor / operator / settled)',
);
const growth: { n: number; rss: number; cpuMs: number; reqOp: number; reqSettled: number; reqFloor: number }[] = [];
for (const n of sizes.length ? sizes : [100, 1000]) {
  const fl: Round[] = [];
  const op: Round[] = [];
  for (let k = 0; k < rounds; k++) {
    await settle();
    fl.push(await floor(n));
    writeRaw(rawFile(n, 'floor', k), fl[k]!);
    await settle();
    op.push(await withOperator(n));
    writeRaw(rawFile(n, 'operator', k), op[k]!);
    const r = op[k]!;
    const f = fl[k]!;
    console.error(
      `  round ${k + 1}/${rounds} N=${n}: floor ${(f.total / 1000).toFixed(2)} s, operator ${(r.total / 1000).toFixed(2)} s ` +
        `(ratio ${(r.total / f.total).toFixed(2)}), p99 ${pct([...r.latencies.values()], 99).toFixed(0)} ms, ` +
        `p99 stack->status ${pct([...(r.statusLatencies?.values() ?? [])], 99).toFixed(0)} ms ` +
        `(${[...(r.statusLatencies?.values() ?? [])].filter(Number.isNaN).length} not seen), ` +
        `peak RSS ${((r.peakRss ?? 0) / 2 ** 20).toFixed(0)} MiB, ${r.requestsPerStack.toFixed(2)} requests per stack ` +
        `(${r.settledRequestsPerStack?.toFixed(2)} settled), ` +
        `/readyz failed ${r.notReady?.failed}/${r.notReady?.probes}, longest Lease renewal gap ${((r.leaseGapMs ?? 0) / 1000).toFixed(1)} s, ` +
        `machine CPU busy ${percent(r.machineBusy)} (floor ${percent(f.machineBusy)})`,
    );
  }
  const med = (xs: Round[], f: (r: Round) => number) => median(xs.map(f));
  const opP = (p: number) => med(op, (r) => pct([...r.latencies.values()], p));
  const row = {
    floorTotal: med(fl, (r) => r.total),
    opTotal: med(op, (r) => r.total),
    ratio: median(op.map((r, k) => r.total / fl[k]!.total)),
    p50: opP(50),
    p99: opP(99),
    floorP99: med(fl, (r) => pct([...r.latencies.values()], 99)),
    statusP99: med(op, (r) => pct([...(r.statusLatencies?.values() ?? [])], 99)),
    reqSettled: med(op, (r) => r.settledRequestsPerStack ?? NaN),
    rss: med(op, (r) => r.peakRss ?? NaN),
    cpuMs: (med(op, (r) => r.cpu ?? NaN) * 1000) / n,
    reqFloor: med(fl, (r) => r.requestsPerStack),
    reqOp: med(op, (r) => r.requestsPerStack),
  };
  growth.push({ n, rss: row.rss / 2 ** 20, cpuMs: row.cpuMs, reqOp: row.reqOp, reqSettled: row.reqSettled, reqFloor: row.reqFloor });
  const line = [
    String(n).padEnd(6),
    `${(row.floorTotal / 1000).toFixed(2)} s`.padStart(15),
    `${(row.opTotal / 1000).toFixed(2)} s`.padStart(18),
    row.ratio.toFixed(2).padStart(5),
    `${row.p50.toFixed(0)} ms / ${row.p99.toFixed(0)} ms`.padStart(29),
    `${row.floorP99.toFixed(0)} ms`.padStart(9),
    `${row.statusP99.toFixed(0)} ms`.padStart(17),
    `${(row.rss / 2 ** 20).toFixed(0)} MiB`.padStart(17),
    `${row.cpuMs.toFixed(2)} ms`.padStart(13),
    `${row.reqFloor.toFixed(2)} / ${row.reqOp.toFixed(2)} / ${row.reqSettled.toFixed(2)}`.padStart(47),
  ];
  console.log(line.join(' | '));
  console.log(
    `       machine CPU busy (all ${cpus().length} cores) from the first create to the last Job: ` +
      `floor ${percent(med(fl, (r) => r.machineBusy))}, operator ${percent(med(op, (r) => r.machineBusy))}`,
  );
}
if (plotFile) {
  const at = new Date().toISOString().slice(0, 16).replace('T', ' ');
  writeFileSync(
    plotFile,
    growthSvg(
      [
        { title: 'operator peak RSS', unit: 'MiB', series: { operator: growth.map((g) => [g.n, g.rss]) } },
        { title: 'operator CPU per stack (until settled)', unit: 'ms', series: { operator: growth.map((g) => [g.n, g.cpuMs]) } },
        {
          title: 'API requests per stack',
          unit: 'requests',
          series: {
            'operator, at the last Job': growth.map((g) => [g.n, g.reqOp]),
            'operator, settled': growth.map((g) => [g.n, g.reqSettled]),
            floor: growth.map((g) => [g.n, g.reqFloor]),
          },
        },
      ],
      `npm run bench:reconcile -- ${process.argv.slice(2).join(' ')} (${at} UTC, medians of ${rounds} rounds, ${mode}, ${qps} qps)`,
    ),
  );
  console.log(`plot: ${plotFile}`);
}
// Leaves the cluster as it found it: an operator started next (a test suite) would otherwise reconcile
// the last round's objects while their namespace is being deleted.
console.error("waiting for the last round's namespace to be deleted");
await settle();
await admin.close();
await client.close();
