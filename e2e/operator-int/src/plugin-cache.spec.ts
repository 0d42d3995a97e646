// The shared plugin cache (TOFU_OPERATOR_PLUGIN_CACHE_CLAIM) with real runner pods, real tofu and
// the local cluster's provider network mirror: a module planned while the namespace has no claim of
// that name runs without a cache (its Job mounts nothing, the pod starts); then a hostPath
// PersistentVolume under /tmp of this single node, pre-bound to a claim of that name, is mounted by
// every later run. The first run with it downloads the provider's zip from the mirror into the
// cache; the second run (another module, its own pod) asks the mirror for the provider's metadata
// only, never for the zip, and the cache directory on the node holds the provider's binary.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Labels, type ResourceType, type TofuExecution, type TofuModule } from '@tofu-operator/api-types';
import {
  admin,
  deleteNamespace,
  installCrdsAndRbac,
  listExecutions,
  listJobs,
  listPods,
  newNamespace,
  operatorKubeconfig,
  OperatorProcess,
  outputDir,
  Pods,
  repoRoot,
  serveRepo,
  TofuModules,
  waitFor,
} from './harness.js';

const PersistentVolumes: ResourceType = {
  group: '',
  version: 'v1',
  plural: 'persistentvolumes',
  kind: 'PersistentVolume',
  namespaced: false,
};
const PersistentVolumeClaims: ResourceType = {
  group: '',
  version: 'v1',
  plural: 'persistentvolumeclaims',
  kind: 'PersistentVolumeClaim',
  namespaced: true,
};
const ServiceAccounts: ResourceType = { group: '', version: 'v1', plural: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true };
const Roles: ResourceType = { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'roles', kind: 'Role', namespaced: true };
const RoleBindings: ResourceType = {
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  plural: 'rolebindings',
  kind: 'RoleBinding',
  namespaced: true,
};
interface PodWithIp {
  metadata: { name?: string };
  status?: { podIP?: string; startTime?: string };
}
interface Claim {
  metadata: { name?: string };
  status?: { phase?: string };
}

const CLAIM = 'tofu-plugins';
const RUNNER_SA = 'configmap-runner';
const PROVIDER = 'registry.tofu-operator.local/tofu-operator/k8sconfigmap';
const ZIP = `/${PROVIDER}/terraform-provider-k8sconfigmap_0.1.0_linux_amd64.zip`;
const META = `/${PROVIDER}/0.1.0.json`;
const MIRROR_LOG = join(repoRoot, '.cluster/logs/provider-mirror.log');

/** A line of the mirror's log: `<time> <ip> <method> <path> <status>`. */
interface MirrorRequest {
  time: number;
  ip: string;
  path: string;
}

function mirrorRequests(): MirrorRequest[] {
  return readFileSync(MIRROR_LOG, 'utf8')
    .split('\n')
    .map((line) => line.split(' '))
    .filter((f) => f.length === 5 && f[2] === 'GET' && f[4] === '200')
    .map((f) => ({ time: Date.parse(f[0] ?? ''), ip: f[1] ?? '', path: f[3] ?? '' }));
}

describe('a shared plugin cache: a PersistentVolumeClaim of the namespace (real runner pods)', () => {
  let operator: OperatorProcess;
  let ns: string;
  let cacheDir: string;
  let pvName: string;

  before(async () => {
    await installCrdsAndRbac();
    ns = await newNamespace('plugin-cache');
    await admin.create(ServiceAccounts, ns, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: RUNNER_SA } });
    await admin.create(Roles, ns, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: RUNNER_SA },
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }],
    });
    await admin.create(RoleBindings, ns, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: RUNNER_SA },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: RUNNER_SA },
      subjects: [{ kind: 'ServiceAccount', name: RUNNER_SA, namespace: ns }],
    });
    // The node is this machine: the volume's directory is made here, writable by the runner's user.
    cacheDir = mkdtempSync('/tmp/tofu-plugin-cache-');
    chmodSync(cacheDir, 0o777);
    pvName = `${ns}-plugins`;
    operator = new OperatorProcess(await operatorKubeconfig(), {
      TOFU_OPERATOR_WATCH_NAMESPACE: ns,
      TOFU_OPERATOR_PLUGIN_CACHE_CLAIM: CLAIM,
    });
    operator.start();
    await operator.waitUntilLeading();
  });

  after(async () => {
    const log = operator?.log() ?? '';
    await operator?.stop();
    writeFileSync(join(outputDir, `plugin-cache-${process.pid}.operator.log`), log);
    if (ns) await deleteNamespace(ns);
    if (pvName) await admin.delete(PersistentVolumes, undefined, pvName).catch(() => undefined);
    if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  });

  const code = () => readFileSync(join(repoRoot, 'samples/modules/configmap/main.tf'), 'utf8');

  async function plan(module: string): Promise<TofuExecution> {
    const repo = serveRepo(`e2e-plugin-cache-${module}`, { 'configmap/main.tf': code() });
    await admin.create<TofuModule>(TofuModules, ns, {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuModule',
      metadata: { name: module, namespace: ns },
      spec: {
        source: { repository: repo, revision: 'main', workdir: 'configmap' },
        executionTemplate: {
          serviceAccountName: RUNNER_SA,
          automountServiceAccountToken: true,
          env: [
            { name: 'TF_VAR_namespace', value: ns },
            { name: 'TF_VAR_name', value: `cm-${module}` },
          ],
        },
      },
    });
    const run = await waitFor(
      `the plan of ${module} to finish`,
      async () => {
        const e = (await listExecutions(ns)).find((x) => x.spec.moduleRef?.name === module);
        return e && ['Succeeded', 'Failed'].includes(e.status?.phase ?? '') ? e : undefined;
      },
      300_000,
      1_000,
    );
    assert.equal(run.status?.phase, 'Succeeded', `${module}: ${run.status?.message}`);
    assert.match(run.status?.summary?.text ?? '', /1 to add, 0 to change, 0 to destroy/);
    return run;
  }

  /** The run's pod: its IP and the time window in which it asked the mirror for anything. */
  async function podOf(run: TofuExecution): Promise<{ ip: string; from: number; to: number }> {
    const name = (await listPods(ns)).find((p) => p.metadata?.labels?.[Labels.execution] === run.metadata.name)?.metadata?.name;
    assert.ok(name, `the pod of ${run.metadata.name}`);
    const pod = await admin.get<PodWithIp>(Pods, ns, name);
    const ip = pod.status?.podIP;
    const from = Date.parse(pod.status?.startTime ?? '');
    assert.ok(ip && !Number.isNaN(from), `the pod of ${run.metadata.name} with its IP and start time`);
    return { ip, from: from - 1_000, to: Date.parse(run.status?.completionTime ?? '') + 1_000 };
  }

  function requestsOf(pod: { ip: string; from: number; to: number }): string[] {
    return mirrorRequests()
      .filter((r) => r.ip === pod.ip && r.time >= pod.from && r.time <= pod.to)
      .map((r) => r.path);
  }

  async function cacheVolume(run: TofuExecution) {
    const job = (await listJobs(ns)).find((j) => j.metadata?.name === run.metadata.name);
    assert.ok(job, `the Job of ${run.metadata.name}`);
    const spec = job.spec?.template.spec;
    const env = Object.fromEntries((spec?.containers[0]?.env ?? []).map((e) => [e.name, e.value]));
    return { volume: spec?.volumes?.find((v) => v.name === 'plugin-cache'), cacheEnv: env['TOFU_OPERATOR_PLUGIN_CACHE_DIR'] };
  }

  it('runs without a cache while the namespace has no claim, then a second run takes the provider from the cache', async () => {
    // No claim yet: no volume, no cache directory, and the pod starts and downloads (never Pending).
    const none = await plan('no-claim');
    assert.deepEqual(await cacheVolume(none), { volume: undefined, cacheEnv: undefined });
    assert.ok(requestsOf(await podOf(none)).includes(ZIP), 'without a cache the run downloads the zip');

    await admin.create(PersistentVolumes, undefined, {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: pvName },
      spec: {
        capacity: { storage: '1Gi' },
        accessModes: ['ReadWriteMany'],
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: '',
        hostPath: { path: cacheDir, type: 'Directory' },
        claimRef: { namespace: ns, name: CLAIM },
      },
    });
    await admin.create(PersistentVolumeClaims, ns, {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: CLAIM },
      spec: { accessModes: ['ReadWriteMany'], storageClassName: '', volumeName: pvName, resources: { requests: { storage: '1Gi' } } },
    });
    await waitFor(
      `claim ${CLAIM} Bound`,
      async () => (await admin.get<Claim>(PersistentVolumeClaims, ns, CLAIM)).status?.phase === 'Bound',
      60_000,
    );

    // The first run with the claim fills the cache from the mirror.
    const first = await plan('first');
    assert.deepEqual(await cacheVolume(first), {
      volume: { name: 'plugin-cache', persistentVolumeClaim: { claimName: CLAIM } },
      cacheEnv: '/var/cache/tofu-plugins',
    });
    assert.ok(requestsOf(await podOf(first)).includes(ZIP), 'the first run with the cache downloads the zip');
    const binary = join(cacheDir, PROVIDER, '0.1.0/linux_amd64/terraform-provider-k8sconfigmap_v0.1.0');
    assert.ok(existsSync(binary), `the cache holds ${binary}`);

    // The second run (another module, another pod) asks the mirror which versions exist, and takes
    // the package from the cache.
    const second = await plan('second');
    assert.equal((await cacheVolume(second)).volume?.persistentVolumeClaim?.claimName, CLAIM);
    const asked = requestsOf(await podOf(second));
    assert.ok(asked.includes(META), `the second run reached the mirror for the metadata: ${asked.join(', ')}`);
    assert.equal(asked.includes(ZIP), false, `the second run did not download the zip: ${asked.join(', ')}`);
    assert.ok(existsSync(binary), 'the provider is still in the cache');
  });
});
