// Benchmark (not a test): what source polling costs (issue 13). N modules (default 1,000) over R
// repositories (default 10) served by the local git daemon, each with pollInterval 1m, for M minutes
// (default 10), next to the same operator and modules with polling off (pollInterval "0").
//
//   npm run bench:poll -- [--minutes 10] [--owners 1000] [--repos 10]   (needs `npm run build` and a cluster)
//
// Per side, once the operator has settled (every module has its first plan, their runner pods never
// run: no node has the executionTemplate's nodeSelector, so plans do not swamp the machine; no new
// execution for 30 s) and a minute more, over the measured window:
// - ls-remote: how many `git ls-remote` the operator ran (tofu_operator_source_polls_total, ok and
//   error, read from its /metrics at the window's start and end), per minute, and the ceiling the
//   design promises: one per repository and revision per interval (R per minute);
// - the operator's CPU time (user + system, /proc/<pid>/stat) and peak RSS (VmHWM) over the window;
// - plans created during the window (none expected: no commit moves);
// then the ratios polling on / polling off.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as api from '@tofu-operator/api-types';
import * as rt from '@tofu-operator/reconcile-runtime';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    owners: { type: 'string', default: '1000' },
    repos: { type: 'string', default: '10' },
  },
});
const minutes = Number(values.minutes);
const owners = Number(values.owners);
const repos = Number(values.repos);
if (!(minutes > 0 && owners > 0 && repos > 0)) throw new Error('--minutes, --owners and --repos take positive numbers');

const kubeconfig = process.env.KUBECONFIG || join(root, '.cluster/kubeconfig');
const admin = rt.KubeClient.fromFile(kubeconfig, { qps: 200, burst: 400, fieldManager: 'bench' });
const Namespaces = { group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false };
const out = join(root, 'test-output', 'bench');
mkdirSync(out, { recursive: true });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** How long the number of executions must stay the same before the operator counts as settled. */
const STABLE_MS = 30_000;
/** Between settling and the measured window, on both sides. */
const WARM_UP_MS = 60_000;

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>) {
  let i = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (i < items.length) await fn(items[i++] as T);
    }),
  );
}

/** Serves R small repositories (one terraform_data resource each) and returns their URLs. */
function serveRepos(): string[] {
  const urls: string[] = [];
  for (let i = 0; i < repos; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-poll-'));
    writeFileSync(join(dir, 'main.tf'), `resource "terraform_data" "x" {\n  input = "${i}"\n}\n`);
    const printed = execFileSync('bash', [join(root, 'tools/cluster/cluster.sh'), 'serve-git', dir, `bench-poll-${i}`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    urls.push(printed.trim().split('\n').pop() ?? '');
  }
  return urls;
}

/** The sum of tofu_operator_source_polls_total over its results (0 before the first poll). */
async function pollsTotal(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  let sum = 0;
  for (const m of text.matchAll(/^tofu_operator_source_polls_total\{[^}]*\} (\S+)$/gm)) sum += Number(m[1]);
  return sum;
}

function procStats(pid: number): { cpu: number; hwm: number } {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpu: (Number(f[11]) + Number(f[12])) / 100, hwm: Number(hwm?.[1] ?? 0) * 1024 };
}

interface Side {
  polls: number;
  /** Executions created during the window. */
  plans: number;
  cpu: number;
  peakRss: number;
  windowMs: number;
}

async function side(pollInterval: string, urls: string[]): Promise<Side> {
  const ns = `bench-poll-${pollInterval === '0' ? 'off' : 'on'}-${Date.now() % 100000}`;
  await admin.create(Namespaces, undefined, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ns, labels: { 'tofu-operator.io/bench': 'true' } },
  });
  await pool([...Array(owners).keys()], 32, async (i) => {
    await admin.create(api.TofuModules, ns, {
      apiVersion: api.API_GROUP_VERSION,
      kind: 'TofuModule',
      metadata: { name: `m${i}`, namespace: ns },
      spec: {
        source: { repository: urls[i % urls.length] ?? '', revision: 'main', pollInterval },
        executionTemplate: { nodeSelector: { 'tofu-operator.io/bench-no-node': 'true' } },
      },
    });
  });
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const base = `http://127.0.0.1:${port}`;
  const log = join(out, `poll-operator-${pollInterval === '0' ? 'off' : 'on'}.log`);
  const child: ChildProcess = spawn(process.execPath, [join(root, 'apps/operator/dist/main.js')], {
    env: {
      ...process.env,
      KUBECONFIG: kubeconfig,
      HOST: '127.0.0.1',
      PORT: String(port),
      // Only to read /metrics without a token; bound to loopback.
      TOFU_OPERATOR_INSECURE_NO_AUTH: 'true',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      TOFU_OPERATOR_LEASE_NAMESPACE: 'tofu-operator-system',
      TOFU_OPERATOR_LEASE_NAME: 'bench-poll',
      TOFU_OPERATOR_WATCH_NAMESPACE: ns,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let logText = '';
  child.stdout?.on('data', (d) => (logText += d));
  child.stderr?.on('data', (d) => (logText += d));
  try {
    // Settled: every module has its first plan, and no execution was created for STABLE_MS (with
    // polling on, the first polls' commit supersedes the queued first plans once: that is the
    // operator planning a commit it learnt, not the cost of polling), then a minute more.
    const executions = async () => (await admin.list<api.TofuExecution>(api.TofuExecutions, ns).catch(() => ({ items: [] }))).items.length;
    const settleDeadline = Date.now() + 900_000;
    let last = -1;
    let stableSince = Date.now();
    for (;;) {
      const n = await executions();
      if (n !== last) [last, stableSince] = [n, Date.now()];
      if (n >= owners && Date.now() - stableSince >= STABLE_MS) break;
      if (Date.now() > settleDeadline) throw new Error(`executions still changing (${n}) after 15 minutes; see ${log}`);
      await sleep(5000);
    }
    await sleep(WARM_UP_MS);
    const pid = child.pid ?? 0;
    const start = procStats(pid);
    const polls0 = await pollsTotal(base);
    const t0 = Date.now();
    let peak = 0;
    const sampler = setInterval(() => {
      try {
        peak = Math.max(peak, procStats(pid).hwm);
      } catch {
        /* exited */
      }
    }, 1000);
    await sleep(minutes * 60_000);
    clearInterval(sampler);
    const end = procStats(pid);
    const polls = (await pollsTotal(base)) - polls0;
    const all = (await admin.list<api.TofuExecution>(api.TofuExecutions, ns)).items;
    // creationTimestamp has whole seconds: anything from the window's first second on.
    const plans = all.filter((e) => Date.parse(e.metadata.creationTimestamp ?? '') >= Math.floor(t0 / 1000) * 1000).length;
    return { polls, plans, cpu: end.cpu - start.cpu, peakRss: Math.max(peak, end.hwm), windowMs: Date.now() - t0 };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.on('exit', r));
    writeFileSync(log, logText);
    await admin.delete(Namespaces, undefined, ns).catch(() => undefined);
  }
}

for (const f of ['tofumodules', 'tofustacks', 'tofuexecutions'])
  await rt.applyManifestFile(admin, join(root, 'crds', `${f}.tofu-operator.io.yaml`));
const urls = serveRepos();
console.log(`poll benchmark: ${owners} modules over ${repos} repositories, ${minutes} min measured per side, API server ${admin.server}`);
const off = await side('0', urls);
const on = await side('1m', urls);
const mib = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MiB`;
const perMin = (s: Side) => (s.polls / (s.windowMs / 60_000)).toFixed(1);
const row = (name: string, x: Side, ceiling: number) =>
  [
    name.padEnd(19),
    `${String(x.polls).padStart(6)} (${perMin(x).padStart(5)})`.padEnd(20),
    String(ceiling).padStart(11),
    String(x.plans).padStart(13),
    `${x.cpu.toFixed(2)} s`.padStart(12),
    mib(x.peakRss).padStart(8),
  ].join(' | ');
console.log('side                | ls-remote (per min)  | ceiling/min | plans created | operator CPU | peak RSS');
console.log(row('polling off ("0")', off, 0));
console.log(row('pollInterval 1m', on, repos));
console.log(
  `ratios on/off: CPU ${(on.cpu / Math.max(off.cpu, 0.01)).toFixed(2)}, peak RSS ${(on.peakRss / Math.max(off.peakRss, 1)).toFixed(2)}; ` +
    `ls-remote per module per minute ${(Number(perMin(on)) / owners).toFixed(4)} (unshared: 1)`,
);
await admin.close();
