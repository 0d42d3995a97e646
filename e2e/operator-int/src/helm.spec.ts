// The Helm chart (deploy/helm/tofu-operator) installed for real: `helm install` into its own
// namespace with the images `cluster up` imports, the sample TofuModule (samples/module.yaml, the
// served samples repository) planned by the installed operator, a `helm upgrade` of one value, then
// `helm uninstall` leaving nothing of the release behind: no namespaced object with the release's label, no ClusterRole, binding,
// webhook or admission policy of it, no release record, and (the chart's post-delete hook) not the
// Lease and runner-key Secret the operator wrote at run time either. The CRDs stay: Helm never
// deletes what it installed from crds/ (docs/deployment.md).
//
// Other specs run the operator as a host process watching every namespace; this release watches only
// its test namespace (operator.watchNamespace) and holds its Lease in its own namespace, so neither
// reconciles the other's objects. Its cluster-scoped objects are named after the release, so the
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
const CHART = join(repoRoot, 'deploy/helm/tofu-operator');
// The local node has no cluster DNS: runner pods reach the runner API at a fixed ClusterIP (the local
// overlay uses 10.96.80.82 for the same reason).
const CLUSTER_IP = '10.96.80.84';
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

describe('the Helm chart: helm install, a plan of the sample, helm uninstall', () => {
  let releaseNs = '';
  let watchedNs = '';
  let installed = false;
  let clusterBefore: string[] = [];
  const timings: Record<string, number> = {};

  before(async () => {
    const nodes = await admin.request<{ items: Node[] }>('GET', '/api/v1/nodes');
    const have = new Set(nodes.items.flatMap((n) => n.status?.images?.flatMap((i) => i.names ?? []) ?? []));
    const missing = IMAGES.filter((i) => !have.has(`docker.io/library/${i}`));
    assert.deepEqual(missing, [], `the node lacks ${missing.join(', ')}: run \`npm run cluster -- up\` (it builds and imports them)`);
    const services = await admin.request<{ items: Service[] }>('GET', '/api/v1/services');
    const taken = services.items.find((s) => s.spec?.clusterIP === CLUSTER_IP);
    assert.equal(taken, undefined, `${CLUSTER_IP} is taken by ${taken?.metadata?.namespace}/${taken?.metadata?.name}`);
    assert.equal(names(kubectl(['get', CLUSTER_KINDS.join(','), '-l', `app.kubernetes.io/instance=${RELEASE}`, '-o', 'name'])).length, 0);

    releaseNs = await newNamespace('helm');
    watchedNs = await newNamespace('helm-watched');
    clusterBefore = names(kubectl(['get', [...CLUSTER_KINDS, 'customresourcedefinitions'].join(','), '-o', 'name']));
  });

  after(async () => {
    if (installed) {
      // Only when the uninstall test did not get that far.
      try {
        helm(['uninstall', RELEASE, '--namespace', releaseNs, '--wait', '--timeout', '3m']);
      } catch (err) {
        if (!/not found/.test(String((err as { stderr?: unknown }).stderr ?? err))) throw err;
      }
    }
    if (watchedNs) await deleteNamespace(watchedNs);
    if (releaseNs) await deleteNamespace(releaseNs);
    console.log(`helm timings (ms): ${JSON.stringify(timings)}`);
  });

  it('installs: the operator and the dashboard roll out, the CRDs stay as they were', () => {
    const started = Date.now();
    const out = helm([
      'install',
      RELEASE,
      CHART,
      '--namespace',
      releaseNs,
      '--set',
      'image.pullPolicy=Never',
      '--set',
      'operator.replicas=1',
      '--set',
      'dashboard.replicas=1',
      '--set',
      `operator.watchNamespace=${watchedNs}`,
      '--set',
      `operator.service.clusterIP=${CLUSTER_IP}`,
      '--set',
      `operator.runnerApiUrl=http://${CLUSTER_IP}:8082`,
      '--wait',
      '--timeout',
      '4m',
    ]);
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
    const own = names(kubectl(['get', CLUSTER_KINDS.join(','), '-l', `app.kubernetes.io/instance=${RELEASE}`, '-o', 'name']));
    assert.ok(own.includes(`clusterrole.rbac.authorization.k8s.io/${RELEASE}`), own.join(' '));
    assert.ok(own.includes(`validatingadmissionpolicy.admissionregistration.k8s.io/${RELEASE}-approval`), own.join(' '));
  });

  it('plans the sample TofuModule (samples/module.yaml) with the installed operator', async () => {
    for (const name of ['tofu-operator', 'tofu-operator-dashboard']) {
      const d = await admin.request<Deployment>('GET', `/apis/apps/v1/namespaces/${releaseNs}/deployments/${name}`);
      assert.equal(d.status?.readyReplicas, 1, `${name} Ready`);
    }
    const sample = parse(readFileSync(join(repoRoot, 'samples/module.yaml'), 'utf8')) as TofuModule;
    const started = Date.now();
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
    timings['plan'] = Date.now() - started;
    assert.equal(execution.status?.phase, 'Succeeded', execution.status?.message ?? '');
    assert.equal(execution.status?.summary?.text, 'Plan: 2 to add, 0 to change, 0 to destroy.');
    // It was this release's operator: the one holding the Lease in the release namespace.
    const lease = await admin.request<Lease>('GET', `/apis/coordination.k8s.io/v1/namespaces/${releaseNs}/leases/${LEASE}`);
    const pods = await admin.request<{ items: Pod[] }>('GET', `/api/v1/namespaces/${releaseNs}/pods`, {
      query: { labelSelector: 'app.kubernetes.io/name=tofu-operator,app.kubernetes.io/component=operator' },
    });
    const holder = lease.spec?.holderIdentity ?? '';
    assert.ok(
      pods.items.some((p) => holder.startsWith(`${p.metadata?.name ?? '?'}_`)),
      `the Lease holder ${holder} is a pod of the release`,
    );
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
    const started = Date.now();
    helm(['uninstall', RELEASE, '--namespace', releaseNs, '--wait', '--timeout', '3m']);
    installed = false;
    timings['uninstall'] = Date.now() - started;

    assert.deepEqual(names(helm(['list', '--all', '--namespace', releaseNs, '-q'])), [], 'no release record');
    const labelled = names(
      kubectl(['get', namespacedKinds(), '-n', releaseNs, '-l', `app.kubernetes.io/instance=${RELEASE}`, '-o', 'name']),
    );
    assert.deepEqual(labelled, [], 'no namespaced object of the release');
    const clusterLabelled = names(kubectl(['get', CLUSTER_KINDS.join(','), '-l', `app.kubernetes.io/instance=${RELEASE}`, '-o', 'name']));
    assert.deepEqual(clusterLabelled, [], 'no cluster-scoped object of the release');
    // Also by name, and nothing else came or went: the cluster-scoped objects are the ones before.
    assert.deepEqual(names(kubectl(['get', [...CLUSTER_KINDS, 'customresourcedefinitions'].join(','), '-o', 'name'])), clusterBefore);

    await waitFor(
      'the release pods gone',
      async () => (await admin.request<{ items: Pod[] }>('GET', `/api/v1/namespaces/${releaseNs}/pods`)).items.length === 0,
      120_000,
      500,
    );
    // What is left in the namespace: what every namespace has, nothing else (the hook's own
    // ServiceAccount, Role, binding and Job went when it succeeded).
    const left = names(kubectl(['get', namespacedKinds(), '-n', releaseNs, '-o', 'name']));
    assert.deepEqual(left, ['configmap/kube-root-ca.crt', 'serviceaccount/default']);

    // The CRDs are kept (Helm's policy for crds/), so the user's objects are too.
    const modules = await admin.request<{ items: TofuModule[] }>(
      'GET',
      `/apis/tofu-operator.io/v1alpha1/namespaces/${watchedNs}/tofumodules`,
    );
    assert.deepEqual(
      modules.items.map((m) => m.metadata.name),
      ['hello'],
    );
  });
});
