// A real provider's resource, installed offline, on the local node with real runner pods and real
// tofu: the module samples/modules/configmap (the project's own provider
// registry.tofu-operator.local/tofu-operator/k8sconfigmap, served by the local cluster's provider
// network mirror, https with a cluster-CA certificate) runs with its own ServiceAccount, allowed to
// manage ConfigMaps in its namespace only. autoApply creates the ConfigMap with the module's data;
// an edit by hand is drift the next plan shows (1 to change) and the apply reverts; a ConfigMap
// deleted by hand is created again; a destroy request removes it. samples/configmap.yaml, applied
// as it is in the test's namespace, creates its ConfigMap from spec.variables with its own narrow Role.
// Without a token (the default) the plan fails with the provider's message saying what it needs.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Annotations, type ResourceType, type TofuExecution, type TofuModule } from '@tofu-operator/api-types';
import { isNotFound } from '@tofu-operator/reconcile-runtime';
import {
  admin,
  applyFile,
  deleteNamespace,
  installCrdsAndRbac,
  listExecutions,
  listJobs,
  newNamespace,
  operatorKubeconfig,
  OperatorProcess,
  outputDir,
  repoRoot,
  serveRepo,
  TofuModules,
  waitFor,
} from './harness.js';

const ConfigMaps: ResourceType = { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true };
const ServiceAccounts: ResourceType = { group: '', version: 'v1', plural: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true };
const Roles: ResourceType = { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'roles', kind: 'Role', namespaced: true };
const RoleBindings: ResourceType = {
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  plural: 'rolebindings',
  kind: 'RoleBinding',
  namespaced: true,
};
interface ConfigMap {
  apiVersion?: string;
  kind?: string;
  metadata: { name?: string; namespace?: string; labels?: Record<string, string>; resourceVersion?: string };
  data?: Record<string, string>;
}

const TERMINAL = ['Succeeded', 'Failed'];
const MANAGED = 'managed-settings';
const RUNNER_SA = 'configmap-runner';

describe('a provider from the network mirror manages a ConfigMap (real runner pods)', () => {
  let operator: OperatorProcess;
  let ns: string;
  const seen: string[] = [];

  const newest = async () =>
    (await listExecutions(ns)).sort((a, b) =>
      (b.metadata.annotations?.[Annotations.createdAt] ?? '').localeCompare(a.metadata.annotations?.[Annotations.createdAt] ?? ''),
    );

  /** The next finished run of `action` of the module not seen before; it must have succeeded. */
  async function nextRun(action: string, module = 'cm'): Promise<TofuExecution> {
    const run = await waitFor(
      `a finished ${action} of ${module} other than ${seen.join(', ') || 'none'}`,
      async () => {
        const e = (await newest()).find(
          (x) => x.spec.action === action && x.spec.moduleRef?.name === module && !seen.includes(x.metadata.name ?? ''),
        );
        return e && TERMINAL.includes(e.status?.phase ?? '') ? e : undefined;
      },
      300_000,
      1_000,
    );
    seen.push(run.metadata.name ?? '');
    assert.equal(run.status?.phase, 'Succeeded', `${action} ${run.metadata.name}: ${run.status?.message}`);
    return run;
  }

  async function annotate(key: string): Promise<void> {
    const module = await admin.get<TofuModule>(TofuModules, ns, 'cm');
    await admin.replace<TofuModule>(TofuModules, ns, 'cm', {
      ...module,
      metadata: { ...module.metadata, annotations: { ...module.metadata.annotations, [key]: new Date().toISOString() } },
    });
  }

  const managed = () => admin.get<ConfigMap>(ConfigMaps, ns, MANAGED);

  before(async () => {
    await installCrdsAndRbac();
    ns = await newNamespace('provider-mirror');
    // The runner's own identity: ConfigMaps in this namespace, nothing else.
    await admin.create(ServiceAccounts, ns, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: RUNNER_SA } });
    await admin.create(Roles, ns, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: RUNNER_SA },
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'create', 'update', 'delete'] }],
    });
    await admin.create(RoleBindings, ns, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: RUNNER_SA },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: RUNNER_SA },
      subjects: [{ kind: 'ServiceAccount', name: RUNNER_SA, namespace: ns }],
    });
    operator = new OperatorProcess(await operatorKubeconfig(), { TOFU_OPERATOR_WATCH_NAMESPACE: ns });
    operator.start();
    await operator.waitUntilLeading();
  });

  after(async () => {
    const log = operator?.log() ?? '';
    await operator?.stop();
    writeFileSync(join(outputDir, `provider-mirror-${process.pid}.operator.log`), log);
    if (ns) await deleteNamespace(ns);
  });

  it('applies the ConfigMap, shows an edit by hand as drift, recreates a deleted one, and a destroy removes it', async () => {
    const code = readFileSync(join(repoRoot, 'samples/modules/configmap/main.tf'), 'utf8');
    const repo = serveRepo('e2e-provider-mirror', { 'configmap/main.tf': code });
    await admin.create<TofuModule>(TofuModules, ns, {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuModule',
      metadata: { name: 'cm', namespace: ns },
      spec: {
        source: { repository: repo, revision: 'main', workdir: 'configmap' },
        autoApply: true,
        executionTemplate: {
          serviceAccountName: RUNNER_SA,
          automountServiceAccountToken: true,
          env: [
            { name: 'TF_VAR_namespace', value: ns },
            { name: 'TF_VAR_name', value: MANAGED },
            { name: 'TF_VAR_data', value: '{ greeting = "hello", owner = "provider-mirror.spec" }' },
          ],
        },
      },
    });

    const plan = await nextRun('plan');
    assert.equal(plan.status?.plan?.hasChanges, true);
    assert.match(plan.status?.summary?.text ?? '', /1 to add, 0 to change, 0 to destroy/);
    const apply = await nextRun('apply');
    assert.equal(apply.status?.apply?.add, 1, JSON.stringify(apply.status?.apply));
    let cm = await managed();
    assert.deepEqual(cm.data, { greeting: 'hello', owner: 'provider-mirror.spec' });
    assert.equal(cm.metadata.labels?.['app.kubernetes.io/managed-by'], 'terraform-provider-k8sconfigmap');

    // The runner got the mirror and its CA from the operator, and ran as the module's ServiceAccount.
    const job = (await listJobs(ns)).find((j) => j.metadata?.name === plan.metadata.name);
    const pod = job?.spec?.template.spec;
    assert.equal(pod?.serviceAccountName, RUNNER_SA);
    const env = Object.fromEntries((pod?.containers[0]?.env ?? []).map((e) => [e.name, e.value]));
    assert.equal(env['TOFU_OPERATOR_PROVIDER_MIRROR_URL'], 'https://10.88.0.1:8443/');
    assert.ok(env['TOFU_OPERATOR_PROVIDER_MIRROR_CA_FILE'], 'the runner is given the CA file');
    const mirrorLog = readFileSync(join(repoRoot, '.cluster/logs/provider-mirror.log'), 'utf8');
    assert.match(
      mirrorLog,
      /GET \/registry\.tofu-operator\.local\/tofu-operator\/k8sconfigmap\/terraform-provider-k8sconfigmap_0\.1\.0_linux_amd64\.zip 200/,
    );

    // Drift: someone edits the ConfigMap; the next plan changes it back, and autoApply does.
    await admin.replace<ConfigMap>(ConfigMaps, ns, MANAGED, { ...cm, data: { greeting: 'edited by hand', owner: 'provider-mirror.spec' } });
    await annotate(Annotations.requestedAt);
    const drift = await nextRun('plan');
    assert.equal(drift.status?.plan?.hasChanges, true, drift.status?.summary?.text);
    assert.match(drift.status?.summary?.text ?? '', /0 to add, 1 to change, 0 to destroy/);
    const revert = await nextRun('apply');
    assert.equal(revert.status?.apply?.change, 1, JSON.stringify(revert.status?.apply));
    cm = await managed();
    assert.equal(cm.data?.['greeting'], 'hello');

    // Deleted by hand: the read answers 404, tofu forgets it and plans to create it again.
    await admin.delete(ConfigMaps, ns, MANAGED);
    await annotate(Annotations.requestedAt);
    const gone = await nextRun('plan');
    assert.match(gone.status?.summary?.text ?? '', /1 to add, 0 to change, 0 to destroy/);
    await nextRun('apply');
    assert.deepEqual((await managed()).data, { greeting: 'hello', owner: 'provider-mirror.spec' });

    // A destroy request: planned, applied by autoApply, and the ConfigMap is gone.
    await annotate(Annotations.destroyRequestedAt);
    const destroyPlan = await nextRun('plan');
    assert.equal(destroyPlan.spec.destroy, true);
    assert.match(destroyPlan.status?.summary?.text ?? '', /0 to add, 0 to change, 1 to destroy/);
    const destroy = await nextRun('destroy');
    assert.equal(destroy.status?.apply?.destroy, 1, JSON.stringify(destroy.status?.apply));
    await assert.rejects(managed(), (err: unknown) => isNotFound(err), 'the ConfigMap is deleted');
  });

  it('samples/configmap.yaml applies its ConfigMap with spec.variables and a Role for that ConfigMap alone', async () => {
    // The sample as it is, in this namespace, with the module code served under a name of this test.
    const repo = serveRepo('e2e-provider-mirror-sample', {
      'configmap/main.tf': readFileSync(join(repoRoot, 'samples/modules/configmap/main.tf'), 'utf8'),
    });
    const sample = readFileSync(join(repoRoot, 'samples/configmap.yaml'), 'utf8');
    assert.match(sample, /repository: git:\/\/10\.88\.0\.1\/tofu-samples/);
    const file = join(mkdtempSync(join(tmpdir(), 'provider-mirror-sample-')), 'configmap.yaml');
    writeFileSync(
      file,
      sample
        .replaceAll('namespace: default', `namespace: ${ns}`)
        .replace('repository: git://10.88.0.1/tofu-samples', `repository: ${repo}`),
    );
    await applyFile(file);
    const plan = await nextRun('plan', 'configmap');
    assert.match(plan.status?.summary?.text ?? '', /1 to add, 0 to change, 0 to destroy/);
    await nextRun('apply', 'configmap');
    const cm = await admin.get<ConfigMap>(ConfigMaps, ns, 'sample-managed-settings');
    assert.deepEqual(cm.data, { greeting: 'hello from tofu', owner: 'samples/configmap.yaml' });
  });

  it('without a ServiceAccount token the plan fails saying what the provider needs', async () => {
    const repo = serveRepo('e2e-provider-mirror-no-token', {
      'configmap/main.tf': readFileSync(join(repoRoot, 'samples/modules/configmap/main.tf'), 'utf8'),
    });
    await admin.create<TofuModule>(TofuModules, ns, {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuModule',
      metadata: { name: 'no-token', namespace: ns },
      spec: {
        source: { repository: repo, revision: 'main', workdir: 'configmap' },
        executionTemplate: { env: [{ name: 'TF_VAR_namespace', value: ns }] },
      },
    });
    const plan = await waitFor(
      'the plan of no-token to finish',
      async () => {
        const e = (await newest()).find((x) => x.spec.moduleRef?.name === 'no-token');
        return e && TERMINAL.includes(e.status?.phase ?? '') ? e : undefined;
      },
      300_000,
      1_000,
    );
    assert.equal(plan.status?.phase, 'Failed');
    // The provider was installed from the mirror (init passed) and refused to run without a token.
    const message = (plan.status?.message ?? '').replace(/\s+/g, ' ');
    assert.match(message, /no ServiceAccount token at \/var\/run\/secrets\/kubernetes\.io\/serviceaccount\/token/);
    assert.match(message, /automountServiceAccountToken: true/);
    assert.doesNotMatch(message, /requires explicit configuration/, 'the module configures the provider (an empty block)');
  });
});
