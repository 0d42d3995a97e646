// Benchmark (not a test): how fast status changes and live logs reach socket.io clients, next to
// kubectl watching and following the same objects on the same API server.
//
//   npm run bench:stream -- [clients, e.g. 1,100,1000] [changes per level] [--plot FILE]
//                                   (default: 1,100,1000 and 30; needs `npm run build` and a cluster)
//   --plot FILE writes an SVG of the operator's peak RSS, the Job status event's p50/p99 at the
//   clients (next to kubectl's p99) and the operator's CPU per status change, against the clients.
//
// Starts the built operator as a child process (with its ServiceAccount's token, watching one fresh
// namespace) and connects socket.io clients (websocket transport, one reader ServiceAccount token)
// subscribed to the namespace's executions. Per number of clients:
//
// - status: runs whose runner pods can never be scheduled, so only this script changes them. Per run
//   one change, one at a time: (job) the script writes the run's Job status (Complete, as the Job
//   controller would) and the operator turns the execution Succeeded; (execution) the script writes
//   the execution's status message itself: the delivery path alone. T0 is taken just before the
//   write; the script records when every client gets the execution's `resource` event showing the
//   change, when `kubectl get tofuexecutions -w` prints it, and (job) when `kubectl get jobs -w`
//   prints the Job's change. All clocks are this process's (performance.now()).
// - log: a real plan printing a log of several MB (terraform_data with count); one of the clients
//   subscribes to its execution and `kubectl logs -f` follows the same pod from the moment the runner
//   container starts. Throughput from that moment to each reader's last line, over the plan output
//   alone (the burst tofu writes at the end), and for the finished run (the whole log read again: the
//   client from the operator's log store, kubectl from the pod).
//
// Also prints the operator's peak RSS (VmHWM) and CPU time, and this process's CPU time (the clients).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { io, type Socket } from 'socket.io-client';
import * as contracts from '@tofu-operator/api-contracts';
import * as api from '@tofu-operator/api-types';
import * as rt from '@tofu-operator/reconcile-runtime';
// The integration suite's harness (admin client, tokens, served repositories) and the built operator's
// runner container name: the benchmark drives the same cluster the same way.
import * as h from '@tofu-operator/operator-int/dist/harness.js';
import { RUNNER_CONTAINER } from '@tofu-operator/operator/dist/execution/runner-pod.js';
import { pct } from './bench-lib.ts';
import { growthSvg } from './growth-plot.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const argv = process.argv.slice(2);
const plotAt = argv.indexOf('--plot');
/** --plot FILE: an SVG of peak RSS, status latency and CPU per change against the number of clients. */
const plotFile = plotAt < 0 ? undefined : argv.splice(plotAt, 2)[1];
const levels = (argv[0] ?? '1,100,1000')
  .split(',')
  .map(Number)
  .filter((n) => n > 0)
  .sort((a, b) => a - b);
const changes = Number(argv[1] ?? 30);
/** The big plan: this many terraform_data resources, each with a list input of this many lines. */
const logResources = Number(process.env.BENCH_LOG_RESOURCES ?? 400);
const logLinesPer = Number(process.env.BENCH_LOG_LINES ?? 200);
const kubeconfig = process.env.KUBECONFIG || join(root, '.cluster/kubeconfig');
const kubectl =
  process.env.KUBECTL ||
  execFileSync('bash', ['-c', `source ${join(root, 'tools/cluster/lib/common.sh')} && echo "$K8S_BIN_DIR/kubectl"`], {
    encoding: 'utf8',
  }).trim();
const out = join(root, 'test-output', 'bench');
mkdirSync(out, { recursive: true });
const admin = h.admin;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ms = (x: number) => (Number.isNaN(x) ? '-' : `${Math.round(x) || 0}`);
const began = performance.now();
/** Progress on stderr, so stdout keeps only the results. */
const progress = (what: string) => console.error(`[${((performance.now() - began) / 1000).toFixed(1).padStart(6)} s] ${what}`);
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;

type Client = Socket;
type Ack = { ok: true } | { ok: false; error: { status: number; message: string } };
/** What the benchmark reads of an execution (a stored object always has a name). */
interface Exec extends rt.KubeObject {
  metadata: { name: string; labels?: Record<string, string> };
  status?: { phase?: string; jobName?: string; podName?: string; message?: string };
}
interface PodT extends rt.KubeObject {
  metadata: { name: string };
  status?: { containerStatuses?: { name: string; state?: { running?: unknown; terminated?: unknown } }[] };
}

// ---- the namespace, the reader, the modules --------------------------------------------------------

await h.installCrdsAndRbac();
const ns = `bench-stream-${Date.now() % 100000}`;
await admin.create(h.Namespaces, undefined, {
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: ns, labels: { 'tofu-operator.io/bench': 'true', 'pod-security.kubernetes.io/enforce': 'restricted' } },
});
const token: string = await h.serviceAccountWithRole(ns, 'reader', ['get', 'list', 'watch']);
const bigModule = `resource "terraform_data" "r" {
  count = ${logResources}
  input = [for i in range(${logLinesPer}) : "resource \${count.index} line \${i}: lorem ipsum dolor sit amet"]
}
`;
const repo: string = h.serveRepo('bench-stream', { 'big/main.tf': bigModule });
const module = (name: string, spec: unknown) => ({
  apiVersion: api.API_GROUP_VERSION,
  kind: 'TofuModule',
  metadata: { name, namespace: ns },
  spec,
});
// Runs of "blocked" never start (no node has the label), so only this script writes their Jobs' status.
await admin.create(
  api.TofuModules,
  ns,
  module('blocked', {
    source: { repository: 'git://10.88.0.1/tofu-samples', revision: 'main', workdir: 'hello' },
    executionTemplate: h.UNSCHEDULABLE,
  }),
);
const stack = (name: string, moduleName: string) =>
  admin.create(api.TofuStacks, ns, {
    apiVersion: api.API_GROUP_VERSION,
    kind: 'TofuStack',
    metadata: { name, namespace: ns },
    spec: { moduleRef: { name: moduleName } },
  });

// ---- the operator ----------------------------------------------------------------------------------

const port: number = await h.freePort();
const runnerPort: number = await h.freePort();
const base = `http://127.0.0.1:${port}`;
const operatorLog = join(out, 'stream-operator.log');
const logFd = openSync(operatorLog, 'w');
const nodeArgs = (process.env.BENCH_OPERATOR_NODE_ARGS ?? '').split(' ').filter(Boolean);
const operator = spawn(process.execPath, [...nodeArgs, join(root, 'apps/operator/dist/main.js')], {
  env: {
    PATH: process.env.PATH ?? '',
    KUBECONFIG: await h.operatorKubeconfig(),
    PORT: String(port),
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
    TOFU_OPERATOR_LEASE_NAMESPACE: 'tofu-operator-system',
    TOFU_OPERATOR_LEASE_NAME: 'bench-stream',
    // The default lease timings (15 s, renew deadline 10 s): the tests' 4 s lease lost leadership
    // to a CPU spike of the big log on 2 cores, and the operator exits when it loses the lease.
    TOFU_OPERATOR_WATCH_NAMESPACE: ns,
    // Runner pods reach this host-run operator's runner API (state, plans) at the node's bridge, as
    // in the integration harness; without it they wait for an in-cluster Service that is not there.
    TOFU_OPERATOR_RUNNER_PORT: String(runnerPort),
    TOFU_OPERATOR_RUNNER_API_URL: `http://10.88.0.1:${runnerPort}`,
    // The status runs never start and stay unfinished: the run queue's cap must not hold them.
    TOFU_OPERATOR_MAX_CONCURRENT_RUNS: '1000000',
    // Every client here is one user at one address: lift the per-user and per-address caps
    // (64 and 1024 by default, docs/operations.md) to the largest level measured.
    TOFU_OPERATOR_WS_CONNECTIONS_PER_USER: String(Math.max(64, ...levels) + 10),
    TOFU_OPERATOR_WS_CONNECTIONS_PER_ADDRESS: String(Math.max(1024, ...levels) + 10),
  },
  stdio: ['ignore', logFd, logFd],
});
const children: ChildProcess[] = [operator];
const sockets: Client[] = [];

function proc(file: string): string {
  return readFileSync(`/proc/${operator.pid}/${file}`, 'utf8');
}
const peakRss = () => Number(/VmHWM:\s+(\d+) kB/.exec(proc('status'))?.[1] ?? NaN) * 1024;
const operatorCpu = () => {
  const f = proc('stat').split(') ')[1]?.split(' ') ?? [];
  return (Number(f[11]) + Number(f[12])) / 100;
};
const ownCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** A kubectl process whose stdout lines (or chunks) are handed over with their arrival time. */
function kubectlProc(args: string[]): ChildProcess {
  const child = spawn(kubectl, ['--kubeconfig', kubeconfig, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  child.on('exit', (code) => {
    if (code && !stopping) console.error(`kubectl ${args.join(' ')} exited with ${code}: ${err.trim()}`);
  });
  return child;
}
function onLines(child: ChildProcess, fn: (line: string, t: number) => void): void {
  let rest = '';
  child.stdout?.on('data', (d: Buffer) => {
    const t = performance.now();
    const parts = (rest + d.toString('utf8')).split('\n');
    rest = parts.pop() ?? '';
    for (const p of parts) fn(p, t);
  });
}

let stopping = false;
async function cleanUp() {
  stopping = true;
  for (const s of sockets) s.disconnect();
  for (const c of children.slice(1)) c.kill();
  if (operator.exitCode === null) {
    operator.kill('SIGTERM');
    await Promise.race([new Promise((r) => operator.once('exit', r)), sleep(20_000)]);
    if (operator.exitCode === null && operator.signalCode === null) operator.kill('SIGKILL');
  }
  await admin.delete(h.Namespaces, undefined, ns).catch(() => undefined);
  await admin.close();
}
process.on('SIGINT', () => void cleanUp().then(() => process.exit(130)));

// ---- status changes --------------------------------------------------------------------------------

/** The change being measured: every client's arrival (ms after T0), and kubectl's. */
interface Change {
  exec: string;
  /** The Job whose status is written; none when the execution's status is written directly. */
  job?: string;
  /** Whether an execution's status shows the change. */
  shows(status: Exec['status']): boolean;
  t0: number;
  clients: Float64Array;
  got: number;
  kubectlExec: number;
  kubectlJob: number;
  done?: () => void;
}
let current: Change | undefined;
/** Size of a `resource` event as JSON (one sample). */
let eventBytes = 0;
function settle(c: Change) {
  if (c.got === c.clients.length && !Number.isNaN(c.kubectlExec) && (!c.job || !Number.isNaN(c.kubectlJob))) c.done?.();
}

function ack(s: Client, event: string, payload: unknown): Promise<Ack> {
  return new Promise((resolve) => s.emit(event, payload, resolve));
}

async function connectClient(): Promise<Client> {
  const s: Client = io(base, {
    path: contracts.SOCKET_PATH,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    auth: { token },
  });
  sockets.push(s);
  const index = sockets.length - 1;
  await new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('connect_error', (err: Error & { data?: unknown }) => reject(new Error(`connect: ${err.message} ${JSON.stringify(err.data)}`)));
  });
  s.on(contracts.ServerEvents.resource, (e: { kind: string; name: string; object: Exec }) => {
    const c = current;
    if (!c || e.name !== c.exec || index >= c.clients.length || !c.shows(e.object.status)) return;
    if (index === 0) eventBytes = Buffer.byteLength(JSON.stringify(e));
    if (!Number.isNaN(c.clients[index]!)) return;
    c.clients[index] = performance.now() - c.t0;
    c.got++;
    settle(c);
  });
  const a = await ack(s, contracts.ClientEvents.subscribeNamespace, { namespace: ns, kinds: ['executions'] });
  if (!a.ok) throw new Error(`subscribe: ${a.error.status} ${a.error.message}`);
  return s;
}

/** Writes a Job's status as the Job controller does when its pod succeeded; T0 just before the write. */
async function completeJob(c: Change): Promise<void> {
  const jobName = c.job!;
  for (let attempt = 0; attempt < 20; attempt++) {
    const job = await admin.get<rt.Job>(rt.Jobs, ns, jobName);
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const cond = (type: string) => ({
      type,
      status: 'True',
      reason: 'CompletionsReached',
      message: 'Reached expected number of succeeded pods',
      lastTransitionTime: now,
      lastProbeTime: now,
    });
    const status = {
      startTime: job.status?.startTime ?? now,
      completionTime: now,
      succeeded: 1,
      active: 0,
      ready: 0,
      terminating: 0,
      failed: 0,
      conditions: [cond('SuccessCriteriaMet'), cond('Complete')],
      uncountedTerminatedPods: {},
    };
    c.t0 = performance.now();
    try {
      await admin.replace(rt.Jobs, ns, jobName, { ...job, status }, 'status');
      return;
    } catch (err) {
      if (!rt.isConflict(err)) throw err;
      await sleep(50);
    }
  }
  throw new Error(`could not write the status of Job ${jobName}`);
}

/** Writes an execution's status message directly (as the operator would); T0 just before the write. */
async function setMessage(c: Change, message: string): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const x = await admin.get<Exec>(api.TofuExecutions, ns, c.exec);
    c.t0 = performance.now();
    try {
      await admin.replace(api.TofuExecutions, ns, c.exec, { ...x, status: { ...x.status, message } }, 'status');
      return;
    } catch (err) {
      if (!rt.isConflict(err)) throw err;
      await sleep(50);
    }
  }
  throw new Error(`could not write the status of execution ${c.exec}`);
}

/** Stacks of "blocked" whose runs wait for a node, each run's status settled (Pending, unschedulable). */
async function blockedRuns(level: number, n: number): Promise<Exec[]> {
  for (let i = 0; i < n; i++) await stack(`s${level}-${i}`, 'blocked');
  return h.waitFor(
    `${n} runs of level ${level} waiting for a node`,
    async () => {
      const items = (await admin.list<Exec>(api.TofuExecutions, ns)).items;
      const mine = items.filter((e) => e.metadata.labels?.[api.Labels.stack]?.startsWith(`s${level}-`));
      const ready = mine.filter((e) => e.status?.jobName && e.status.podName && e.status.message?.includes('cannot be scheduled'));
      return ready.length === n ? ready : undefined;
    },
    180_000,
    250,
  );
}

/**
 * One change per run, one at a time: `job` writes the run's Job status (Complete; the execution turns
 * Succeeded), `direct` writes the execution's status message itself (the delivery path alone).
 */
async function measureStatus(n: number, runs: Exec[], kind: 'job' | 'direct') {
  const results: Change[] = [];
  const cpu0 = [operatorCpu(), ownCpu()];
  for (const [k, run] of runs.entries()) {
    const marker = `bench change ${n}-${k}`;
    const c: Change = {
      exec: run.metadata.name,
      ...(kind === 'job' ? { job: run.status!.jobName! } : {}),
      shows: kind === 'job' ? (st) => st?.phase === 'Succeeded' : (st) => st?.message === marker,
      t0: NaN,
      clients: new Float64Array(n).fill(NaN),
      got: 0,
      kubectlExec: NaN,
      kubectlJob: NaN,
    };
    const finished = new Promise<void>((resolve) => (c.done = resolve));
    current = c;
    await (kind === 'job' ? completeJob(c) : setMessage(c, marker));
    const timedOut = await Promise.race([finished.then(() => false), sleep(30_000).then(() => true)]);
    current = undefined;
    if (timedOut) console.error(`change of ${c.exec}: after 30 s ${c.got}/${n} clients, kubectl ${c.kubectlExec} / ${c.kubectlJob}`);
    results.push(c);
    await sleep(300); // the operator's follow-up writes (the stack's status) settle
  }
  const cpu = [operatorCpu() - cpu0[0]!, ownCpu() - cpu0[1]!];
  const clients = results.flatMap((c) => Array.from(c.clients));
  const overKubectl = results.flatMap((c) => Array.from(c.clients, (x) => x - c.kubectlExec));
  const kExec = results.map((c) => c.kubectlExec);
  const kJob = results.map((c) => c.kubectlJob);
  const missing = (xs: number[]) => xs.filter((x) => Number.isNaN(x)).length;
  return {
    // Arrivals that never came (within 30 s of their change) are left out of the percentiles: counted here.
    missing: { clients: missing(clients), of: clients.length, kubectlExec: missing(kExec), kubectlJob: kind === 'job' ? missing(kJob) : 0 },
    p50: pct(clients, 50),
    p99: pct(clients, 99),
    max: pct(clients, 100),
    k50: pct(kExec, 50),
    k99: pct(kExec, 99),
    j50: pct(kJob, 50),
    j99: pct(kJob, 99),
    o50: pct(overKubectl, 50),
    o99: pct(overKubectl, 99),
    cpu,
  };
}

// ---- logs ------------------------------------------------------------------------------------------

/** What one reader received: arrival times of pieces of text and their sizes. */
class Reader {
  pieces: { t: number; text: string }[] = [];
  start = NaN;
  done = false;
  add(text: string, t = performance.now()) {
    this.pieces.push({ t, text });
  }
  get text() {
    return this.pieces.map((p) => p.text).join('');
  }
  /** Bytes and lines received; when the first and last arrived; the same for the part between two marker lines. */
  stats(from: string, to: string) {
    const text = this.text;
    const last = this.pieces[this.pieces.length - 1]?.t ?? NaN;
    // When the piece holding a character offset arrived.
    const timeAt = (offset: number) => {
      let seen = 0;
      for (const p of this.pieces) {
        seen += p.text.length;
        if (seen > offset) return p.t;
      }
      return last;
    };
    const a = text.lastIndexOf('\n', text.indexOf(from)) + 1;
    const b = text.indexOf('\n', text.indexOf(to));
    const burst = text.slice(a, b + 1);
    return {
      pieces: this.pieces.length,
      bytes: Buffer.byteLength(text),
      lines: text.split('\n').length - 1,
      start: this.start,
      first: this.pieces[0]?.t ?? NaN,
      last,
      burstBytes: Buffer.byteLength(burst),
      burstLines: burst.split('\n').length - 1,
      burstFirst: timeAt(a),
      burstLast: timeAt(b),
    };
  }
}
type Stats = ReturnType<Reader['stats']>;

/** Subscribes a client to an execution's log; resolves with what it received once the log ended. */
function followOverSocket(s: Client, exec: string, r: Reader): Promise<void> {
  return new Promise((resolve, reject) => {
    const onLog = (e: { name: string; seq: number; lines: string[] }) => {
      if (e.name !== exec) return;
      const t = performance.now();
      r.add(e.lines.length ? e.lines.join('\n') + '\n' : '', t);
    };
    const onState = (e: { name: string; state: string; message?: string }) => {
      if (e.name !== exec) return;
      if (e.state === 'ended' || e.state === 'unavailable') {
        s.off(contracts.ServerEvents.executionLog, onLog);
        s.off(contracts.ServerEvents.executionLogState, onState);
        r.done = true;
        if (e.state === 'unavailable' || e.message) console.error(`log of ${exec}: ${e.state} ${e.message ?? ''}`);
        resolve();
      }
    };
    s.on(contracts.ServerEvents.executionLog, onLog);
    s.on(contracts.ServerEvents.executionLogState, onState);
    r.start = performance.now();
    void ack(s, contracts.ClientEvents.subscribeExecution, { namespace: ns, name: exec, fromSeq: 0 }).then((a) => {
      if (!a.ok) reject(new Error(`execution:subscribe: ${a.error.status} ${a.error.message}`));
    });
  });
}

function followWithKubectl(pod: string, follow: boolean, r: Reader): Promise<void> {
  r.start = performance.now();
  const child = kubectlProc(['logs', ...(follow ? ['-f'] : []), '-n', ns, pod, '-c', RUNNER_CONTAINER]);
  child.stdout?.on('data', (d: Buffer) => r.add(d.toString('utf8')));
  return new Promise((resolve) =>
    child.on('close', () => {
      r.done = true;
      resolve();
    }),
  );
}

async function measureLog(level: number, client: Client) {
  const stackName = `big-${level}`;
  await stack(stackName, 'big');
  const exec: Exec = await h.waitFor(
    'the big run',
    async () => (await admin.list<Exec>(api.TofuExecutions, ns, { labelSelector: `${api.Labels.stack}=${stackName}` })).items[0],
    30_000,
    50,
  );
  const name = exec.metadata.name;
  const live = { socket: new Reader(), kubectl: new Reader() };
  const socketDone = followOverSocket(client, name, live.socket);
  const pod: PodT = await h.waitFor(
    'the runner container started',
    async () => {
      const p = (await admin.list<PodT>(rt.Pods, ns, { labelSelector: `${api.Labels.execution}=${name}` })).items[0];
      const st = p?.status?.containerStatuses?.find((c) => c.name === RUNNER_CONTAINER)?.state;
      return st?.running || st?.terminated ? p : undefined;
    },
    120_000,
    20,
  );
  // Both read the pod from here on: kubectl from now, the operator since its cache saw the same start.
  await Promise.all([socketDone, followWithKubectl(pod.metadata.name, true, live.kubectl)]);
  live.socket.start = live.kubectl.start;
  progress('log: waiting for the stored log');
  // The finished run: the leader has stored the whole log; the client reads it again from the start.
  await h.waitFor(
    'the stored log',
    async () =>
      (await admin.list<api.TofuLogChunk>(api.TofuLogChunks, ns, { labelSelector: `${api.Labels.execution}=${name}` })).items.some(
        (c) => c.spec.final,
      ),
    60_000,
  );
  await ack(client, contracts.ClientEvents.unsubscribeExecution, { namespace: ns, name });
  progress('log: the finished run');
  await sleep(1000);
  const finished = { socket: new Reader(), kubectl: new Reader() };
  await Promise.all([followOverSocket(client, name, finished.socket), followWithKubectl(pod.metadata.name, false, finished.kubectl)]);
  await ack(client, contracts.ClientEvents.unsubscribeExecution, { namespace: ns, name });
  const from = 'will perform the following actions';
  const to = ' to add, ';
  return {
    live: { socket: live.socket.stats(from, to), kubectl: live.kubectl.stats(from, to) },
    finished: { socket: finished.socket.stats(from, to), kubectl: finished.kubectl.stats(from, to) },
  };
}

// ---- the run ---------------------------------------------------------------------------------------

try {
  await h.waitFor(
    `the operator leading (log ${operatorLog})`,
    () => {
      if (operator.exitCode !== null) throw new Error(`the operator exited: see ${operatorLog}`);
      return readFileSync(operatorLog, 'utf8').includes('"kind":"TofuStack","concurrency"');
    },
    60_000,
  );
  await h.waitFor('the API ready', async () => (await fetch(`${base}/readyz`)).ok, 60_000);

  // kubectl watches, started before any change (each prints the current objects first).
  let execWatchReady = false;
  let jobWatchReady = false;
  const execWatch = kubectlProc([
    'get',
    'tofuexecutions',
    '-n',
    ns,
    '-w',
    '-o',
    'jsonpath={.metadata.name} {.status.phase} {.status.message}{"\\n"}',
  ]);
  onLines(execWatch, (line, t) => {
    execWatchReady = true;
    const [name, phase, ...message] = line.split(' ');
    const c = current;
    if (c && name === c.exec && c.shows({ phase, message: message.join(' ') }) && Number.isNaN(c.kubectlExec)) {
      c.kubectlExec = t - c.t0;
      settle(c);
    }
  });
  const jobWatch = kubectlProc(['get', 'jobs', '-n', ns, '-w', '-o', 'jsonpath={.metadata.name} {.status.succeeded}{"\\n"}']);
  onLines(jobWatch, (line, t) => {
    jobWatchReady = true;
    const [name, succeeded] = line.split(' ');
    const c = current;
    if (c && name === c.job && succeeded === '1' && Number.isNaN(c.kubectlJob)) {
      c.kubectlJob = t - c.t0;
      settle(c);
    }
  });
  await h.waitFor('kubectl watching', () => execWatchReady && jobWatchReady, 60_000);

  progress('warm-up plan');
  // Warm-up: the big module's own plan (clone, init and the runner image are warm afterwards).
  await admin.create(api.TofuModules, ns, module('big', { source: { repository: repo, revision: 'main', workdir: 'big' } }));
  await h.waitFor(
    'the warm-up plan',
    async () =>
      ((await admin.list(api.TofuExecutions, ns, { labelSelector: `${api.Labels.module}=big` })).items as Exec[]).some(
        (e) => e.status?.phase === 'Succeeded',
      ),
    180_000,
    500,
  );

  console.log(
    `streaming benchmark: ${changes} status changes per level, log of ${logResources} x ${logLinesPer} lines; operator pid ${operator.pid}, API server ${admin.server}`,
  );
  const rows: string[] = [];
  const logRows: string[] = [];
  const growth: { n: number; rss: number; p50: number; p99: number; k99: number; cpuMs: number }[] = [];
  for (const n of levels) {
    progress(`${n} clients: ${changes} runs waiting for a node`);
    const runs = await blockedRuns(n, changes);
    progress(`${n} clients: connecting`);
    const c0 = performance.now();
    // The first client alone, so the rest find its token's review cached; then 50 at a time.
    if (sockets.length === 0) await connectClient();
    while (sockets.length < n) await Promise.all(Array.from({ length: Math.min(50, n - sockets.length) }, () => connectClient()));
    const connectSeconds = (performance.now() - c0) / 1000;
    await sleep(1000);
    progress(`${n} clients: execution status changes`);
    const direct = await measureStatus(n, runs, 'direct');
    progress(`${n} clients: Job status changes`);
    const job = await measureStatus(n, runs, 'job');
    progress(`${n} clients: log`);
    const lg = await measureLog(n, sockets[0]!);
    const rss = peakRss();
    growth.push({ n, rss: rss / 2 ** 20, p50: job.p50, p99: job.p99, k99: job.k99, cpuMs: (job.cpu[0]! / changes) * 1000 });
    for (const [what, st] of [
      ['Job status', job],
      ['execution status', direct],
    ] as const) {
      rows.push(
        [
          String(n).padStart(7),
          what.padEnd(16),
          `${ms(st.p50)} / ${ms(st.p99)} / ${ms(st.max)} ms`.padStart(22),
          `${ms(st.k50)} / ${ms(st.k99)} ms`.padStart(17),
          `${(st.p50 / st.k50).toFixed(2)} / ${(st.p99 / st.k99).toFixed(2)}`.padStart(12),
          `${ms(st.o50)} / ${ms(st.o99)} ms`.padStart(17),
          (what === 'Job status' ? `${ms(st.j50)} / ${ms(st.j99)} ms` : '').padStart(15),
          `${(rss / 1024 / 1024).toFixed(0)} MiB`.padStart(8),
          `${st.cpu[0]!.toFixed(1)} s / ${st.cpu[1]!.toFixed(1)} s`.padStart(15),
          `${connectSeconds.toFixed(1)} s`.padStart(7),
          `${st.missing.clients}/${st.missing.of}, ${st.missing.kubectlExec}/${changes}` +
            (what === 'Job status' ? `, ${st.missing.kubectlJob}/${changes}` : ''),
        ].join(' | '),
      );
    }
    const rate = (bytes: number, lines: number, ms: number) => `${mb((bytes / ms) * 1000)}/s (${(lines / ms).toFixed(1)}k lines/s)`;
    const row = (what: string, a: [number, number, number], b: [number, number, number], note: string) =>
      `${String(n).padStart(7)} | ${what.padEnd(30)} | ${rate(...a).padStart(28)} | ${rate(...b).padStart(28)} | ${(a[0] / a[2] / (b[0] / b[2])).toFixed(2).padStart(5)} | ${note}`;
    const { live, finished } = lg;
    const same = (a: Stats, b: Stats) =>
      a.bytes === b.bytes && a.lines === b.lines ? '' : `; kubectl got ${b.bytes} bytes, ${b.lines} lines`;
    const s = (x: number) => `${(x / 1000).toFixed(2)} s`;
    // Live, whole log: from the moment both could read (the runner container started) to the last line.
    logRows.push(
      row(
        'live: container start -> end',
        [live.socket.bytes, live.socket.lines, live.socket.last - live.socket.start],
        [live.kubectl.bytes, live.kubectl.lines, live.kubectl.last - live.kubectl.start],
        `${mb(live.socket.bytes)}, ${live.socket.lines} lines in ${live.socket.pieces} messages vs ${live.kubectl.pieces} reads; last line ${s(live.socket.last - live.socket.start)} vs ${s(live.kubectl.last - live.kubectl.start)}${same(live.socket, live.kubectl)}`,
      ),
    );
    // Live, the plan output tofu writes at the end, from whichever reader saw its first line first.
    const burstStart = Math.min(live.socket.burstFirst, live.kubectl.burstFirst);
    logRows.push(
      row(
        'live: plan output (burst)',
        [live.socket.burstBytes, live.socket.burstLines, live.socket.burstLast - burstStart],
        [live.kubectl.burstBytes, live.kubectl.burstLines, live.kubectl.burstLast - burstStart],
        `${mb(live.socket.burstBytes)}; last line of it ${s(live.socket.burstLast - burstStart)} vs ${s(live.kubectl.burstLast - burstStart)}`,
      ),
    );
    // Finished run, whole log: from the request (subscribe; kubectl's start) to the last line.
    logRows.push(
      row(
        'finished: request -> end',
        [finished.socket.bytes, finished.socket.lines, finished.socket.last - finished.socket.start],
        [finished.kubectl.bytes, finished.kubectl.lines, finished.kubectl.last - finished.kubectl.start],
        `first line ${s(finished.socket.first - finished.socket.start)} vs ${s(finished.kubectl.first - finished.kubectl.start)}, last ${s(finished.socket.last - finished.socket.start)} vs ${s(finished.kubectl.last - finished.kubectl.start)}${same(finished.socket, finished.kubectl)}`,
      ),
    );
  }
  console.log();
  console.log(
    `status: a write (of the run's Job status, or of the execution's status itself) -> the execution's event at every client, ms after T0 (event ${(eventBytes / 1024).toFixed(1)} KiB);`,
  );
  console.log(
    `        next to kubectl get -w on the same execution (and on the Job); ${changes} changes per row; ratio = clients / kubectl`,
  );
  console.log(
    '        percentiles are over the arrivals that came within 30 s; missing = arrivals that did not: clients (of changes x clients), kubectl exec -w, kubectl job -w',
  );
  console.log(
    `clients | ${'write'.padEnd(16)} | clients p50 / p99 / max | kubectl exec -w   | ratio p50/99 | clients - kubectl | kubectl job -w  | peak RSS | CPU op / bench  | connect | missing`,
  );
  for (const r of rows) console.log(r);
  console.log();
  console.log('log throughput to one client (socket.io) and kubectl logs on the same pod; ratio = socket.io / kubectl');
  console.log(
    `clients | ${'what'.padEnd(30)} | ${'socket.io'.padStart(28)} | ${'kubectl logs'.padStart(28)} | ratio | details (socket.io vs kubectl)`,
  );
  for (const r of logRows) console.log(r);
  if (plotFile) {
    const at = new Date().toISOString().slice(0, 16).replace('T', ' ');
    const xy = (f: (g: (typeof growth)[number]) => number) => growth.map((g) => [Math.max(1, g.n), f(g)] as [number, number]);
    writeFileSync(
      plotFile,
      growthSvg(
        [
          { title: 'operator peak RSS', unit: 'MiB', series: { operator: xy((g) => g.rss) } },
          {
            title: 'Job status -> every client',
            unit: 'ms',
            series: { 'clients p50': xy((g) => g.p50), 'clients p99': xy((g) => g.p99), 'kubectl -w p99': xy((g) => g.k99) },
          },
          { title: 'operator CPU per status change', unit: 'ms', series: { operator: xy((g) => g.cpuMs) } },
        ],
        `npm run bench:stream -- ${process.argv.slice(2).join(' ')} (${at} UTC)`,
        'subscribed clients (log scale)',
      ),
    );
    console.log(`plot: ${plotFile}`);
  }
} finally {
  await cleanUp();
  progress('cleaned up');
}
