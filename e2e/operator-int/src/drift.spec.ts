// Drift detection (issue 13, docs/guides/drift.md) on the local cluster with real runner pods, real
// tofu and a real provider: the module samples/modules/configmap manages a ConfigMap through the
// project's k8sconfigmap provider from the provider network mirror. After autoApply has applied it,
// the first scheduled check (driftDetection interval 1m, at a per-module offset after the apply)
// finds nothing: Drifted False. The ConfigMap edited by hand: the next check (asked for with the
// drift-check-requested-at annotation) is a plan at the commit applied, Drifted True with the counts
// and the resource address, a DriftDetected Event, never applied in mode Detect (the approve
// annotation is refused). Mode Approve leaves the drift plan waiting for approval (pendingPlan);
// mode AutoApply applies it and the ConfigMap is restored. A stack without driftDetection uses its
// module's, and an operator restart re-runs no check: the schedule is read from status.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, type ResourceType, type TofuExecution, type TofuModule, type TofuStack } from '@tofu-operator/api-types';
import type { KubeObject } from '@tofu-operator/reconcile-runtime';
import {
  admin,
  deleteNamespace,
  installCrdsAndRbac,
  listExecutions,
  newNamespace,
  operatorKubeconfig,
  OperatorProcess,
  outputDir,
  repoRoot,
  serveRepo,
  TofuExecutions,
  TofuModules,
  TofuStacks,
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
const Events: ResourceType = { group: 'events.k8s.io', version: 'v1', plural: 'events', kind: 'Event', namespaced: true };
interface ConfigMap {
  metadata: { name?: string; resourceVersion?: string };
  data?: Record<string, string>;
}
interface Event extends KubeObject {
  reason?: string;
  note?: string;
  type?: string;
  regarding?: { name?: string; kind?: string };
}

const MANAGED = 'drift-managed';
const RUNNER_SA = 'drift-runner';
const ADDRESS = 'k8sconfigmap_config_map.this';
/** A run on the node (clone, provider install from the mirror, plan or apply). */
const RUN_MS = 240_000;
const FINISHED = ['Succeeded', 'Failed'];

describe('drift detection with a real provider (real runner pods)', () => {
  let operator: OperatorProcess;
  let ns: string;

  const module = () => admin.get<TofuModule>(TofuModules, ns, 'cm');
  const drifted = async () => (await module()).status?.conditions?.find((c) => c.type === 'Drifted');
  const checks = async () => (await listExecutions(ns)).filter((e) => e.spec.purpose === 'DriftCheck');
  const managed = () => admin.get<ConfigMap>(ConfigMaps, ns, MANAGED);

  async function editByHand(greeting: string): Promise<void> {
    const cm = await managed();
    await admin.replace<ConfigMap>(ConfigMaps, ns, MANAGED, { ...cm, data: { ...cm.data, greeting } });
  }

  /** Merges `patch` into the module (annotations and spec), re-reading it on conflict. */
  async function changeModule(change: (m: TofuModule) => TofuModule): Promise<void> {
    await waitFor('the module updated', async () => {
      try {
        await admin.replace<TofuModule>(TofuModules, ns, 'cm', change(await module()));
        return true;
      } catch {
        return false;
      }
    });
  }
  const requestCheck = (value: string) =>
    changeModule((m) => ({
      ...m,
      metadata: { ...m.metadata, annotations: { ...m.metadata.annotations, [Annotations.driftCheckRequestedAt]: value } },
    }));

  /** The finished drift check a request made, by the trigger it records. */
  async function requestedCheck(value: string): Promise<TofuExecution> {
    const check = await waitFor(
      `the drift check of request ${value} finished`,
      async () =>
        (await checks()).find(
          (e) => e.metadata.annotations?.[Annotations.trigger] === `drift/r${value}` && FINISHED.includes(e.status?.phase ?? ''),
        ),
      RUN_MS,
      1_000,
    );
    assert.equal(check.status?.phase, 'Succeeded', `${check.metadata.name}: ${check.status?.message}`);
    return check;
  }

  /** Waits until every execution of the module has finished and the newest plan of changes was applied. */
  async function settled(what: string): Promise<void> {
    await waitFor(
      what,
      async () => {
        const all = await listExecutions(ns);
        if (all.length === 0 || all.some((e) => !FINISHED.includes(e.status?.phase ?? ''))) return false;
        const m = await module();
        return (
          m.status?.lastExecution?.action === 'apply' &&
          m.status.lastExecution.phase === 'Succeeded' &&
          m.metadata.generation === m.status.observedGeneration
        );
      },
      RUN_MS * 2,
      1_000,
    );
  }

  before(async () => {
    await installCrdsAndRbac();
    ns = await newNamespace('drift');
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
    writeFileSync(join(outputDir, `drift-${process.pid}.operator.log`), log);
    if (ns) await deleteNamespace(ns);
  });

  it('reports no drift on the untouched object, drift after an edit by hand (Detect), waits in Approve, restores in AutoApply', async () => {
    const repo = serveRepo('e2e-drift', { 'configmap/main.tf': readFileSync(join(repoRoot, 'samples/modules/configmap/main.tf'), 'utf8') });
    await admin.create<TofuModule>(TofuModules, ns, {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuModule',
      metadata: { name: 'cm', namespace: ns },
      spec: {
        source: { repository: repo, revision: 'main', workdir: 'configmap', pollInterval: '0' },
        autoApply: true,
        // The generated type says every value is an object; a variable's value is any JSON value.
        variables: { namespace: ns, name: MANAGED, data: { greeting: 'hello', owner: 'drift.spec' } } as unknown as Record<
          string,
          Record<string, unknown>
        >,
        driftDetection: { interval: '1m' },
        executionTemplate: { serviceAccountName: RUNNER_SA, automountServiceAccountToken: true, activeDeadlineSeconds: 600 },
      },
    });
    await settled('the first plan applied');
    assert.equal((await managed()).data?.['greeting'], 'hello');
    const appliedCommit = (await module()).status?.source?.commit;
    assert.match(appliedCommit ?? '', /^[0-9a-f]{40}$/, 'status.source.commit is the commit planned');

    // (1) The scheduled first check, within the interval after the apply, on the untouched object.
    const first = await waitFor(
      'the first scheduled drift check finished',
      async () =>
        (await checks()).find(
          (e) => e.metadata.annotations?.[Annotations.trigger]?.startsWith('drift/t') && FINISHED.includes(e.status?.phase ?? ''),
        ),
      60_000 + RUN_MS,
      1_000,
    );
    assert.equal(first.status?.phase, 'Succeeded', first.status?.message);
    assert.equal(first.spec.commit, appliedCommit, 'a drift check plans the commit applied');
    assert.equal(first.status?.plan?.hasChanges, false, first.status?.summary?.text);
    const clean = await waitFor('Drifted False', async () => ((await drifted())?.status === 'False' ? drifted() : undefined));
    assert.equal(clean?.reason, 'NoDrift');
    let status = (await module()).status;
    assert.equal(status?.drift?.drifted, false);
    assert.ok(status?.drift?.lastCheckTime && status.drift.nextCheckTime, JSON.stringify(status?.drift));
    assert.ok(Date.parse(status.drift.nextCheckTime) > Date.parse(status.drift.lastCheckTime), 'the next check comes after the last');
    assert.equal(status?.lastExecution?.action, 'apply', 'a drift check is not the last run');
    assert.equal(status?.phase, 'Succeeded');

    // (2) Edited by hand: the next check finds it; mode Detect reports and never applies.
    await editByHand('edited by hand');
    await requestCheck('detect');
    const found = await requestedCheck('detect');
    assert.equal(found.status?.plan?.hasChanges, true);
    assert.equal(found.spec.commit, appliedCommit);
    const isDrifted = await waitFor('Drifted True', async () => ((await drifted())?.status === 'True' ? drifted() : undefined), 30_000);
    assert.equal(isDrifted?.reason, 'DriftDetected');
    assert.match(isDrifted?.message ?? '', new RegExp(`^0 to add, 1 to change, 0 to destroy: ${ADDRESS.replace('.', '\\.')}`));
    status = (await module()).status;
    assert.deepEqual(status?.drift?.counts, { add: 0, change: 1, destroy: 0 });
    assert.deepEqual(status?.drift?.resources, [ADDRESS]);
    assert.equal(status?.pendingPlan, undefined, 'mode Detect: nothing waits for approval');
    const events = (await admin.list<Event>(Events, ns)).items;
    assert.ok(
      events.some((e) => e.reason === 'DriftDetected' && e.type === 'Warning' && e.regarding?.name === 'cm'),
      JSON.stringify(events.map((e) => [e.reason, e.regarding?.name])),
    );
    const own = await waitFor('the drift plan says it is not applied', async () => {
      const x = await admin.get<TofuExecution>(TofuExecutions, ns, found.metadata.name ?? '');
      return x.status?.conditions?.find((c) => c.type === 'AwaitingApproval' && c.reason === 'DriftCheckNotApplied');
    });
    assert.equal(own.status, 'False');
    // The approve annotation with the right digest is refused: nothing applies a Detect drift plan.
    const digest = found.status?.plan?.digest ?? '';
    const plan = await admin.get<TofuExecution>(TofuExecutions, ns, found.metadata.name ?? '');
    await admin.replace<TofuExecution>(TofuExecutions, ns, found.metadata.name ?? '', {
      ...plan,
      metadata: { ...plan.metadata, annotations: { ...plan.metadata.annotations, [Annotations.approve]: digest } },
    });
    await waitFor('a Warning Event refusing the approval', async () =>
      (await admin.list<Event>(Events, ns)).items.some(
        (e) => e.reason === 'DriftCheckNotApplied' && e.regarding?.name === found.metadata.name,
      ),
    );
    assert.equal((await listExecutions(ns)).filter((e) => e.spec.planRef?.name === found.metadata.name).length, 0);
    assert.equal((await managed()).data?.['greeting'], 'edited by hand');

    // (3) Mode Approve. The spec change plans and autoApply puts the drift right (Drifted False);
    // a new edit's drift plan then waits for approval, and is not applied by autoApply.
    await changeModule((m) => ({ ...m, spec: { ...m.spec, driftDetection: { interval: '1m', mode: 'Approve' } } }));
    await settled('the spec change applied');
    assert.equal((await managed()).data?.['greeting'], 'hello', 'the apply of the new plan reverted the edit');
    const righted = await waitFor(
      'Drifted False after the apply',
      async () => ((await drifted())?.status === 'False' ? drifted() : undefined),
      30_000,
    );
    assert.equal(righted?.reason, 'NoDrift');
    await editByHand('edited again');
    await requestCheck('approve');
    const waiting = await waitFor(
      'a drift plan waiting for approval',
      async () => {
        const m = await module();
        const pending = m.status?.pendingPlan?.name;
        const x = pending ? (await checks()).find((e) => e.metadata.name === pending) : undefined;
        return x && m.status?.conditions?.some((c) => c.type === 'AwaitingApproval' && c.status === 'True') ? x : undefined;
      },
      RUN_MS,
      1_000,
    );
    assert.equal(waiting.status?.plan?.hasChanges, true);
    assert.equal((await drifted())?.status, 'True');
    // autoApply is on, yet the drift plan waits: the drift mode decides.
    await new Promise((r) => setTimeout(r, 5_000));
    assert.equal((await listExecutions(ns)).filter((e) => e.spec.planRef?.name === waiting.metadata.name).length, 0);
    assert.equal((await managed()).data?.['greeting'], 'edited again');

    // (4) Mode AutoApply: the spec change reverts the edit; the next edit's drift plan is applied.
    await changeModule((m) => ({ ...m, spec: { ...m.spec, driftDetection: { interval: '1m', mode: 'AutoApply' } } }));
    await settled('the spec change applied');
    await editByHand('edited a third time');
    await requestCheck('autoapply');
    const autoApplied = await waitFor(
      'the apply of a drift plan succeeded',
      async () => {
        const all = await listExecutions(ns);
        const driftPlans = new Set(all.filter((e) => e.spec.purpose === 'DriftCheck').map((e) => e.metadata.name));
        return all.find((e) => e.spec.action === 'apply' && driftPlans.has(e.spec.planRef?.name) && e.status?.phase === 'Succeeded');
      },
      RUN_MS * 2,
      1_000,
    );
    assert.ok(autoApplied.spec.planRef);
    assert.equal((await managed()).data?.['greeting'], 'hello', 'the ConfigMap is restored');
    const restored = await waitFor(
      'Drifted False after the drift apply',
      async () => ((await drifted())?.status === 'False' ? drifted() : undefined),
      30_000,
    );
    assert.match(restored?.message ?? '', /put right by/);
    // Quiet drift checks are kept to the last few.
    assert.ok((await checks()).filter((e) => e.status?.plan?.hasChanges === false).length <= 3);
  });

  it("a stack inherits its module's driftDetection; an operator restart re-runs no check (the schedule is in status)", async () => {
    const repo = serveRepo('e2e-drift-stack', {
      'configmap/main.tf': readFileSync(join(repoRoot, 'samples/modules/configmap/main.tf'), 'utf8'),
    });
    await admin.create<TofuModule>(TofuModules, ns, {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuModule',
      metadata: { name: 'base', namespace: ns },
      spec: {
        // The module plans too (and waits for approval); the stack applies its own ConfigMap.
        source: { repository: repo, revision: 'main', workdir: 'configmap', pollInterval: '0' },
        variables: { namespace: ns, name: 'drift-module-unused' } as unknown as Record<string, Record<string, unknown>>,
        driftDetection: { interval: '1h' },
        executionTemplate: { serviceAccountName: RUNNER_SA, automountServiceAccountToken: true, activeDeadlineSeconds: 600 },
      },
    });
    await admin.create<TofuStack>(TofuStacks, ns, {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuStack',
      metadata: { name: 'st', namespace: ns },
      spec: {
        moduleRef: { name: 'base' },
        autoApply: true,
        variables: { name: 'drift-stack-managed', data: { from: 'stack' } } as unknown as Record<string, Record<string, unknown>>,
      },
    });
    const stack = () => admin.get<TofuStack>(TofuStacks, ns, 'st');
    await waitFor(
      'the stack applied',
      async () => {
        const st = await stack();
        return st.status?.lastExecution?.action === 'apply' && st.status.lastExecution.phase === 'Succeeded';
      },
      RUN_MS * 2,
      1_000,
    );
    const st = await stack();
    await admin.replace<TofuStack>(TofuStacks, ns, 'st', {
      ...st,
      metadata: { ...st.metadata, annotations: { ...st.metadata.annotations, [Annotations.driftCheckRequestedAt]: 'stack-1' } },
    });
    const checked = await waitFor(
      "the stack's Drifted condition from its requested check",
      async () => {
        const s = await stack();
        const c = s.status?.conditions?.find((x) => x.type === 'Drifted');
        return c?.status === 'False' && s.status?.drift?.lastCheckExecution ? s : undefined;
      },
      RUN_MS,
      1_000,
    );
    const check = await admin.get<TofuExecution>(TofuExecutions, ns, checked.status?.drift?.lastCheckExecution ?? '');
    assert.equal(check.spec.stackRef?.name, 'st');
    assert.equal(check.spec.purpose, 'DriftCheck');
    const next = checked.status?.drift?.nextCheckTime ?? '';
    assert.ok(Date.parse(next) > Date.now() + 50 * 60_000, `the module's 1h interval: next check at ${next}`);

    // A restart: the new process reads the schedule from status and checks nothing now.
    const stackChecks = async () => (await checks()).filter((e) => e.spec.stackRef?.name === 'st').length;
    const before = await stackChecks();
    await operator.stop();
    writeFileSync(join(outputDir, `drift-${process.pid}-first.operator.log`), operator.log());
    operator = new OperatorProcess(await operatorKubeconfig(), { TOFU_OPERATOR_WATCH_NAMESPACE: ns });
    operator.start();
    await operator.waitUntilLeading();
    // Its first reconciles of every object come within seconds of leading.
    await new Promise((r) => setTimeout(r, 20_000));
    assert.equal(await stackChecks(), before, 'no drift check after the restart');
    assert.equal((await stack()).status?.drift?.nextCheckTime, next, 'the schedule is unchanged');
  });
});
