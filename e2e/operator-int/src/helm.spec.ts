// The Helm chart (deploy/helm/tofu-operator) installed for real: `helm install` into its own
// namespace with the images `cluster up` imports, the sample TofuModule (samples/module.yaml, the
// served samples repository) planned by the installed operator, a `helm upgrade` of one value, then
// `helm uninstall` leaving nothing of the release behind: no namespaced object with the release's label, no ClusterRole, binding,
// webhook or admission policy of it, no release record, and (the chart's post-delete hook) not the
// Lease and runner-key Secret the operator wrote at run time either. The CRDs stay: Helm never
// deletes what it installed from crds/ (docs/deployment.md).
//
// A second, lighter release (no dashboard, no upgrade) has rbac.namespaced: its operator's grants are a
// Role in the watched namespace (deploy/rbac/namespaced), only the reviews are cluster-wide. It plans
// the sample there, the API server refuses its account Jobs and Secrets anywhere else, and its
// uninstall takes the Roles of both namespaces with it.
//
// Other specs run the operator as a host process watching every namespace; these releases watch only
// their test namespace (operator.watchNamespace) and hold their Lease in their own namespace, so none
// reconciles another's objects. Their cluster-scoped objects are named after the release, so the
// base's (tofu-operator, tofu-operator-approval, ...) that the other specs install are not touched.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { TofuModule } from '@tofu-operator/api-types';
import type { KubeObject, Pod } from '@tofu-operator/reconcile-runtime';
import { admin, deleteNamespace, kubeconfigPath, listExecutions, newNamespace, repoRoot, TofuModules, waitFor } from './harness.js';

const RELEASE = 'tofu-operator-helm-e2e';
const NS_RELEASE = 'tofu-operator-helm-ns-e2e';
const CHART = join(repoRoot, 'deploy/helm/tofu-operator');
// The local node has no cluster DNS: runner pods reach the runner API at a fixed ClusterIP (the local
// overlay uses 10.96.80.82 for the same reason), one per release.
const CLUSTER_IP = '10.96.80.84';
const NS_CLUSTER_IP = '10.96.80.85';
const IMAGES = ['tofu-operator:0.1.0', 'tofu-operator-dashboard:0.1.0', 'tofu-operator-runner:0.1.0'];
const LEASE = 'tofu-operator-leader';
const KEY_SECRET = 'tofu-operator-runner-key';
const CLUSTER_KINDS = [
  'clusterroles',
  'clusterrolebindings',
  'validatingadmissionpolicies',
  'validatingadmissionpolicybindings',
  'validatingwebhookconfigurations',
  'mutatingwebhookconfigurations',
];

function run(cmd: string, args: string[]): string {
  return execFileSync('bash', [join(repoRoot, cmd), ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KUBECONFIG: kubeconfigPath },
    maxBuffer: 64 * 1024 * 1024,
  });
}
/** helm as the test command builds it (tools/helm/helm.sh: from the Go module proxy, cached by version). */
const helm = (args: string[]): string => run('tools/helm/helm.sh', args);
/** The local cluster's own kubectl build. */
const kubectl = (args: string[]): string => run('tools/cluster/cluster.sh', ['kubectl', '--kubeconfig', kubeconfigPath, ...args]);
const names = (out: string): string[] => out.split('\n').filter(Boolean).sort();

interface Deployment extends KubeObject {
  status?: { readyReplicas?: number };
}
interface Lease extends KubeObject {
  spec?: { holderIdentity?: string };
}
interface Node extends KubeObject {
  status?: { images?: { names?: string[] }[] };
}
interface Service extends KubeObject {
  spec?: { clusterIP?: string };
}

/** Every namespaced kind that can be listed, for "nothing of the release is left here". */
function namespacedKinds(): string {
  return names(kubectl(['api-resources', '--namespaced=true', '--verbs=list', '-o', 'name']))
    .filter((k) => k !== 'events' && k !== 'events.events.k8s.io')
    .join(',');
}

/** The cluster-scoped objects labelled as the release's. */
const clusterObjectsOf = (release: string): string[] =>
  names(kubectl(['get', CLUSTER_KINDS.join(','), '-l', `app.kubernetes.io/instance=${release}`, '-o', 'name']));
/** Every cluster-scoped object of the kinds a release may own, and the CRDs. */
const clusterObjects = (): string[] => names(kubectl(['get', [...CLUSTER_KINDS, 'customresourcedefinitions'].join(','), '-o', 'name']));

/** Before a release is installed: the images are on the node, its ClusterIP is free, nothing of it is left. */
async function preflight(release: string, clusterIp: string): Promise<void> {
  const nodes = await admin.request<{ items: Node[] }>('GET', '/api/v1/nodes');
  const have = new Set(nodes.items.flatMap((n) => n.status?.images?.flatMap((i) => i.names ?? []) ?? []));
  const missing = IMAGES.filter((i) => !have.has(`docker.io/library/${i}`));
  assert.deepEqual(missing, [], `the node lacks ${missing.join(', ')}: run \`npm run cluster -- up\` (it builds and imports them)`);
  const services = await admin.request<{ items: Service[] }>('GET', '/api/v1/services');
  const taken = services.items.find((s) => s.spec?.clusterIP === clusterIp);
  assert.equal(taken, undefined, `${clusterIp} is taken by ${taken?.metadata?.namespace}/${taken?.metadata?.name}`);
  assert.deepEqual(clusterObjectsOf(release), []);
}

/** helm install with the local cluster's settings (images of the node, one replica, a fixed ClusterIP) and `sets`. */
function install(release: string, namespace: string, clusterIp: string, sets: string[]): string {
  return helm([
    'install',
    release,
    CHART,
    '--namespace',
    namespace,
    ...['image.pullPolicy=Never', 'operator.replicas=1', `operator.service.clusterIP=${clusterIp}`]
      .concat(`operator.runnerApiUrl=http://${clusterIp}:8082`, sets)
      .flatMap((v) => ['--set', v]),
    '--wait',
    '--timeout',
    '4m',
  ]);
}

/** helm uninstall, when `installed` (an earlier step failed): for the after hooks. */
function uninstallIfInstalled(installed: boolean, release: string, namespace: string): void {
  if (!installed) return;
  try {
    helm(['uninstall', release, '--namespace', namespace, '--wait', '--timeout', '3m']);
  } catch (err) {
    if (!/not found/.test(String((err as { stderr?: unknown }).stderr ?? err))) throw err;
  }
}

/**
 * Creates the sample TofuModule in `watchedNs` and waits for its plan, which must succeed with the
 * sample's summary and be the work of the release's operator (the one holding the Lease in `releaseNs`).
 */
async function planSample(watchedNs: string, releaseNs: string): Promise<void> {
  const sample = parse(readFileSync(join(repoRoot, 'samples/module.yaml'), 'utf8')) as TofuModule;
  await admin.create<TofuModule>(TofuModules, watchedNs, { ...sample, metadata: { ...sample.metadata, namespace: watchedNs } });
  const execution = await waitFor(
    'the sample plan to finish',
    async () => {
      const e = (await listExecutions(watchedNs)).find((x) => x.spec.moduleRef?.name === sample.metadata.name);
      return e?.status?.phase === 'Succeeded' || e?.status?.phase === 'Failed' ? e : undefined;
    },
    240_000,
    500,
  );
  assert.equal(execution.status?.phase, 'Succeeded', execution.status?.message ?? '');
  assert.equal(execution.status?.summary?.text, 'Plan: 2 to add, 0 to change, 0 to destroy.');
  const lease = await admin.request<Lease>('GET', `/apis/coordination.k8s.io/v1/namespaces/${releaseNs}/leases/${LEASE}`);
  const pods = await admin.request<{ items: Pod[] }>('GET', `/api/v1/namespaces/${releaseNs}/pods`, {
    query: { labelSelector: 'app.kubernetes.io/name=tofu-operator,app.kubernetes.io/component=operator' },
  });
  const holder = lease.spec?.holderIdentity ?? '';
  assert.ok(
    pods.items.some((p) => holder.startsWith(`${p.metadata?.name ?? '?'}_`)),
    `the Lease holder ${holder} is a pod of the release`,
  );
}

/**
 * helm uninstall, then nothing of the release anywhere: no release record, no object with its label
 * in its namespace or the watched one, no cluster-scoped object of it (and the cluster's are the
 * ones before), its namespace as a new one is; the sample module stays (Helm keeps the CRDs).
 */
async function uninstallLeavingNothing(
  release: string,
  releaseNs: string,
  watchedNs: string,
  clusterBefore: string[],
  timings: Record<string, number>,
): Promise<void> {
  let started = Date.now();
  helm(['uninstall', release, '--namespace', releaseNs, '--wait', '--timeout', '3m']);
  timings['uninstall'] = Date.now() - started;
  assert.deepEqual(names(helm(['list', '--all', '--namespace', releaseNs, '-q'])), [], 'no release record');
  const kinds = namespacedKinds();
  for (const ns of [releaseNs, watchedNs]) {
    const labelled = names(kubectl(['get', kinds, '-n', ns, '-l', `app.kubernetes.io/instance=${release}`, '-o', 'name']));
    assert.deepEqual(labelled, [], `no object of the release in ${ns}`);
  }
  assert.deepEqual(clusterObjectsOf(release), [], 'no cluster-scoped object of the release');
  // Also by name: none of the project's cluster-scoped objects there before (the base's, the CRDs) went,
  // none named after the release came. Others' (a benchmark's) may come and go meanwhile: the cluster
  // is shared.
  const now = clusterObjects();
  assert.deepEqual(
    clusterBefore.filter((n) => n.includes('tofu-operator') && !now.includes(n)),
    [],
    'cluster-scoped objects of tofu-operator that were there before',
  );
  assert.deepEqual(
    now.filter((n) => !clusterBefore.includes(n) && n.includes(release)),
    [],
    'cluster-scoped objects named after the release',
  );

  started = Date.now();
  await waitFor(
    'the release pods gone',
    async () => (await admin.request<{ items: Pod[] }>('GET', `/api/v1/namespaces/${releaseNs}/pods`)).items.length === 0,
    120_000,
    500,
  );
  timings['pods gone'] = Date.now() - started;
  // What is left in the namespace: what every namespace has, nothing else (the hook's own
  // ServiceAccount, Role, binding and Job went when it succeeded).
  assert.deepEqual(names(kubectl(['get', kinds, '-n', releaseNs, '-o', 'name'])), ['configmap/kube-root-ca.crt', 'serviceaccount/default']);

  // The CRDs are kept (Helm's policy for crds/), so the user's objects are too.
  const modules = await admin.request<{ items: TofuModule[] }>(
    'GET',
    `/apis/tofu-operator.io/v1alpha1/namespaces/${watchedNs}/tofumodules`,
  );
  assert.deepEqual(
    modules.items.map((m) => m.metadata.name),
    ['hello'],
  );
}

describe('the Helm chart: helm install, a plan of the sample, helm uninstall', () => {
  let releaseNs = '';
  let watchedNs = '';
  let installed = false;
  let clusterBefore: string[] = [];
  const timings: Record<string, number> = {};

  before(async () => {
    await preflight(RELEASE, CLUSTER_IP);
    releaseNs = await newNamespace('helm');
    watchedNs = await newNamespace('helm-watched');
    clusterBefore = clusterObjects();
  });

  after(async () => {
    // Only when the uninstall test did not get that far.
    uninstallIfInstalled(installed, RELEASE, releaseNs);
    if (watchedNs) await deleteNamespace(watchedNs);
    if (releaseNs) await deleteNamespace(releaseNs);
    console.log(`helm timings (ms): ${JSON.stringify(timings)}`);
  });

  it('installs: the operator and the dashboard roll out, the CRDs stay as they were', () => {
    const started = Date.now();
    const out = install(RELEASE, releaseNs, CLUSTER_IP, ['dashboard.replicas=1', `operator.watchNamespace=${watchedNs}`]);
    installed = true;
    timings['install'] = Date.now() - started;
    assert.match(out, /STATUS: deployed/);
    const status = JSON.parse(helm(['status', RELEASE, '--namespace', releaseNs, '-o', 'json'])) as { info: { status: string } };
    assert.equal(status.info.status, 'deployed');
    // The CRDs existed before (installed by the other specs): Helm skips what exists in crds/.
    assert.deepEqual(
      names(kubectl(['get', 'customresourcedefinitions', '-o', 'name'])).filter((n) => n.endsWith('.tofu-operator.io')),
      clusterBefore.filter((n) => n.startsWith('customresourcedefinition') && n.endsWith('.tofu-operator.io')),
    );
    // The release's own cluster-scoped objects, named after it.
    const own = clusterObjectsOf(RELEASE);
    assert.ok(own.includes(`clusterrole.rbac.authorization.k8s.io/${RELEASE}`), own.join(' '));
    assert.ok(own.includes(`validatingadmissionpolicy.admissionregistration.k8s.io/${RELEASE}-approval`), own.join(' '));
  });

  it('plans the sample TofuModule (samples/module.yaml) with the installed operator', async () => {
    for (const name of ['tofu-operator', 'tofu-operator-dashboard']) {
      const d = await admin.request<Deployment>('GET', `/apis/apps/v1/namespaces/${releaseNs}/deployments/${name}`);
      assert.equal(d.status?.readyReplicas, 1, `${name} Ready`);
    }
    const started = Date.now();
    await planSample(watchedNs, releaseNs);
    timings['plan'] = Date.now() - started;
  });

  it('upgrades in place (helm upgrade --reuse-values): revision 2, the operator rolled with the new value', async () => {
    const started = Date.now();
    helm([
      'upgrade',
      RELEASE,
      CHART,
      '--namespace',
      releaseNs,
      '--reuse-values',
      '--set',
      'operator.logLevel=debug',
      '--wait',
      '--timeout',
      '4m',
    ]);
    timings['upgrade'] = Date.now() - started;
    const status = JSON.parse(helm(['status', RELEASE, '--namespace', releaseNs, '-o', 'json'])) as {
      version: number;
      info: { status: string };
    };
    assert.deepEqual([status.version, status.info.status], [2, 'deployed']);
    const d = await admin.request<
      Deployment & { spec: { template: { spec: { containers: { env?: { name: string; value?: string }[] }[] } } } }
    >('GET', `/apis/apps/v1/namespaces/${releaseNs}/deployments/tofu-operator`);
    const env = d.spec.template.spec.containers[0]?.env ?? [];
    assert.equal(env.find((e) => e.name === 'LOG_LEVEL')?.value, 'debug');
    // --reuse-values kept the install's values.
    assert.equal(env.find((e) => e.name === 'TOFU_OPERATOR_WATCH_NAMESPACE')?.value, watchedNs);
    assert.equal(d.status?.readyReplicas, 1);
  });

  it('uninstalls leaving nothing of the release behind (the CRDs and the sample module stay)', async () => {
    // What the operator wrote at run time, unknown to Helm: the uninstall hook's to delete.
    const runtime = names(kubectl(['get', 'leases,secrets', '-n', releaseNs, '-o', 'name']));
    assert.deepEqual(runtime, [
      `lease.coordination.k8s.io/${LEASE}`,
      `secret/sh.helm.release.v1.${RELEASE}.v1`,
      `secret/sh.helm.release.v1.${RELEASE}.v2`,
      `secret/${KEY_SECRET}`,
    ]);
    await uninstallLeavingNothing(RELEASE, releaseNs, watchedNs, clusterBefore, timings);
    installed = false;
  });
});

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
}
interface ClusterRoleBinding extends KubeObject {
  roleRef: { kind: string; name: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
}

describe('the Helm chart with rbac.namespaced: the operator works with Roles in the watched namespace only', () => {
  let releaseNs = '';
  let watchedNs = '';
  let installed = false;
  let clusterBefore: string[] = [];
  const timings: Record<string, number> = {};
  const instance = `app.kubernetes.io/instance=${NS_RELEASE}`;

  before(async () => {
    await preflight(NS_RELEASE, NS_CLUSTER_IP);
    releaseNs = await newNamespace('helm-ns');
    watchedNs = await newNamespace('helm-ns-watched');
    clusterBefore = clusterObjects();
  });

  after(async () => {
    uninstallIfInstalled(installed, NS_RELEASE, releaseNs);
    if (watchedNs) await deleteNamespace(watchedNs);
    if (releaseNs) await deleteNamespace(releaseNs);
    console.log(`helm rbac.namespaced timings (ms): ${JSON.stringify(timings)}`);
  });

  it('installs: the operator rolls out with a Role in the watched namespace instead of its ClusterRole', () => {
    const started = Date.now();
    install(NS_RELEASE, releaseNs, NS_CLUSTER_IP, [
      'dashboard.enabled=false',
      `operator.watchNamespace=${watchedNs}`,
      'rbac.namespaced=true',
    ]);
    installed = true;
    timings['install'] = Date.now() - started;
    const own = clusterObjectsOf(NS_RELEASE).filter((n) => n.startsWith('clusterrole'));
    assert.deepEqual(
      own,
      [
        `clusterrole.rbac.authorization.k8s.io/${NS_RELEASE}-approver`,
        `clusterrole.rbac.authorization.k8s.io/${NS_RELEASE}-edit`,
        `clusterrole.rbac.authorization.k8s.io/${NS_RELEASE}-metrics-reader`,
        `clusterrole.rbac.authorization.k8s.io/${NS_RELEASE}-reviews`,
        `clusterrole.rbac.authorization.k8s.io/${NS_RELEASE}-view`,
        `clusterrolebinding.rbac.authorization.k8s.io/${NS_RELEASE}-reviews`,
      ],
      'no ClusterRole or ClusterRoleBinding named the release itself (the cluster-wide grants)',
    );
    assert.deepEqual(names(kubectl(['get', 'roles,rolebindings', '-n', watchedNs, '-l', instance, '-o', 'name'])), [
      'role.rbac.authorization.k8s.io/tofu-operator',
      'rolebinding.rbac.authorization.k8s.io/tofu-operator',
    ]);
    assert.deepEqual(names(kubectl(['get', 'roles,rolebindings', '-n', releaseNs, '-l', instance, '-o', 'name'])), [
      'role.rbac.authorization.k8s.io/tofu-operator-leader-election',
      'role.rbac.authorization.k8s.io/tofu-operator-runner-key',
      'rolebinding.rbac.authorization.k8s.io/tofu-operator-leader-election',
      'rolebinding.rbac.authorization.k8s.io/tofu-operator-runner-key',
    ]);
  });

  it("the operator's account is bound cluster-wide to the reviews only, and the API server refuses it Jobs and Secrets elsewhere", async () => {
    const bindings = await admin.request<{ items: ClusterRoleBinding[] }>('GET', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings');
    const bound = bindings.items.filter((b) =>
      b.subjects?.some((s) => s.kind === 'ServiceAccount' && s.name === 'tofu-operator' && s.namespace === releaseNs),
    );
    assert.deepEqual(
      bound.map((b) => `${b.metadata?.name ?? ''} -> ${b.roleRef.kind}/${b.roleRef.name}`),
      [`${NS_RELEASE}-reviews -> ClusterRole/${NS_RELEASE}-reviews`],
    );
    const reviews = await admin.request<{ rules: Rule[] }>('GET', `/apis/rbac.authorization.k8s.io/v1/clusterroles/${NS_RELEASE}-reviews`);
    assert.deepEqual(reviews.rules.flatMap((r) => r.resources ?? []).sort(), ['subjectaccessreviews', 'tokenreviews']);

    // What the API server answers for the account (with the groups every ServiceAccount has).
    const cases: [verb: string, group: string, resource: string, namespace: string | undefined][] = [
      ['create', 'batch', 'jobs', watchedNs],
      ['get', '', 'secrets', watchedNs],
      ['list', 'tofu-operator.io', 'tofumodules', watchedNs],
      ['create', 'authorization.k8s.io', 'subjectaccessreviews', undefined],
      ['list', 'batch', 'jobs', undefined],
      ['create', 'batch', 'jobs', 'default'],
      ['list', '', 'secrets', undefined],
      ['get', '', 'secrets', 'default'],
      ['list', '', 'pods', 'default'],
      ['list', 'tofu-operator.io', 'tofumodules', undefined],
      ['list', '', 'namespaces', undefined],
    ];
    const answers = await Promise.all(
      cases.map(async ([verb, group, resource, namespace]) => {
        const sar = await admin.request<{ status: { allowed: boolean } }>('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
          body: {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SubjectAccessReview',
            spec: {
              user: `system:serviceaccount:${releaseNs}:tofu-operator`,
              groups: ['system:serviceaccounts', `system:serviceaccounts:${releaseNs}`, 'system:authenticated'],
              resourceAttributes: { verb, group, resource, ...(namespace ? { namespace } : {}) },
            },
          },
        });
        return `${verb} ${resource} in ${namespace === watchedNs ? 'the watched namespace' : (namespace ?? 'all namespaces')}: ${sar.status.allowed ? 'allowed' : 'denied'}`;
      }),
    );
    assert.deepEqual(answers, [
      'create jobs in the watched namespace: allowed',
      'get secrets in the watched namespace: allowed',
      'list tofumodules in the watched namespace: allowed',
      'create subjectaccessreviews in all namespaces: allowed',
      'list jobs in all namespaces: denied',
      'create jobs in default: denied',
      'list secrets in all namespaces: denied',
      'get secrets in default: denied',
      'list pods in default: denied',
      'list tofumodules in all namespaces: denied',
      'list namespaces in all namespaces: denied',
    ]);
  });

  it('plans the sample TofuModule in the watched namespace with those grants', async () => {
    const started = Date.now();
    await planSample(watchedNs, releaseNs);
    timings['plan'] = Date.now() - started;
  });

  it('uninstalls leaving nothing: no Role or RoleBinding in either namespace, no ClusterRole of the release', async () => {
    const runtime = names(kubectl(['get', 'leases,secrets', '-n', releaseNs, '-o', 'name']));
    assert.deepEqual(runtime, [`lease.coordination.k8s.io/${LEASE}`, `secret/sh.helm.release.v1.${NS_RELEASE}.v1`, `secret/${KEY_SECRET}`]);
    await uninstallLeavingNothing(NS_RELEASE, releaseNs, watchedNs, clusterBefore, timings);
    installed = false;
    // Unlabelled too: the watched namespace holds no grant of any kind any more.
    assert.deepEqual(names(kubectl(['get', 'roles,rolebindings', '-n', watchedNs, '-o', 'name'])), []);
  });
});
