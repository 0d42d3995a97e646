// The fault suite's shared part (faults-*.spec.ts): one namespace with real runs in flight (an
// approved apply whose resource sleeps, and a burst of plans), a fault injected while they run, and
// the checks every fault must pass once healed: each run finished exactly once (one Job, one pod, a
// final status never rewritten, no second apply), the owners' statuses, the state (the next plan
// says "No changes."), the stored logs (the pod's log exactly, or with the gap marker, no stored line
// rewritten), the operator ready with its Lease renewed, and the cluster healthy.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Annotations, Labels, TofuLogChunks, type TofuExecution, type TofuLogChunk, type TofuModule } from '@tofu-operator/api-types';
import { KubeConfig, type KubeObject, type Lease } from '@tofu-operator/reconcile-runtime';
import {
  admin,
  deleteNamespace,
  freePort,
  installCrdsAndRbac,
  listExecutions,
  listJobs,
  newNamespace,
  OperatorProcess,
  outputDir,
  Pods,
  repoRoot,
  serveRepo,
  serviceAccountWithRole,
  sleep,
  TofuModules,
  waitFor,
} from './harness.js';

const TERMINAL = ['Succeeded', 'Failed'];
const Secrets = { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true } as const;
const Events = { group: 'events.k8s.io', version: 'v1', plural: 'events', kind: 'Event', namespaced: true } as const;
const Leases = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease', namespaced: true } as const;
const Nodes = { group: '', version: 'v1', plural: 'nodes', kind: 'Node', namespaced: false } as const;
type Secret = KubeObject & { data?: Record<string, string> };
type PodT = KubeObject & { status?: { phase?: string } };
type EventT = KubeObject & { action?: string; reason?: string; regarding?: { name?: string; kind?: string } };
type NodeT = KubeObject & { status?: { conditions?: { type: string; status: string }[] } };

/** The gap marker's start (apps/operator/src/logs/log-chunks.ts gapMarker). */
export const GAP_MARKER = '[tofu-operator] gap: ';
/** The node of the local cluster (tools/cluster/lib/controlplane.sh NODE_NAME). */
const NODE_NAME = process.env['TOFU_CLUSTER_NODE_NAME'] || 'tofu-operator-node';

/** One slow resource (its local-exec provisioner sleeps during the apply), then three that depend on it. */
export const slowModule = (sleepS: number) => `resource "terraform_data" "slow" {
  input = "slow"
  provisioner "local-exec" {
    command = "sleep ${sleepS}"
  }
}

resource "terraform_data" "after" {
  count      = 3
  input      = "after-\${count.index}"
  depends_on = [terraform_data.slow]
}
`;
/** Many resources: a plan that runs some seconds and prints a few hundred lines for the archiver. */
const burstModule = `resource "terraform_data" "r" {\n  count = 150\n  input = { index = count.index, name = "resource-\${count.index}" }\n}\n`;

/** The leader election of a deployed operator (controller-runtime's defaults, deploy/base). */
export const DEPLOYED_LEASE = {
  TOFU_OPERATOR_LEASE_DURATION_MS: '15000',
  TOFU_OPERATOR_RENEW_DEADLINE_MS: '10000',
  TOFU_OPERATOR_RETRY_PERIOD_MS: '2000',
} as const;

/** Runs `tools/cluster/cluster.sh restart <component>` (which waits until it is healthy), without blocking the event loop. */
export function restartComponent(component: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [join(repoRoot, 'tools/cluster/cluster.sh'), 'restart', component],
      { timeout: 240_000, maxBuffer: 16 * 2 ** 20 },
      (err, stdout, stderr) => {
        process.stderr.write(stderr);
        if (err) reject(new Error(`restart ${component} failed: ${stderr.slice(-2000)}`, { cause: err }));
        else resolve();
      },
    );
  });
}

/** Fails unless the API server is ready and the node Ready (what a fault test must leave behind). */
export async function assertClusterHealthy(): Promise<void> {
  await waitFor(
    'the API server /readyz and the node Ready',
    async () => {
      let ready = '';
      for await (const chunk of (await admin.stream('/readyz', {}, AbortSignal.timeout(5000))) as AsyncIterable<Buffer>)
        ready += chunk.toString('utf8');
      const node = await admin.get<NodeT>(Nodes, undefined, NODE_NAME);
      return ready === 'ok' && node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    },
    120_000,
    1000,
  );
}

/**
 * The operator run as a Deployment would run it: one process at a time on a fixed API port and runner
 * port (its running pods were given that address), started again a second after it exits (leadership
 * lost, a crash, a kill).
 */
export class SupervisedOperator {
  readonly processes: OperatorProcess[] = [];
  /** When each process after the first was started, ms since the epoch. */
  readonly restarts: number[] = [];
  /** Processes the test killed itself (every other exit must be a lost leadership). */
  private readonly killed = new Set<OperatorProcess>();
  private stopping = false;
  private timer: NodeJS.Timeout | undefined;
  private exitSeenAt = 0;

  constructor(
    private readonly kubeconfig: string,
    private readonly env: Record<string, string>,
    readonly port: number,
    readonly runnerPort: string,
  ) {}

  static async create(kubeconfig: string, env: Record<string, string>): Promise<SupervisedOperator> {
    const port = await freePort();
    const first = new OperatorProcess(kubeconfig, { ...env, PORT: String(port) });
    const s = new SupervisedOperator(kubeconfig, env, port, first.runnerPort);
    s.processes.push(first);
    return s;
  }

  get current(): OperatorProcess {
    const p = this.processes.at(-1);
    if (!p) throw new Error('no operator process');
    return p;
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  start(): void {
    this.current.start();
    this.timer = setInterval(() => this.watch(), 250);
  }

  private watch(): void {
    if (this.stopping || this.current.running) return;
    if (!this.exitSeenAt) this.exitSeenAt = Date.now();
    if (Date.now() - this.exitSeenAt < 1000) return;
    this.exitSeenAt = 0;
    const next = new OperatorProcess(this.kubeconfig, {
      ...this.env,
      PORT: String(this.port),
      TOFU_OPERATOR_RUNNER_PORT: this.runnerPort,
    });
    this.processes.push(next);
    this.restarts.push(Date.now());
    next.start();
  }

  /** Waits until the current process (whichever it is by then) runs its controllers. */
  async waitUntilLeading(timeoutMs = 60_000): Promise<OperatorProcess> {
    return waitFor(
      'an operator process leading',
      () => {
        const p = this.current;
        return p.running && p.log().includes('"kind":"TofuStack","concurrency"') ? p : undefined;
      },
      timeoutMs,
      250,
    );
  }

  /** SIGKILLs the current process (as the OOM killer would); it is started again a second later. */
  async kill(): Promise<OperatorProcess> {
    const p = this.current;
    this.killed.add(p);
    await p.stop('SIGKILL');
    return p;
  }

  /** The processes before the current one that exited neither killed by the test nor for a lost leadership. */
  unexplainedExits(): string[] {
    return this.processes
      .slice(0, -1)
      .filter((p) => !this.killed.has(p) && !p.log().includes('"msg":"leadership lost; exiting"'))
      .map((p) => p.logFile);
  }

  /** Every process's log, in order. */
  log(): string {
    return this.processes.map((p) => p.log()).join('\n');
  }

  async stop(saveAs: string): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    for (const p of this.processes) await p.stop().catch(() => p.stop('SIGKILL'));
    for (const [i, p] of this.processes.entries())
      writeFileSync(join(outputDir, `${saveAs}-${process.pid}-${i + 1}.operator.log`), p.log());
  }
}

/**
 * A TCP proxy in front of the API server, owned by the test, and a kubeconfig that goes through it:
 * `cut()` makes the network to the API silent (bytes of open connections dropped, new connections
 * accepted and never answered: a partition as a client sees it, not a refused connection);
 * `restore()` resets what was open or held and forwards again.
 */
export class ApiProxy {
  private server: Server | undefined;
  private readonly pairs = new Set<[Socket, Socket]>();
  private readonly held = new Set<Socket>();
  private isCut = false;
  /** The kubeconfig through the proxy, once started. */
  kubeconfig = '';

  constructor(private readonly direct: string) {}

  async start(): Promise<void> {
    const kc = new KubeConfig();
    kc.loadFromFile(this.direct);
    const server = kc.getCurrentCluster()?.server;
    if (!server) throw new Error(`no cluster in ${this.direct}`);
    const target = new URL(server);
    this.server = createServer((client) => this.accept(client, target.hostname, Number(target.port || 443)));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const addr = this.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    // The API server's certificate names 127.0.0.1, so TLS through the proxy verifies as before.
    this.kubeconfig = join(outputDir, `operator-proxied-${process.pid}.kubeconfig`);
    writeFileSync(this.kubeconfig, readFileSync(this.direct, 'utf8').replace(server, `https://127.0.0.1:${port}`), { mode: 0o600 });
  }

  private accept(client: Socket, host: string, port: number): void {
    client.on('error', () => undefined);
    if (this.isCut) {
      this.held.add(client);
      client.on('data', () => undefined);
      return;
    }
    const upstream = connect(port, host);
    const pair: [Socket, Socket] = [client, upstream];
    this.pairs.add(pair);
    const close = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
    client.on('data', (b) => {
      if (!this.isCut) upstream.write(b);
    });
    upstream.on('data', (b) => {
      if (!this.isCut) client.write(b);
    });
  }

  cut(): void {
    this.isCut = true;
  }

  restore(): void {
    this.isCut = false;
    // What was open during the cut is broken for its clients (a TLS stream with bytes missing): reset it.
    for (const [client, upstream] of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
    for (const s of this.held) s.destroy();
    this.held.clear();
  }

  async stop(): Promise<void> {
    this.restore();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** What a poll saw of one execution's status: phase and completion time. */
type Seen = { phase: string; completionTime: string };

/**
 * Polls the namespace's executions twice a second through the faults (errors while the API is away
 * are skipped) and keeps, per execution, each distinct (phase, completionTime) in the order seen: a
 * finished run must keep its first final status.
 */
export class PhaseLog {
  readonly seen = new Map<string, Seen[]>();
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(private readonly ns: string) {}

  start(): void {
    this.timer = setInterval(() => void this.poll(), 500);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async poll(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (const e of await listExecutions(this.ns)) this.note(e);
    } catch {
      // the API is away: the next poll tries again
    } finally {
      this.busy = false;
    }
  }

  note(e: TofuExecution): void {
    const name = e.metadata.name ?? '';
    const list = this.seen.get(name) ?? [];
    const s = { phase: e.status?.phase ?? '', completionTime: e.status?.completionTime ?? '' };
    const last = list.at(-1);
    if (!last || last.phase !== s.phase || last.completionTime !== s.completionTime) list.push(s);
    this.seen.set(name, list);
  }
}

async function chunksOf(ns: string, execution: string): Promise<TofuLogChunk[]> {
  return (await admin.list<TofuLogChunk>(TofuLogChunks, ns, { labelSelector: `${Labels.execution}=${execution}` })).items;
}

function chunkLines(c: TofuLogChunk): string[] {
  return gunzipSync(Buffer.from(c.spec.data, 'base64')).toString('utf8').replace(/\n$/, '').split('\n').slice(0, c.spec.lineCount);
}

/** The stored log once its final chunk is stored, decoded by the test: chunks consecutive from line 0. */
async function storedLog(ns: string, execution: string): Promise<{ lines: string[]; incomplete?: string } | undefined> {
  const chunks = (await chunksOf(ns, execution)).sort((a, b) => a.spec.index - b.spec.index);
  if (!chunks.at(-1)?.spec.final) return undefined;
  const lines: string[] = [];
  for (const [i, c] of chunks.entries()) {
    assert.equal(c.spec.index, i, `${execution}: no chunk missing`);
    assert.equal(c.spec.firstLine, lines.length, `${execution}: chunk ${i} starts where the one before ended`);
    lines.push(...chunkLines(c));
  }
  return { lines, incomplete: chunks.at(-1)?.spec.incomplete };
}

/** A pod's runner container log, read whole by the test. */
export async function podLog(ns: string, pod: string): Promise<string> {
  const stream = await admin.stream(`/api/v1/namespaces/${ns}/pods/${pod}/log`, { container: 'runner' }, new AbortController().signal);
  let text = '';
  for await (const chunk of stream as AsyncIterable<Buffer>) text += chunk.toString('utf8');
  return text;
}

const podsOf = async (ns: string, selector: string) => (await admin.list<PodT>(Pods, ns, { labelSelector: selector })).items;
const at = (e: TofuExecution) => e.metadata.annotations?.[Annotations.createdAt] ?? '';

/**
 * One namespace with an operator and real runs: module `app` (its plan approved, the apply sleeping in
 * its first resource) and `burst-N` modules whose plans start just before the fault.
 */
export class FaultScenario {
  readonly phases: PhaseLog;
  /** Every stored log chunk, as it was when the fault was injected. */
  private chunksAtFault: TofuLogChunk[] = [];
  applyName = '';
  private firstPlan = '';
  private repo = '';

  private constructor(
    readonly ns: string,
    readonly operator: SupervisedOperator,
    private readonly approver: string,
    readonly sleepS: number,
    readonly burst: number,
  ) {
    this.phases = new PhaseLog(ns);
  }

  /** Installs what the operator needs, serves the modules, starts the operator (kubeconfig given) and creates `app`. */
  static async setup(opts: {
    prefix: string;
    kubeconfig: string;
    env?: Record<string, string>;
    sleepS: number;
    burst?: number;
  }): Promise<FaultScenario> {
    await installCrdsAndRbac();
    const repo = serveRepo(`e2e-${opts.prefix}`, { 'slow/main.tf': slowModule(opts.sleepS), 'burst/main.tf': burstModule });
    const ns = await newNamespace(opts.prefix);
    const operator = await SupervisedOperator.create(opts.kubeconfig, { TOFU_OPERATOR_WATCH_NAMESPACE: ns, ...opts.env });
    operator.start();
    await operator.waitUntilLeading();
    await waitFor('the API is ready', async () => (await fetch(`${operator.base}/readyz`)).ok);
    const approver = await serviceAccountWithRole(ns, 'approver', ['get', 'list', 'watch', 'patch', 'approve']);
    const s = new FaultScenario(ns, operator, approver, opts.sleepS, opts.burst ?? 3);
    s.phases.start();
    await admin.create<TofuModule>(TofuModules, ns, s.moduleObj('app', repo, 'slow'));
    s.repo = repo;
    return s;
  }

  private moduleObj(name: string, repository: string, workdir: string): TofuModule {
    return {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuModule',
      metadata: { name, namespace: this.ns },
      spec: { source: { repository, revision: 'main', workdir } },
    };
  }

  /** The executions of a module, newest first. */
  async executionsOf(module: string): Promise<TofuExecution[]> {
    return (await listExecutions(this.ns)).filter((e) => e.spec.moduleRef?.name === module).sort((a, b) => at(b).localeCompare(at(a)));
  }

  /** Approves `app`'s first plan and waits until the apply runs its slow resource (tofu holds the state lock). */
  async startApply(): Promise<void> {
    const plan = await waitFor(
      "app's first plan to succeed",
      async () => {
        const p = (await this.executionsOf('app')).find((e) => e.spec.action === 'plan');
        return p && TERMINAL.includes(p.status?.phase ?? '') ? p : undefined;
      },
      240_000,
      1000,
    );
    assert.equal(plan.status?.phase, 'Succeeded', `plan ${plan.metadata.name}: ${plan.status?.message}`);
    this.firstPlan = plan.metadata.name ?? '';
    const digest = plan.status?.plan?.digest ?? '';
    const answer = await fetch(`${this.operator.base}/api/v1/namespaces/${this.ns}/executions/${this.firstPlan}/approve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.approver}`, 'content-type': 'application/json' },
      body: JSON.stringify({ planDigest: digest }),
    });
    const apply = (await answer.json()) as TofuExecution;
    assert.equal(answer.status, 201, JSON.stringify(apply));
    this.applyName = apply.metadata.name ?? '';
    await waitFor(
      'the apply running its slow resource',
      async () => {
        const p = (await podsOf(this.ns, `${Labels.execution}=${this.applyName}`))[0];
        if (p?.status?.phase !== 'Running') return undefined;
        return (await podLog(this.ns, p.metadata?.name ?? '')).includes(`Executing: ["/bin/sh" "-c" "sleep ${this.sleepS}"]`);
      },
      180_000,
      300,
    );
  }

  /**
   * Creates the burst's modules (each plans at once) and waits until the first of their Jobs exists,
   * or with `until: 'execution'` only their first execution (the operator is then mid-reconcile).
   */
  async startBurst(until: 'job' | 'execution' = 'job'): Promise<void> {
    await Promise.all(
      Array.from({ length: this.burst }, (_, i) =>
        admin.create<TofuModule>(TofuModules, this.ns, this.moduleObj(`burst-${i}`, this.repo, 'burst')),
      ),
    );
    const ofBurst = (labels: Record<string, string> | undefined) => labels?.[Labels.module]?.startsWith('burst-');
    await waitFor(
      `the first ${until} of the burst`,
      async () =>
        until === 'job'
          ? (await listJobs(this.ns)).some((j) => ofBurst(j.metadata?.labels))
          : (await listExecutions(this.ns)).some((e) => e.spec.moduleRef?.name?.startsWith('burst-')),
      60_000,
      50,
    );
  }

  /** Called right before the fault: checks that runs are in flight and remembers the stored chunks; answers what is in flight. */
  async markFault(): Promise<string> {
    const all = await listExecutions(this.ns);
    const open = all.filter((e) => !TERMINAL.includes(e.status?.phase ?? ''));
    assert.ok(
      open.some((e) => e.metadata.name === this.applyName),
      'the apply is running at the fault',
    );
    assert.ok(
      open.some((e) => e.spec.moduleRef?.name?.startsWith('burst-')),
      'plans of the burst are in flight at the fault',
    );
    this.chunksAtFault = (await admin.list<TofuLogChunk>(TofuLogChunks, this.ns)).items;
    const jobs = await listJobs(this.ns);
    return `at the fault: ${all.length} executions (${open.length} unfinished), ${jobs.length} Jobs, ${this.chunksAtFault.length} log chunks`;
  }

  /** Waits until every execution of the namespace (the apply and 1 + burst plans at least) is final. */
  async waitAllFinished(timeoutMs = 420_000): Promise<TofuExecution[]> {
    return waitFor(
      'every run final',
      async () => {
        const all = await listExecutions(this.ns);
        return all.length >= 2 + this.burst && all.every((e) => TERMINAL.includes(e.status?.phase ?? '')) ? all : undefined;
      },
      timeoutMs,
      1000,
    );
  }

  /** Every check a healed fault must pass. Returns a one-line summary for the test's output. */
  async verify(): Promise<string> {
    const { ns } = this;
    await assertClusterHealthy();
    const finished = await this.waitAllFinished();
    /** Each group of checks runs even when one before failed: a fault run tells all it found. */
    const problems: string[] = [];
    const check = async (what: string, fn: () => Promise<void> | void) => {
      try {
        await fn();
      } catch (err) {
        problems.push(`${what}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
        console.error(err);
      }
    };
    let jobs: Awaited<ReturnType<typeof listJobs>> = [];
    let finalEvents = 0;
    let gaps = 0;
    await check('results', () => {
      for (const e of finished) assert.equal(e.status?.phase, 'Succeeded', `${e.metadata.name}: ${e.status?.message}`);
    });

    // Once: one Job per execution, one pod per Job, no second apply.
    await check('once', async () => {
      jobs = await listJobs(ns);
      assert.deepEqual(
        jobs.map((j) => j.metadata?.name).sort(),
        finished.map((e) => e.status?.jobName).sort(),
        'exactly one Job per execution',
      );
      for (const e of finished) {
        const byLabel = jobs.filter((j) => j.metadata?.labels?.[Labels.execution] === e.metadata.name);
        assert.equal(byLabel.length, 1, `${e.metadata.name}: Jobs labelled with it`);
        const pods = await podsOf(ns, `job-name=${e.status?.jobName}`);
        assert.equal(pods.length, 1, `${e.metadata.name}: one pod (${pods.map((p) => p.metadata?.name).join(', ')})`);
      }
      assert.deepEqual(
        finished.filter((e) => e.spec.action !== 'plan').map((e) => e.metadata.name),
        [this.applyName],
        'one apply',
      );
      const applyPod = (await podsOf(ns, `${Labels.execution}=${this.applyName}`))[0]?.metadata?.name ?? '';
      const applyLog = await podLog(ns, applyPod);
      assert.equal(applyLog.match(/Apply complete!/g)?.length, 1, applyLog);
      assert.match(applyLog, /Apply complete! Resources: 4 added, 0 changed, 0 destroyed\./);
      const apply = finished.find((e) => e.metadata.name === this.applyName);
      assert.equal(apply?.status?.apply?.add, 4, JSON.stringify(apply?.status?.apply));
    });

    // A final status, once seen, never changed; at most one final Event per run (Events are best effort).
    await check('final-once', async () => {
      this.phases.stop();
      for (const e of finished) this.phases.note(e);
      const events = (await admin.list<EventT>(Events, ns)).items;
      for (const e of finished) {
        const name = e.metadata.name ?? '';
        const seen = this.phases.seen.get(name) ?? [];
        const firstFinal = seen.findIndex((s) => TERMINAL.includes(s.phase));
        assert.ok(firstFinal >= 0, `${name}: seen final`);
        assert.equal(seen.length - 1, firstFinal, `${name}: the final status was rewritten: ${JSON.stringify(seen)}`);
        const finals = events.filter(
          (ev) => ev.regarding?.kind === 'TofuExecution' && ev.regarding.name === name && TERMINAL.includes(ev.action ?? ''),
        );
        assert.ok(finals.length <= 1, `${name}: ${finals.length} final Events: ${finals.map((f) => f.reason).join(', ')}`);
        finalEvents += finals.length;
      }
    });

    // Stored logs: the pod's log exactly, or up to a recorded gap; what was stored at the fault kept.
    await check('logs', async () => {
      for (const e of finished) {
        const name = e.metadata.name ?? '';
        const { lines: stored, incomplete } = await waitFor(`the final log chunk of ${name}`, () => storedLog(ns, name), 90_000, 500);
        const pod = (await podsOf(ns, `${Labels.execution}=${name}`))[0]?.metadata?.name ?? '';
        const fromPod = (await podLog(ns, pod)).replace(/\n$/, '').split('\n');
        const gap = stored.findIndex((l) => l.startsWith(GAP_MARKER));
        if (gap < 0) {
          assert.deepEqual(
            stored,
            fromPod,
            `${name}: the stored log is the pod's log, no line missing or twice (${incomplete ?? 'complete'})`,
          );
        } else {
          gaps++;
          assert.deepEqual(stored.slice(0, gap), fromPod.slice(0, gap), `${name}: the lines before the gap are the pod's`);
        }
      }
      for (const before of this.chunksAtFault) {
        const now = await admin.get<TofuLogChunk>(TofuLogChunks, ns, before.metadata.name ?? '');
        const old = chunkLines(before);
        assert.deepEqual(chunkLines(now).slice(0, old.length), old, `${before.metadata.name}: stored lines kept`);
        if (before.spec.final) assert.equal(now.spec.data, before.spec.data, `${before.metadata.name}: a final chunk unchanged`);
      }
    });

    // The owners: each module's status names its newest execution with its result.
    await check('owners', async () => {
      for (const m of (await admin.list<TofuModule>(TofuModules, ns)).items) {
        const newest = (await this.executionsOf(m.metadata.name ?? ''))[0];
        await waitFor(
          `${m.metadata.name}'s status to name ${newest?.metadata.name}`,
          async () => {
            const now = await admin.get<TofuModule>(TofuModules, ns, m.metadata.name ?? '');
            const last = now.status?.lastExecution;
            return last?.name === newest?.metadata.name && last?.phase === newest?.status?.phase;
          },
          30_000,
          500,
        );
      }
    });

    // The state: stored once, no lock left; the next plan of `app` has nothing to do.
    await check('state', async () => {
      const pointerSecret = await admin.get<Secret>(Secrets, ns, 'tofu-state-module-app');
      const pointer = JSON.parse(Buffer.from(pointerSecret.data?.['pointer'] ?? '', 'base64').toString('utf8')) as { lock?: unknown };
      assert.equal(pointer.lock, undefined, `the state is still locked: ${JSON.stringify(pointer.lock)}`);
      await admin.mergePatch(TofuModules, ns, 'app', {
        metadata: { annotations: { [Annotations.requestedAt]: new Date().toISOString() } },
      });
      const next = await waitFor(
        'the next plan of app',
        async () => {
          const p = (await this.executionsOf('app')).find((e) => e.spec.action === 'plan' && e.metadata.name !== this.firstPlan);
          return p && TERMINAL.includes(p.status?.phase ?? '') ? p : undefined;
        },
        240_000,
        1000,
      );
      assert.equal(next.status?.phase, 'Succeeded', next.status?.message);
      assert.match(next.status?.summary?.text ?? '', /No changes\./);
      await sleep(2000);
      const all = await listExecutions(ns);
      assert.equal(all.length, finished.length + 1, 'no other execution appeared');
      assert.equal((await listJobs(ns)).length, all.length, 'one Job per execution');
    });

    // The operator: ready, and the current process holds the Lease and renews it.
    await check('operator', async () => {
      const current = await this.operator.waitUntilLeading();
      assert.ok((await fetch(`${this.operator.base}/readyz`)).ok, 'the operator is ready');
      const identity = /"identity":"([^"]+)","msg":"became leader"/.exec(current.log())?.[1];
      assert.ok(identity, 'the current process logged its identity');
      const lease = await admin.get<Lease>(Leases, 'tofu-operator-system', `int-${process.pid}`);
      assert.equal(lease.spec?.holderIdentity, identity, 'the current process holds the Lease');
      await waitFor(
        'the Lease renewed',
        async () =>
          (await admin.get<Lease>(Leases, 'tofu-operator-system', `int-${process.pid}`)).spec?.renewTime !== lease.spec?.renewTime,
        30_000,
        500,
      );
      const fatal = this.operator
        .log()
        .split('\n')
        .filter((l) => l.includes('"level":60') && !l.includes('"msg":"leadership lost; exiting"'));
      assert.deepEqual(fatal, [], 'no fatal error other than a lost leadership');
      assert.deepEqual(this.operator.unexplainedExits(), [], 'every exit was a kill by the test or a lost leadership');
    });
    assert.deepEqual(problems, [], `the fault left problems:\n${problems.join('\n')}`);
    return (
      `${finished.length} runs final once (${finalEvents} final Events), ${jobs.length} Jobs, ${gaps} log gaps, ${this.chunksAtFault.length} chunks kept, ` +
      `${this.operator.restarts.length} operator restarts`
    );
  }

  async teardown(name: string): Promise<void> {
    this.phases.stop();
    await this.operator.stop(name);
    await deleteNamespace(this.ns);
  }
}
