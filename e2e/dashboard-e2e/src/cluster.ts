// The local cluster, driven with kubectl as cluster-admin (the test's own identity); the dashboard
// and the operator see only the tokens made here.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../..');
export const outputDir = join(repoRoot, 'test-output', 'dashboard-e2e');
export const kubeconfig = process.env['KUBECONFIG'] || join(repoRoot, '.cluster', 'kubeconfig');

/** The samples' repository as the local cluster's git daemon serves it (docs/samples.md). */
export const SAMPLES_REPO = 'git://10.88.0.1/tofu-samples';

export function kubectl(args: string[], input?: string): string {
  if (!existsSync(kubeconfig)) throw new Error(`no kubeconfig at ${kubeconfig}: start the local cluster with \`npm run cluster -- up\``);
  return execFileSync('kubectl', ['--kubeconfig', kubeconfig, ...args], {
    encoding: 'utf8',
    ...(input === undefined ? {} : { input }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

export function apply(manifest: object): void {
  kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager=tofu-operator-tests', '-f', '-'], JSON.stringify(manifest));
}

/** The CRDs and the operator's own RBAC, as the operator integration suite installs them. */
export function installCrdsAndRbac(): void {
  for (const f of readdirSync(join(repoRoot, 'crds')).filter((f) => f.endsWith('.yaml')))
    kubectl(['apply', '--server-side', '--force-conflicts', '-f', join(repoRoot, 'crds', f)]);
  kubectl(['apply', '--server-side', '--force-conflicts', '-f', join(repoRoot, 'deploy', 'rbac', 'operator.yaml')]);
  kubectl([
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    'crd/tofumodules.tofu-operator.io',
    'crd/tofustacks.tofu-operator.io',
    'crd/tofuexecutions.tofu-operator.io',
  ]);
}

/** A namespace for this run, with the restricted Pod Security Standard the runner pods meet. */
export function newNamespace(prefix: string): string {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  apply({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { 'tofu-operator.io/test': 'dashboard-e2e', 'pod-security.kubernetes.io/enforce': 'restricted' } },
  });
  return name;
}

export function deleteNamespace(name: string): void {
  kubectl(['delete', 'namespace', name, '--ignore-not-found', '--wait=false']);
}

/**
 * A ServiceAccount bound to a Role with `verbs` on the three resources in `ns` (and on runs' logs,
 * `tofuexecutions/log`, ADR 0010), and a token of it.
 */
export function serviceAccountToken(ns: string, name: string, verbs: string[]): string {
  apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns } });
  apply({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name, namespace: ns },
    rules: [{ apiGroups: ['tofu-operator.io'], resources: ['tofumodules', 'tofustacks', 'tofuexecutions', 'tofuexecutions/log'], verbs }],
  });
  apply({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name, namespace: ns },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: [{ kind: 'ServiceAccount', name, namespace: ns }],
  });
  return kubectl(['create', 'token', name, '-n', ns, '--duration=2h']).trim();
}

/** A kubeconfig that authenticates as the operator's ServiceAccount (its real RBAC). */
export function operatorKubeconfig(): string {
  const token = kubectl(['create', 'token', 'tofu-operator', '-n', 'tofu-operator-system', '--duration=2h']).trim();
  const cfg = JSON.parse(kubectl(['config', 'view', '--raw', '--minify', '-o', 'json'])) as {
    clusters: { name: string; cluster: Record<string, unknown> }[];
  };
  const cluster = cfg.clusters[0];
  if (!cluster) throw new Error('the admin kubeconfig has no cluster');
  const file = join(outputDir, 'operator.kubeconfig');
  mkdirSync(outputDir, { recursive: true });
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [cluster],
      users: [{ name: 'tofu-operator', user: { token } }],
      contexts: [{ name: 'operator', context: { cluster: cluster.name, user: 'tofu-operator' } }],
      'current-context': 'operator',
    }),
    { mode: 0o600 },
  );
  return file;
}

/** Publishes files as a git repository that runner pods can clone; returns its URL. */
export function serveRepo(name: string, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), `tofu-dash-${name}-`));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const out = execFileSync('bash', [join(repoRoot, 'tools/cluster/cluster.sh'), 'serve-git', dir, name], { encoding: 'utf8' });
  return out.trim().split('\n').pop() ?? '';
}

/** A free TCP port on localhost. */
export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` returns a truthy value; fails with `what` and the last error after the timeout. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 30_000,
  intervalMs = 250,
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
