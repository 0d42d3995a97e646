// The KUBECONFIG promise of README and quickstart, kept from a second checkout: a clone of the
// committed HEAD with no local cluster of its own (no .cluster), pointed with KUBECONFIG at a copy of
// the first checkout's cluster's kubeconfig. `start` (on a port of its own) must put the CRDs, the
// operator's RBAC, the samples and the sign-in ServiceAccount on that cluster, print a token that
// works there, create nothing under the clone's .cluster, and Ctrl-C must stop only what it started.
// The clone's manifests carry a marker (an annotation, an extra sample) so the test sees that they,
// and not the first checkout's, reached the cluster.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { manifestKinds, type KubeObject } from '@tofu-operator/reconcile-runtime';
import { startCli } from './cli-run.js';
import { admin, freePort, kubeconfigPath, Namespaces, repoRoot, waitFor } from './harness.js';

const CRDs = manifestKinds['CustomResourceDefinition']!;
const ClusterRoles = manifestKinds['ClusterRole']!;
const ServiceAccounts = manifestKinds['ServiceAccount']!;
const MARK = 'tofu-operator.io/test-second-checkout';
const marker = randomBytes(4).toString('hex');
const sampleName = `second-checkout-${marker}`;

const scratch = mkdtempSync(join(tmpdir(), 'tofu-operator-second-'));
const clone = join(scratch, 'checkout');
const kubeconfig = join(scratch, 'kubeconfig');

/**
 * The clone's node_modules: the first checkout's packages, but its own workspace packages (the links
 * under @tofu-operator point into the clone), so the clone runs what it builds.
 */
function linkNodeModules(): void {
  const from = join(repoRoot, 'node_modules');
  const to = join(clone, 'node_modules');
  mkdirSync(to);
  for (const entry of readdirSync(from)) {
    if (entry === '@tofu-operator') continue;
    symlinkSync(join(from, entry), join(to, entry));
  }
  mkdirSync(join(to, '@tofu-operator'));
  for (const pkg of readdirSync(join(from, '@tofu-operator'))) {
    // Relative links (../../libs/api-types): the same text resolves inside the clone.
    symlinkSync(readlinkSync(join(from, '@tofu-operator', pkg)), join(to, '@tofu-operator', pkg));
  }
}

/** Rewrites a YAML file of the clone, adding the marker annotation to the documents `pick` selects. */
function annotate(file: string, pick: (o: KubeObject) => boolean): void {
  const docs = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as KubeObject | null);
  let marked = 0;
  for (const o of docs) {
    if (!o?.metadata || !pick(o)) continue;
    o.metadata.annotations = { ...o.metadata.annotations, [MARK]: marker };
    marked++;
  }
  assert.ok(marked > 0, `nothing to mark in ${file}`);
  writeFileSync(file, docs.map((o) => stringify(o)).join('---\n'));
}

function annotation(o: KubeObject): string | undefined {
  return o.metadata?.annotations?.[MARK];
}

/** Processes whose command line mentions the clone (what its `start` ran). */
function processesOfClone(): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmd.includes(clone)) found.push(`${pid}: ${cmd}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

describe('command line from a second checkout with KUBECONFIG (no local cluster of its own)', () => {
  before(() => {
    execFileSync('git', ['clone', '--quiet', repoRoot, clone]);
    linkNodeModules();
    copyFileSync(kubeconfigPath, kubeconfig);
    annotate(join(clone, 'crds/tofumodules.tofu-operator.io.yaml'), (o) => o.kind === 'CustomResourceDefinition');
    annotate(join(clone, 'deploy/rbac/operator.yaml'), (o) => o.kind === 'ClusterRole' && o.metadata?.name === 'tofu-operator');
    writeFileSync(
      join(clone, 'samples/zz-second-checkout.yaml'),
      `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ${sampleName}\n  namespace: default\n`,
    );
  });

  after(async () => {
    rmSync(scratch, { recursive: true, force: true });
    await admin.delete(ServiceAccounts, 'default', sampleName).catch(() => undefined);
    const unmark = { metadata: { annotations: { [MARK]: null } } };
    await admin.mergePatch(CRDs, undefined, 'tofumodules.tofu-operator.io', unmark).catch(() => undefined);
    await admin.mergePatch(ClusterRoles, undefined, 'tofu-operator', unmark).catch(() => undefined);
  });

  it('start puts CRDs, RBAC, samples and the sign-in account on that cluster, prints a working token, creates no .cluster; Ctrl-C stops only what it started', async () => {
    assert.ok(!existsSync(join(clone, '.cluster')), 'the clone starts without a local cluster');
    // The sign-in ServiceAccount is created again by the clone's start (its old tokens stop working).
    await admin.delete(ServiceAccounts, 'tofu-operator-system', 'tofu-operator-dashboard-admin').catch(() => undefined);
    await waitFor('the sign-in ServiceAccount gone', async () =>
      admin.get(ServiceAccounts, 'tofu-operator-system', 'tofu-operator-dashboard-admin').then(
        () => false,
        () => true,
      ),
    );

    const port = await freePort();
    const env = { ...process.env, KUBECONFIG: kubeconfig, TOFU_OPERATOR_LEASE_NAME: `second-checkout-${marker}` };
    const run = startCli(join(clone, 'bin/tofu-operator'), ['start', '--port', String(port), '--no-dashboard'], { cwd: clone, env });
    const start = run.child;
    try {
      await run.waitForOutput('Ctrl-C stops what this command started', 480_000);
      const out = run.output();
      assert.ok(out.includes(`tofu-operator is running on ${admin.server}\n`), 'the cluster of KUBECONFIG');
      assert.match(out, /cluster: .* \(KUBECONFIG, context /, 'start says which cluster and context it uses');
      assert.doesNotMatch(out, /dashboard: +http/);

      // The clone's manifests reached the cluster KUBECONFIG names.
      assert.equal(annotation(await admin.get(CRDs, undefined, 'tofumodules.tofu-operator.io')), marker, 'the CRDs');
      assert.equal(annotation(await admin.get(ClusterRoles, undefined, 'tofu-operator')), marker, "the operator's RBAC");
      await admin.get(ServiceAccounts, 'default', sampleName); // the samples
      await admin.get(ServiceAccounts, 'tofu-operator-system', 'tofu-operator-dashboard-admin'); // the sign-in account

      // The printed token works against that cluster (the operator reviews it there).
      const token = /sign in with this token[^\n]*\n+(\S+)\n/.exec(out)?.[1];
      assert.ok(token && token.split('.').length === 3, 'a JWT to sign in with');
      const namespaces = await fetch(`http://127.0.0.1:${port}/api/v1/namespaces`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(namespaces.status, 200);
      assert.ok(((await namespaces.json()) as { items: { name: string }[] }).items.some((n) => n.name === 'default'));

      // `token` from the clone honours KUBECONFIG too.
      const again = spawnSync(join(clone, 'bin/tofu-operator'), ['token', '--duration', '10m'], {
        cwd: clone,
        env,
        encoding: 'utf8',
        timeout: 120_000,
      });
      assert.equal(again.status, 0, again.stderr);
      const second = again.stdout.trim();
      assert.equal(second.split('.').length, 3);
      const withSecond = await fetch(`http://127.0.0.1:${port}/api/v1/namespaces`, { headers: { authorization: `Bearer ${second}` } });
      assert.equal(withSecond.status, 200);

      assert.ok(!existsSync(join(clone, '.cluster')), 'nothing was created under the clone .cluster');
    } finally {
      if (start.exitCode === null) start.kill('SIGINT');
    }
    assert.equal(await run.exited, 0, run.output().slice(-3000));
    await waitFor(
      'the clone operator port to close',
      async () =>
        !(await fetch(`http://127.0.0.1:${port}/healthz`).then(
          () => true,
          () => false,
        )),
    );
    await waitFor('no process of the clone left', () => processesOfClone().length === 0, 30_000).catch((err: unknown) => {
      throw new Error(`still running: ${processesOfClone().join('\n')}`, { cause: err });
    });
    // Only what it started: the cluster it used still runs.
    await admin.list(Namespaces, undefined, { limit: 1 });
    assert.ok(!existsSync(join(clone, '.cluster')), 'nothing was created under the clone .cluster');
  });
});
