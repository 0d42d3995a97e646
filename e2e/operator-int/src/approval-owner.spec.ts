// Approvals and deletion from the owner's side (issue 11, docs/guides/approve-and-destroy.md), on the
// local node with real runner pods and real tofu, state kept by the operator: a plan with changes
// waits (AwaitingApproval, pendingPlan), a spec change supersedes it, autoApply applies and the next
// plan has no changes, deletionPolicy Destroy destroys and removes the state, Orphan keeps it, and
// switching a stuck deletion to Orphan lets the object go.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Annotations, type ResourceType, type TofuExecution, type TofuModule, type TofuStack } from '@tofu-operator/api-types';
import { isNotFound, type KubeObject } from '@tofu-operator/reconcile-runtime';
import {
  admin,
  deleteNamespace,
  installCrdsAndRbac,
  listExecutions,
  newNamespace,
  operatorKubeconfig,
  OperatorProcess,
  serveRepo,
  TofuModules,
  TofuStacks,
  waitFor,
} from './harness.js';

const Secrets: ResourceType = { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true };
const Events: ResourceType = { group: 'events.k8s.io', version: 'v1', plural: 'events', kind: 'Event', namespaced: true };
interface Event extends KubeObject {
  reason?: string;
  note?: string;
  regarding?: { name?: string; kind?: string };
}

/** A run on the node: clone, init, plan (or apply) a resource with remote state. */
const RUN_MS = 180_000;
const ONE_RESOURCE = 'resource "terraform_data" "x" {\n  input = "hello"\n}\n';

describe('approvals and deletion of a stack (real runner pods)', () => {
  let operator: OperatorProcess;
  let ns: string;
  let repo: string;

  before(async () => {
    await installCrdsAndRbac();
    repo = serveRepo('e2e-approval-owner', { 'main.tf': ONE_RESOURCE });
    ns = await newNamespace('approval-owner');
    operator = new OperatorProcess(await operatorKubeconfig(), { TOFU_OPERATOR_WATCH_NAMESPACE: ns });
    operator.start();
    await operator.waitUntilLeading();
    await admin.create<TofuModule>(TofuModules, ns, {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuModule',
      metadata: { name: 'one' },
      spec: { source: { repository: repo, revision: 'main' } },
    });
  });

  after(async () => {
    await operator?.stop();
    if (ns) await deleteNamespace(ns);
  });

  async function createStack(name: string, spec: Partial<TofuStack['spec']> = {}): Promise<void> {
    await admin.create<TofuStack>(TofuStacks, ns, {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuStack',
      metadata: { name },
      spec: { moduleRef: { name: 'one' }, ...spec },
    });
  }
  const stack = (name: string) => admin.get<TofuStack>(TofuStacks, ns, name);
  const runsOf = async (name: string) => (await listExecutions(ns)).filter((e) => e.spec.stackRef?.name === name);
  /** The stack's execution of this action that has finished, the newest first. */
  async function finished(name: string, action: TofuExecution['spec']['action'], not: string[] = []): Promise<TofuExecution> {
    return waitFor(
      `a finished ${action} of ${name}`,
      async () => {
        const xs = (await runsOf(name)).filter((e) => e.spec.action === action && !not.includes(e.metadata.name ?? ''));
        const done = xs.find((e) => e.status?.phase === 'Succeeded' || e.status?.phase === 'Failed');
        return done;
      },
      RUN_MS,
      500,
    );
  }
  /** The state's pointer and data Secrets of a stack (docs/adr/0007: tofu-state-stack-<owner>, tofu-state-data-stack-<owner>-g<n>-<i>). */
  const stateSecrets = async (name: string) =>
    (await admin.list<KubeObject>(Secrets, ns)).items.filter(
      (s) => s.metadata?.name === `tofu-state-stack-${name}` || s.metadata?.name?.startsWith(`tofu-state-data-stack-${name}-`),
    );
  async function gone(name: string): Promise<boolean> {
    try {
      await stack(name);
      return false;
    } catch (err) {
      if (isNotFound(err)) return true;
      throw err;
    }
  }

  it('a plan with changes waits on the stack (AwaitingApproval, pendingPlan); a spec change supersedes it', async () => {
    await createStack('wait');
    const first = await finished('wait', 'plan');
    assert.equal(first.status?.phase, 'Succeeded', first.status?.message);
    assert.equal(first.status?.plan?.hasChanges, true);
    const waiting = await waitFor('the stack to name the waiting plan', async () => {
      const s = await stack('wait');
      return s.status?.pendingPlan?.name === first.metadata.name ? s : undefined;
    });
    assert.equal(waiting.status?.pendingPlan?.digest, first.status?.plan?.digest);
    const condition = waiting.status?.conditions?.find((c) => c.type === 'AwaitingApproval');
    assert.equal(condition?.status, 'True');
    assert.equal(condition?.reason, 'PlanWaiting');
    assert.ok(condition?.message.includes(first.status?.plan?.digest ?? '?'), condition?.message);
    assert.equal((await runsOf('wait')).length, 1, 'nothing is applied without approval');

    // A spec change: a new plan, and the waiting one is superseded by it.
    await admin.mergePatch(TofuStacks, ns, 'wait', { spec: { executionTemplate: { env: [{ name: 'TF_VAR_unused', value: '1' }] } } });
    const second = await finished('wait', 'plan', [first.metadata.name ?? '']);
    const old = await waitFor('the first plan superseded', async () => {
      const x = (await runsOf('wait')).find((e) => e.metadata.name === first.metadata.name);
      return x?.status?.approval ? x : undefined;
    });
    assert.equal(old.status?.approval?.state, 'Superseded');
    assert.equal(old.status?.approval?.message, `superseded by ${second.metadata.name}`);
    await waitFor(
      'pendingPlan to move to the new plan',
      async () => (await stack('wait')).status?.pendingPlan?.name === second.metadata.name,
    );
    const events = (await admin.list<Event>(Events, ns)).items;
    assert.ok(
      events.some((e) => e.reason === 'PlanSuperseded' && e.regarding?.kind === 'TofuStack' && e.regarding.name === 'wait'),
      'an Event on the stack',
    );
    assert.ok(
      events.some((e) => e.reason === 'PlanSuperseded' && e.regarding?.name === first.metadata.name),
      'an Event on the plan',
    );
  });

  it('autoApply applies by itself, the next plan has no changes; Destroy on delete destroys and removes the state', async () => {
    await createStack('auto', { autoApply: true, deletionPolicy: 'Destroy' });
    await waitFor('the destroy finalizer', async () => (await stack('auto')).metadata.finalizers?.includes('tofu-operator.io/destroy'));
    const apply = await finished('auto', 'apply');
    assert.equal(apply.status?.phase, 'Succeeded', apply.status?.message);
    const plan = (await runsOf('auto')).find((e) => e.metadata.name === apply.spec.planRef?.name);
    assert.equal(plan?.status?.approval?.state, 'Approved');
    assert.equal((await stack('auto')).status?.pendingPlan, undefined);
    assert.ok((await stateSecrets('auto')).length > 0, 'the state is kept by the operator');

    await admin.mergePatch(TofuStacks, ns, 'auto', {
      metadata: { annotations: { 'tofu-operator.io/requested-at': new Date().toISOString() } },
    });
    const next = await finished('auto', 'plan', [plan?.metadata.name ?? '']);
    assert.equal(next.status?.summary?.text, 'No changes.');
    assert.equal(next.status?.plan?.hasChanges, false);

    await admin.delete(TofuStacks, ns, 'auto');
    await waitFor('the stack to go', () => gone('auto'), RUN_MS, 500);
    assert.deepEqual(await stateSecrets('auto'), [], 'the state Secrets are removed');
    // The executions went with the stack (garbage collector); the destroy's Events stay.
    const events = (await admin.list<Event>(Events, ns)).items;
    const destroyed = events.find((e) => e.reason === 'Succeeded' && e.regarding?.name?.endsWith('-destroy'));
    assert.match(
      destroyed?.note ?? '',
      /Resources: 0 added, 0 changed, 1 destroyed\./,
      'tofu destroyed the resource before the stack went',
    );
    assert.ok(
      events.some((e) => e.reason === 'PlanAutoApplied' && e.regarding?.name === 'auto' && e.note?.startsWith('autoApply: destroy ')),
      'autoApply carried out the destroy plan',
    );
  });

  it('Orphan (the default) leaves the state; Destroy without autoApply waits, and switching to Orphan lets it go at once', async () => {
    // Once the source was polled, a new stack's first plan checks out the polled commit, and it is
    // its only plan (the reconcile after it once planned the branch a second time).
    await waitFor(
      'the first poll of the source',
      async () => (await admin.get<TofuModule>(TofuModules, ns, 'one')).status?.source?.latestCommit,
    );
    await createStack('keep', { autoApply: true });
    assert.equal((await finished('keep', 'apply')).status?.phase, 'Succeeded');
    const plans = (await runsOf('keep')).filter((e) => e.spec.action === 'plan');
    assert.deepEqual(
      plans.map((e) => e.metadata.annotations?.[Annotations.trigger]),
      [plans[0]?.metadata.annotations?.[Annotations.trigger]],
      'one plan',
    );
    assert.match(plans[0]?.spec.commit ?? '', /^[0-9a-f]{40}$/, 'the polled commit');
    await admin.delete(TofuStacks, ns, 'keep');
    await waitFor('the Orphan stack to go', () => gone('keep'), 30_000);
    assert.ok((await stateSecrets('keep')).length > 0, 'Orphan keeps the state');

    await createStack('stuck', { autoApply: true, deletionPolicy: 'Destroy' });
    assert.equal((await finished('stuck', 'apply')).status?.phase, 'Succeeded');
    await admin.mergePatch(TofuStacks, ns, 'stuck', { spec: { autoApply: false } });
    // The spec change plans again (no changes); then the deletion's destroy plan waits for approval.
    await waitFor(
      'the re-plan after the spec change',
      async () => (await runsOf('stuck')).filter((e) => e.spec.action === 'plan').length >= 2,
    );
    await admin.delete(TofuStacks, ns, 'stuck');
    const destroyPlan = await waitFor(
      'the destroy plan to wait',
      async () => {
        const s = await stack('stuck');
        const p = (await runsOf('stuck')).find((e) => e.spec.destroy && e.metadata.name === s.status?.pendingPlan?.name);
        return p?.status?.phase === 'Succeeded' ? p : undefined;
      },
      RUN_MS,
      500,
    );
    assert.equal(destroyPlan.status?.plan?.hasChanges, true);
    assert.equal((await stack('stuck')).metadata.deletionTimestamp !== undefined, true, 'held by its finalizer');
    assert.ok(!(await runsOf('stuck')).some((e) => e.spec.action === 'destroy'), 'no destroy runs without approval');
    await admin.mergePatch(TofuStacks, ns, 'stuck', { spec: { deletionPolicy: 'Orphan' } });
    await waitFor('the stack to go once Orphan', () => gone('stuck'), 30_000);
    assert.ok((await stateSecrets('stuck')).length > 0, 'nothing was destroyed: the state stays');
  });
});
