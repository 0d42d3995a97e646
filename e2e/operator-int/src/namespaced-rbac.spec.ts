// Issue 14, item 10: with TOFU_OPERATOR_WATCH_NAMESPACE the operator needs no cluster-wide grant on
// Jobs, pods, logs or Secrets. deploy/overlays/namespaced renders the namespaced RBAC variant
// (deploy/rbac/namespaced); this test binds exactly its Role, ClusterRole and the Lease Role to a
// ServiceAccount of its own (the real `tofu-operator` account keeps its cluster-wide binding for the
// other tests), runs the operator as that account and plans a real module (real runner pod, real
// tofu, real git) in the watched namespace; the account cannot list Jobs or read Secrets elsewhere.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { TofuModule } from '@tofu-operator/api-types';
import { KubeApiError, KubeClient, KubeConfig, manifestKinds, type KubeObject } from '@tofu-operator/reconcile-runtime';
import {
  admin,
  deleteNamespace,
  freePort,
  installCrdsAndRbac,
  kubeconfigPath,
  listExecutions,
  listJobs,
  newNamespace,
  OperatorProcess,
  outputDir,
  repoRoot,
  TofuModules,
  waitFor,
} from './harness.js';

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
}
type RbacObject = KubeObject & { rules?: Rule[]; subjects?: { kind: string; name: string; namespace?: string }[]; roleRef?: unknown };

const OPERATOR_NS = 'tofu-operator-system';
/** The watched namespace's placeholder in deploy/overlays/namespaced. */
const PLACEHOLDER = 'tofu-workloads';
/** What must never be granted cluster-wide in the namespaced variant. */
const NAMESPACED_ONLY = [
  'jobs',
  'pods',
  'pods/log',
  'secrets',
  'configmaps',
  'events',
  'leases',
  'tofumodules',
  'tofustacks',
  'tofuexecutions',
];

function render(): RbacObject[] {
  const text = execFileSync('kubectl', ['kustomize', join(repoRoot, 'deploy/overlays/namespaced')], { encoding: 'utf8' });
  return parseAllDocuments(text).map((d) => d.toJS() as RbacObject);
}

const find = (objs: RbacObject[], kind: string, name: string, namespace?: string): RbacObject => {
  const o = objs.find(
    (x) => x.kind === kind && x.metadata?.name === name && (namespace === undefined || x.metadata?.namespace === namespace),
  );
  assert.ok(o, `the namespaced overlay renders ${kind} ${namespace ? `${namespace}/` : ''}${name}`);
  return structuredClone(o);
};

describe('namespaced RBAC: the operator watching one namespace runs with Roles there only', () => {
  const suffix = randomBytes(3).toString('hex');
  const sa = `int-nsop-${suffix}`;
  let ns: string;
  let other: string;
  let token: string;
  let operator: OperatorProcess | undefined;
  let rendered: RbacObject[];

  let asSa: KubeClient;

  /** A GET as the test's ServiceAccount: the status the API server answers. */
  async function asAccount(path: string): Promise<number> {
    try {
      await asSa.request('GET', path);
      return 200;
    } catch (err) {
      if (err instanceof KubeApiError) return err.code;
      throw err;
    }
  }

  before(async () => {
    await installCrdsAndRbac();
    ns = await newNamespace('nsrbac');
    other = await newNamespace('nsrbac-other');
    rendered = render();
    const Roles = manifestKinds['Role']!;
    const RoleBindings = manifestKinds['RoleBinding']!;
    const ClusterRoles = manifestKinds['ClusterRole']!;
    const ClusterRoleBindings = manifestKinds['ClusterRoleBinding']!;
    await admin.create<KubeObject>(manifestKinds['ServiceAccount']!, OPERATOR_NS, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: sa },
    });
    // Exactly the rendered grants, bound to this test's account; the Role in the test's namespace.
    const role = find(rendered, 'Role', 'tofu-operator', PLACEHOLDER);
    role.metadata = { ...role.metadata, namespace: ns };
    await admin.apply(Roles, ns, 'tofu-operator', role);
    const binding = find(rendered, 'RoleBinding', 'tofu-operator', PLACEHOLDER);
    binding.metadata = { ...binding.metadata, namespace: ns };
    binding.subjects = [{ kind: 'ServiceAccount', name: sa, namespace: OPERATOR_NS }];
    await admin.apply(RoleBindings, ns, 'tofu-operator', binding);
    const reviews = find(rendered, 'ClusterRole', 'tofu-operator-reviews');
    await admin.apply(ClusterRoles, undefined, 'tofu-operator-reviews', reviews);
    const reviewsBinding = find(rendered, 'ClusterRoleBinding', 'tofu-operator-reviews');
    reviewsBinding.metadata = { name: sa };
    reviewsBinding.subjects = [{ kind: 'ServiceAccount', name: sa, namespace: OPERATOR_NS }];
    await admin.apply(ClusterRoleBindings, undefined, sa, reviewsBinding);
    const keyRole = find(rendered, 'Role', 'tofu-operator-runner-key', OPERATOR_NS);
    await admin.apply(Roles, OPERATOR_NS, 'tofu-operator-runner-key', keyRole);
    const keyBinding = find(rendered, 'RoleBinding', 'tofu-operator-runner-key', OPERATOR_NS);
    keyBinding.metadata = { name: `${sa}-runner-key`, namespace: OPERATOR_NS };
    keyBinding.subjects = [{ kind: 'ServiceAccount', name: sa, namespace: OPERATOR_NS }];
    await admin.apply(RoleBindings, OPERATOR_NS, `${sa}-runner-key`, keyBinding);
    const lease = find(rendered, 'RoleBinding', 'tofu-operator-leader-election', OPERATOR_NS);
    lease.metadata = { name: sa, namespace: OPERATOR_NS };
    lease.subjects = [{ kind: 'ServiceAccount', name: sa, namespace: OPERATOR_NS }];
    await admin.apply(RoleBindings, OPERATOR_NS, sa, lease);

    const tr = await admin.request<{ status: { token: string } }>('POST', `/api/v1/namespaces/${OPERATOR_NS}/serviceaccounts/${sa}/token`, {
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
    });
    token = tr.status.token;
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('admin kubeconfig has no cluster');
    const saConfig = new KubeConfig();
    saConfig.loadFromOptions({
      clusters: [cluster],
      users: [{ name: sa, token }],
      contexts: [{ name: sa, cluster: cluster.name, user: sa }],
      currentContext: sa,
    });
    const file = join(outputDir, `${sa}.kubeconfig`);
    writeFileSync(file, saConfig.exportConfig(), { mode: 0o600 });
    asSa = KubeClient.fromFile(file);
    const port = await freePort();
    operator = new OperatorProcess(file, { PORT: String(port), TOFU_OPERATOR_WATCH_NAMESPACE: ns });
    operator.start();
    await operator.waitUntilLeading();
  });

  after(async () => {
    await operator?.stop();
    await admin.delete(manifestKinds['ClusterRoleBinding']!, undefined, sa).catch(() => undefined);
    await admin.delete(manifestKinds['RoleBinding']!, OPERATOR_NS, sa).catch(() => undefined);
    await admin.delete(manifestKinds['RoleBinding']!, OPERATOR_NS, `${sa}-runner-key`).catch(() => undefined);
    await admin.delete(manifestKinds['ServiceAccount']!, OPERATOR_NS, sa).catch(() => undefined);
    await Promise.all([ns, other].filter(Boolean).map(deleteNamespace));
  });

  it('the overlay grants nothing namespaced cluster-wide and points the Role at the watched namespace', () => {
    const clusterRules = rendered
      .filter((o) => o.kind === 'ClusterRole')
      .filter((o) => rendered.some((b) => b.kind === 'ClusterRoleBinding' && (b.roleRef as { name?: string })?.name === o.metadata?.name))
      .flatMap((o) => (o.rules ?? []).map((r) => ({ role: o.metadata?.name, r })));
    const leaks = clusterRules.filter(({ r }) => (r.resources ?? []).some((res) => NAMESPACED_ONLY.includes(res) || res === '*'));
    assert.deepEqual(leaks, [], 'a ClusterRole bound to the operator grants namespaced resources');
    assert.deepEqual(
      clusterRules.flatMap(({ r }) => r.resources ?? []).sort(),
      ['subjectaccessreviews', 'tokenreviews'],
      'cluster-wide: the reviews only',
    );
    const deployment = rendered.find((o) => o.kind === 'Deployment' && o.metadata?.name === 'tofu-operator') as unknown as {
      spec: { template: { spec: { containers: { name: string; env?: { name: string; value?: string }[] }[] } } };
    };
    const env = deployment.spec.template.spec.containers.find((c) => c.name === 'operator')?.env ?? [];
    assert.equal(env.find((e) => e.name === 'TOFU_OPERATOR_WATCH_NAMESPACE')?.value, PLACEHOLDER);
    const roleRefs = rendered.filter((o) => (o.kind === 'Role' || o.kind === 'RoleBinding') && o.metadata?.name === 'tofu-operator');
    assert.deepEqual(
      roleRefs.map((o) => o.metadata?.namespace),
      [PLACEHOLDER, PLACEHOLDER],
    );
    // The API server accepts the whole rendering once the watched namespace exists.
    const text = execFileSync('kubectl', ['kustomize', join(repoRoot, 'deploy/overlays/namespaced')], { encoding: 'utf8' }).replaceAll(
      `namespace: ${PLACEHOLDER}`,
      `namespace: ${ns}`,
    );
    const dry = execFileSync('kubectl', ['apply', '--server-side', '--force-conflicts', '--dry-run=server', '-f', '-'], {
      input: text,
      encoding: 'utf8',
      env: { ...process.env, KUBECONFIG: kubeconfigPath },
    });
    assert.match(dry, new RegExp(`role.rbac.authorization.k8s.io/tofu-operator serverside-applied \\(server dry run\\)`));
  });

  it('plans a module in the watched namespace with the namespaced grants only', async () => {
    await admin.create<TofuModule>(TofuModules, ns, {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuModule',
      metadata: { name: 'hello', namespace: ns },
      spec: { source: { repository: 'git://10.88.0.1/tofu-samples', revision: 'main', workdir: 'hello' } },
    });
    // A refused request fails the test at once, naming it, instead of waiting for the plan.
    const refusedRequest = () => /403 Forbidden[^"]*/.exec(operator?.log() ?? '')?.[0];
    const run = await waitFor(
      'the plan to finish',
      async () => {
        const e = (await listExecutions(ns))[0];
        return (e && ['Succeeded', 'Failed'].includes(e.status?.phase ?? '') ? e : undefined) ?? refusedRequest();
      },
      180_000,
      1_000,
    );
    assert.equal(typeof run === 'string' ? run : undefined, undefined, 'the operator was refused a request');
    assert.ok(typeof run !== 'string');
    assert.equal(run.status?.phase, 'Succeeded', run.status?.message);
    assert.equal((await listJobs(ns)).length, 1);
    const module = await admin.get<TofuModule>(TofuModules, ns, 'hello');
    assert.ok(
      module.status?.conditions?.some((c) => c.type === 'Ready'),
      'the module has a status written by the operator',
    );
    // The stored log (TofuLogChunks) and the plan summary came through the namespaced grants.
    assert.ok(run.status?.summary, 'the plan has a summary');
    assert.doesNotMatch(operator?.log() ?? '', /forbidden/i, 'the operator was refused nothing');
  });

  it('the account cannot list Jobs or read Secrets or pod logs outside the watched namespace', async () => {
    assert.equal(await asAccount(`/apis/batch/v1/namespaces/${ns}/jobs`), 200);
    assert.equal(await asAccount(`/apis/batch/v1/namespaces/${other}/jobs`), 403);
    assert.equal(await asAccount('/apis/batch/v1/jobs'), 403);
    assert.equal(await asAccount(`/api/v1/namespaces/${other}/secrets`), 403);
    assert.equal(await asAccount(`/api/v1/namespaces/${other}/pods`), 403);
    assert.equal(await asAccount('/api/v1/namespaces'), 403);
  });
});
