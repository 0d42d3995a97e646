// Test harness of the integration suite: a real API server (the local cluster), the real operator
// process running with its own ServiceAccount's token (so its RBAC is exercised), one namespace per
// test. Nothing here simulates Kubernetes.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { TofuExecutions, TofuLogChunks, TofuModules, TofuStacks, type TofuExecution } from '@tofu-operator/api-types';
import {
  applyManifestFile,
  isAlreadyExists,
  isConflict,
  isNotFound,
  Jobs,
  Pods,
  KubeClient,
  KubeConfig,
  manifestKinds,
  type Job,
  type KubeObject,
  type Pod,
} from '@tofu-operator/reconcile-runtime';

/**
 * For tests of reconciler logic that write Job status themselves (as envtest suites do): runner pods
 * select a node label no node has, so they stay Pending and never race the test's writes.
 */
export const UNSCHEDULABLE = { nodeSelector: { 'tofu-operator.io/test-no-node': 'true' } } as const;

export const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../..');
export const outputDir = join(repoRoot, 'test-output', 'operator-int');
mkdirSync(outputDir, { recursive: true });

export const kubeconfigPath = process.env['KUBECONFIG'] || join(repoRoot, '.cluster', 'kubeconfig');
if (!existsSync(kubeconfigPath)) {
  throw new Error(`no kubeconfig at ${kubeconfigPath}: start the local cluster with \`npm run cluster -- up\` or set KUBECONFIG`);
}

/** A cluster-admin client for the tests themselves. */
export const admin = KubeClient.fromFile(kubeconfigPath, { qps: 200, burst: 400, fieldManager: 'tofu-operator-tests' });

export const Namespaces = manifestKinds['Namespace']!;
const ServiceAccounts = manifestKinds['ServiceAccount']!;
const Roles = manifestKinds['Role']!;
const RoleBindings = manifestKinds['RoleBinding']!;

/** Server-side applies every document of a YAML file. */
export async function applyFile(path: string): Promise<void> {
  await applyManifestFile(admin, path);
}

/** Deletes every object of a YAML file (missing ones are fine). */
export async function deleteFile(path: string): Promise<void> {
  for (const doc of parseAllDocuments(readFileSync(path, 'utf8'))) {
    const obj = doc.toJS() as { kind?: string; metadata?: { name?: string; namespace?: string } } | null;
    const rt = obj?.kind ? manifestKinds[obj.kind] : undefined;
    if (!rt || !obj?.metadata?.name) continue;
    await admin.delete(rt, obj.metadata.namespace, obj.metadata.name).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
  }
}

/** Installs the CRDs and the operator's RBAC, and waits until the CRDs are served. */
export async function installCrdsAndRbac(): Promise<void> {
  for (const f of readdirSync(join(repoRoot, 'crds')).filter((f) => f.endsWith('.yaml'))) await applyFile(join(repoRoot, 'crds', f));
  await applyFile(join(repoRoot, 'deploy', 'rbac', 'operator.yaml'));
  // Only who may approve can create an apply or set the approve/reject annotations.
  await applyFile(join(repoRoot, 'deploy', 'rbac', 'approval-policy.yaml'));
  // References in a spec are checked against its author's RBAC (ADR 0008).
  await applyFile(join(repoRoot, 'deploy', 'rbac', 'reference-policy.yaml'));
  await waitFor('CRDs served', async () => {
    for (const rt of [TofuModules, TofuStacks, TofuExecutions, TofuLogChunks]) await admin.list(rt, 'default', { limit: 1 });
    return true;
  });
}

/** A kubeconfig file that authenticates as the operator's ServiceAccount (a real bound token). */
export async function operatorKubeconfig(): Promise<string> {
  const tr = await admin.request<{ status: { token: string } }>(
    'POST',
    '/api/v1/namespaces/tofu-operator-system/serviceaccounts/tofu-operator/token',
    {
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 7200 } },
    },
  );
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('admin kubeconfig has no cluster');
  const sa = new KubeConfig();
  sa.loadFromOptions({
    clusters: [cluster],
    users: [{ name: 'tofu-operator', token: tr.status.token }],
    contexts: [{ name: 'operator', cluster: cluster.name, user: 'tofu-operator' }],
    currentContext: 'operator',
  });
  const file = join(outputDir, 'operator.kubeconfig');
  writeFileSync(file, sa.exportConfig(), { mode: 0o600 });
  return file;
}

/** Polls until `check` returns a truthy value; fails with `what` and the last error after the timeout. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 30_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
    await sleep(intervalMs);
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Creates a namespace for one test, enforcing the restricted Pod Security Standard. */
export async function newNamespace(prefix: string): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  await admin.create(Namespaces, undefined, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { 'tofu-operator.io/test': 'integration', 'pod-security.kubernetes.io/enforce': 'restricted' } },
  });
  return name;
}

export async function deleteNamespace(name: string): Promise<void> {
  try {
    await admin.delete(Namespaces, undefined, name);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

let operatorCount = 0;

/** The operator as a real process (the built apps/operator), authenticated as its ServiceAccount. */
export class OperatorProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> | undefined;
  readonly logFile: string;
  /**
   * The runner API's port, chosen once per operator process object: two operators of one test (a
   * standby, an API-only replica) would both fail on a shared fixed port, and a restarted operator
   * keeps the port its running runner pods were given.
   */
  readonly runnerPort: string;

  constructor(
    private readonly kubeconfig: string,
    private readonly env: Record<string, string> = {},
  ) {
    this.logFile = join(outputDir, `operator-${process.pid}-${++operatorCount}.log`);
    this.runnerPort = env['TOFU_OPERATOR_RUNNER_PORT'] ?? String(freePortSync());
  }

  start(): void {
    mkdirSync(outputDir, { recursive: true });
    const log = createWriteStream(this.logFile, { flags: 'a' });
    this.child = spawn(process.execPath, [join(repoRoot, 'apps/operator/dist/main.js')], {
      env: {
        PATH: process.env['PATH'] ?? '',
        KUBECONFIG: this.kubeconfig,
        PORT: '0',
        LOG_LEVEL: 'debug',
        TOFU_OPERATOR_LEASE_NAMESPACE: 'tofu-operator-system',
        TOFU_OPERATOR_LEASE_NAME: `int-${process.pid}`,
        TOFU_OPERATOR_LEASE_DURATION_MS: '4000',
        TOFU_OPERATOR_RENEW_DEADLINE_MS: '3000',
        TOFU_OPERATOR_RETRY_PERIOD_MS: '500',
        // Runner pods reach the host-run operator's runner API (bound to all addresses) at the node's bridge.
        TOFU_OPERATOR_RUNNER_PORT: this.runnerPort,
        TOFU_OPERATOR_RUNNER_API_URL: `http://10.88.0.1:${this.runnerPort}`,
        // The local cluster's provider network mirror (tools/cluster/lib/provider-mirror.sh), its
        // certificate signed by the cluster CA that every namespace holds in kube-root-ca.crt.
        TOFU_OPERATOR_PROVIDER_MIRROR_URL: 'https://10.88.0.1:8443/',
        TOFU_OPERATOR_PROVIDER_MIRROR_CA_CONFIGMAP: 'kube-root-ca.crt/ca.crt',
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.pipe(log, { end: false });
    this.child.stderr?.pipe(log, { end: false });
    const child = this.child;
    // 'close' comes after the output streams have ended; then flush the log file.
    this.exited = new Promise((resolve) => child.on('close', (code) => log.end(() => resolve(code))));
  }

  /** Resolves once the operator logged that it leads and its controllers run. */
  async waitUntilLeading(timeoutMs = 30_000): Promise<void> {
    await waitFor(
      `operator leading (log ${this.logFile})`,
      () => {
        if (this.child?.exitCode !== null && this.child?.exitCode !== undefined)
          throw new Error(`operator exited with ${this.child.exitCode}: see ${this.logFile}`);
        return readFileSync(this.logFile, 'utf8').includes('"kind":"TofuStack","concurrency"');
      },
      timeoutMs,
    );
  }

  log(): string {
    return readFileSync(this.logFile, 'utf8');
  }

  /** Whether the process was started and has not exited (fault tests restart it when it exits, as a Deployment would). */
  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends a signal and waits for the exit; a process still alive after 20 s is killed and the stop fails. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 20_000)));
    const outcome = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      child.kill('SIGKILL');
      await this.exited;
      throw new Error(`the operator did not exit within 20 s of ${signal} (log ${this.logFile})`);
    }
    return outcome ?? null;
  }
}

export function getExecution(ns: string, name: string): Promise<TofuExecution> {
  return admin.get<TofuExecution>(TofuExecutions, ns, name);
}

export async function listExecutions(ns: string): Promise<TofuExecution[]> {
  return (await admin.list<TofuExecution>(TofuExecutions, ns)).items;
}

export async function listJobs(ns: string): Promise<Job[]> {
  return (await admin.list<Job>(Jobs, ns)).items;
}

export async function listPods(ns: string): Promise<Pod[]> {
  return (await admin.list<Pod>(Pods, ns)).items;
}

function rfc3339(d = new Date()): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Writes a Job's status as the Job controller would after its pod ran, the way envtest suites do
 * while no node runs pods. Retries on conflicts with the real Job controller's own writes.
 */
export async function finishJob(
  ns: string,
  name: string,
  outcome: { succeeded: true; message?: string } | { succeeded: false; reason: string; message: string },
): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const job = await admin.get<Job>(Jobs, ns, name);
    const now = rfc3339();
    const start = job.status?.startTime ?? now;
    const conditions = outcome.succeeded
      ? [
          {
            type: 'SuccessCriteriaMet',
            status: 'True',
            reason: 'CompletionsReached',
            message: 'Reached expected number of succeeded pods',
            lastTransitionTime: now,
            lastProbeTime: now,
          },
          {
            type: 'Complete',
            status: 'True',
            reason: 'CompletionsReached',
            message: 'Reached expected number of succeeded pods',
            lastTransitionTime: now,
            lastProbeTime: now,
          },
        ]
      : [
          {
            type: 'FailureTarget',
            status: 'True',
            reason: outcome.reason,
            message: outcome.message,
            lastTransitionTime: now,
            lastProbeTime: now,
          },
          { type: 'Failed', status: 'True', reason: outcome.reason, message: outcome.message, lastTransitionTime: now, lastProbeTime: now },
        ];
    const status = outcome.succeeded
      ? {
          startTime: start,
          completionTime: now,
          succeeded: 1,
          active: 0,
          ready: 0,
          terminating: 0,
          failed: 0,
          conditions,
          uncountedTerminatedPods: {},
        }
      : { startTime: start, failed: 1, active: 0, ready: 0, terminating: 0, succeeded: 0, conditions, uncountedTerminatedPods: {} };
    try {
      await admin.replace(Jobs, ns, name, { ...job, status }, 'status');
      return;
    } catch (err) {
      if (!isConflict(err)) throw err;
      await sleep(100);
    }
  }
  throw new Error(`could not write the status of Job ${ns}/${name}`);
}

/** A free TCP port on localhost (bound, read, released), for the operator's PORT. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** A free TCP port on all addresses, found synchronously (a child process binds port 0 and prints it). */
export function freePortSync(): number {
  const script = "const s=require('net').createServer().listen(0,()=>{console.log(String(s.address().port));s.close()})";
  // A string, and only PATH passed on: nx sets FORCE_COLOR, with which console.log colours a number.
  const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '' } }).trim();
  const port = Number(out);
  if (!Number.isInteger(port) || port <= 0) throw new Error(`could not find a free port: the probe printed "${out}"`);
  return port;
}

/**
 * A ServiceAccount in `ns` bound to a Role with `verbs` on our three resources (and on runs' logs,
 * `tofuexecutions/log`, ADR 0010), and a token of it.
 */
export async function serviceAccountWithRole(ns: string, name: string, verbs: string[]): Promise<string> {
  await admin.create<KubeObject>(ServiceAccounts, ns, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } });
  await admin.create<KubeObject & { rules: unknown[] }>(Roles, ns, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name },
    rules: [{ apiGroups: ['tofu-operator.io'], resources: ['tofumodules', 'tofustacks', 'tofuexecutions', 'tofuexecutions/log'], verbs }],
  });
  await admin.create<KubeObject & { roleRef: unknown; subjects: unknown[] }>(RoleBindings, ns, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: [{ kind: 'ServiceAccount', name, namespace: ns }],
  });
  const tr = await admin.request<{ status: { token: string } }>('POST', `/api/v1/namespaces/${ns}/serviceaccounts/${name}/token`, {
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
  });
  return tr.status.token;
}

/**
 * A module of `n` terraform_data resources (count): a plan that takes a few seconds per thousand on
 * this node and prints a line per resource. `input` is each resource's input expression.
 */
export function manyResources(n: number, input = '{ index = count.index }'): string {
  return `resource "terraform_data" "r" {\n  count = ${n}\n  input = ${input}\n}\n`;
}

/** Publishes files as a git repository served to runner pods; returns its URL. */
export function serveRepo(name: string, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), `tofu-e2e-${name}-`));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const out = execFileSync('bash', [join(repoRoot, 'tools/cluster/cluster.sh'), 'serve-git', dir, name], { encoding: 'utf8' });
  return out.trim().split('\n').pop() ?? '';
}

export { isAlreadyExists, Jobs, Pods, TofuExecutions, TofuModules, TofuStacks };
