// The reconcilers against a real control plane, each test in its own namespace. Until the node
// exists, the test writes Job status as envtest suites do; everything else is the real thing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Annotations, Labels, type TofuExecution, type TofuModule, type TofuStack } from '@tofu-operator/api-types';
import type { Job } from '@tofu-operator/reconcile-runtime';
import {
  admin,
  deleteNamespace,
  finishJob,
  getExecution,
  installCrdsAndRbac,
  Jobs,
  listExecutions,
  listJobs,
  listPods,
  newNamespace,
  operatorKubeconfig,
  OperatorProcess,
  sleep,
  TofuExecutions,
  TofuModules,
  TofuStacks,
  UNSCHEDULABLE,
  waitFor,
} from './harness.js';

const REPO = 'git://10.88.0.1/samples.git';

function moduleObj(ns: string, name: string, revision = 'main', extra: Partial<TofuModule['spec']> = {}): TofuModule {
  return {
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuModule',
    metadata: { name, namespace: ns },
    // Runs never start (finishJob fakes their end), so no plan reports the commit it checked out and
    // every poll would be news: polling is off here (source-polling.spec.ts tests it).
    spec: {
      source: { repository: REPO, revision, workdir: 'examples/hello', pollInterval: '0' },
      executionTemplate: { ...UNSCHEDULABLE },
      ...extra,
    },
  };
}

function stackObj(ns: string, name: string, moduleName: string, extra: Partial<TofuStack['spec']> = {}): TofuStack {
  return {
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuStack',
    metadata: { name, namespace: ns },
    spec: { moduleRef: { name: moduleName }, ...extra },
  };
}

async function executionsOf(ns: string, kind: 'TofuModule' | 'TofuStack', name: string): Promise<TofuExecution[]> {
  return (await listExecutions(ns)).filter((e) =>
    e.metadata.ownerReferences?.some((r) => r.controller && r.kind === kind && r.name === name),
  );
}

async function oneExecution(ns: string, kind: 'TofuModule' | 'TofuStack', name: string): Promise<TofuExecution> {
  return waitFor(`one execution of ${kind} ${ns}/${name}`, async () => {
    const list = await executionsOf(ns, kind, name);
    assert.ok(list.length <= 1, `expected at most one execution, got ${list.map((e) => e.metadata.name).join(', ')}`);
    return list[0];
  });
}

async function jobOf(ns: string, execution: string): Promise<Job> {
  return waitFor(`the Job of ${ns}/${execution}`, async () =>
    (await listJobs(ns)).find((j) => j.metadata?.ownerReferences?.some((r) => r.name === execution)),
  );
}

async function phaseOf(ns: string, execution: string, phase: string): Promise<TofuExecution> {
  return waitFor(`${ns}/${execution} to be ${phase}`, async () => {
    const e = await getExecution(ns, execution);
    return e.status?.phase === phase ? e : undefined;
  });
}

describe('reconcilers on a real control plane', () => {
  let operator: OperatorProcess;
  const namespaces: string[] = [];
  const ns = async (prefix: string) => {
    const n = await newNamespace(prefix);
    namespaces.push(n);
    return n;
  };

  before(async () => {
    await installCrdsAndRbac();
    operator = new OperatorProcess(await operatorKubeconfig());
    operator.start();
    await operator.waitUntilLeading();
  });

  after(async () => {
    await operator?.stop();
    await Promise.all(namespaces.map(deleteNamespace));
  });

  it('creates one execution and one Job for a new module', async () => {
    const n = await ns('module-create');
    const created = await admin.create<TofuModule>(TofuModules, n, moduleObj(n, 'net'));
    const exec = await oneExecution(n, 'TofuModule', 'net');
    const owner = exec.metadata.ownerReferences?.[0];
    assert.equal(owner?.uid, created.metadata.uid);
    assert.equal(owner?.controller, true);
    assert.equal(exec.spec.action, 'plan');
    assert.deepEqual(exec.spec.moduleRef, { name: 'net' });
    assert.equal(exec.spec.source?.workdir, 'examples/hello');
    assert.equal(exec.metadata.labels?.[Labels.module], 'net');

    const job = await jobOf(n, exec.metadata.name ?? '');
    assert.equal(job.metadata?.name, exec.metadata.name);
    assert.equal(job.spec?.backoffLimit, 0);
    assert.equal(job.spec?.activeDeadlineSeconds, 3600);
    assert.equal(job.metadata?.labels?.[Labels.execution], exec.metadata.name);
    assert.equal(job.spec?.template.spec.automountServiceAccountToken, false);

    const pending = await waitFor('execution status with the Job name', async () => {
      const e = await getExecution(n, exec.metadata.name ?? '');
      return e.status?.jobName ? e : undefined;
    });
    assert.equal(pending.status?.jobName, job.metadata?.name);
    assert.equal(pending.status?.phase, 'Pending');
    assert.ok(pending.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'Unknown'));

    const moduleNow = await waitFor('module status', async () => {
      const m = await admin.get<TofuModule>(TofuModules, n, 'net');
      return m.status?.lastExecution?.name === exec.metadata.name ? m : undefined;
    });
    assert.equal(moduleNow.status?.observedGeneration, 1);
    assert.equal(moduleNow.status?.lastTrigger, 'g1');
  });

  it('turns Job success and failure into execution, module and stack status', async () => {
    const n = await ns('job-status');
    await admin.create(TofuModules, n, moduleObj(n, 'ok'));
    const okExec = await oneExecution(n, 'TofuModule', 'ok');
    await jobOf(n, okExec.metadata.name ?? '');
    await finishJob(n, okExec.metadata.name ?? '', { succeeded: true });
    const done = await phaseOf(n, okExec.metadata.name ?? '', 'Succeeded');
    assert.ok(done.status?.completionTime, 'completionTime set');
    assert.ok(done.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    assert.ok(done.status?.conditions?.some((c) => c.type === 'Reconciling' && c.status === 'False'));
    await waitFor('module Succeeded', async () => (await admin.get<TofuModule>(TofuModules, n, 'ok')).status?.phase === 'Succeeded');

    // The stack's runner pod is never created (its ServiceAccount does not exist: admission refuses the
    // pod), so no scheduler verdict can explain the deadline; only the deadline itself can.
    await admin.create(
      TofuStacks,
      n,
      stackObj(n, 'slow', 'ok', { executionTemplate: { activeDeadlineSeconds: 120, serviceAccountName: 'no-such-account' } }),
    );
    const slow = await oneExecution(n, 'TofuStack', 'slow');
    assert.deepEqual(slow.spec.moduleRef, { name: 'ok' });
    assert.deepEqual(slow.spec.stackRef, { name: 'slow' });
    const slowJob = await jobOf(n, slow.metadata.name ?? '');
    assert.equal(slowJob.spec?.activeDeadlineSeconds, 120, 'stack override reaches the Job');
    await finishJob(n, slow.metadata.name ?? '', {
      succeeded: false,
      reason: 'DeadlineExceeded',
      message: 'Job was active longer than specified deadline',
    });
    const failed = await phaseOf(n, slow.metadata.name ?? '', 'Failed');
    assert.deepEqual(
      (await listPods(n)).filter((p) => p.metadata?.labels?.[Labels.execution] === slow.metadata.name).map((p) => p.metadata?.name),
      [],
      'the runner pod of the slow stack was never created',
    );
    const ready = failed.status?.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.reason, 'DeadlineExceeded', JSON.stringify(failed.status));
    assert.equal(ready?.status, 'False');
    assert.equal(failed.status?.failureCategory, 'DeadlineExceeded');
    assert.match(failed.status?.message ?? '', /exceeded activeDeadlineSeconds \(120s\)/);
    const stack = await waitFor('stack Failed', async () => {
      const s = await admin.get<TofuStack>(TofuStacks, n, 'slow');
      return s.status?.phase === 'Failed' ? s : undefined;
    });
    assert.equal(stack.status?.conditions?.find((c) => c.type === 'Ready')?.reason, 'ExecutionFailed');
    assert.equal(stack.status?.lastExecution?.name, slow.metadata.name);

    // A finished execution is never run again, even when its Job disappears.
    await admin.delete(Jobs, n, slow.metadata.name ?? '', { propagationPolicy: 'Background' });
    await sleep(1500);
    assert.equal((await getExecution(n, slow.metadata.name ?? '')).status?.phase, 'Failed');
    assert.equal((await listJobs(n)).filter((j) => j.metadata?.name === slow.metadata.name).length, 0);
  });

  it('plans a spec change made during a run once, after the run ends', async () => {
    const n = await ns('change-during-run');
    await admin.create(TofuModules, n, moduleObj(n, 'app', 'v1'));
    const first = await oneExecution(n, 'TofuModule', 'app');
    await jobOf(n, first.metadata.name ?? '');
    for (const rev of ['v2', 'v3', 'v4']) {
      await admin.mergePatch(TofuModules, n, 'app', { spec: { source: { revision: rev } } });
      await sleep(150);
    }
    const waiting = await waitFor('module waiting for the run', async () => {
      const m = await admin.get<TofuModule>(TofuModules, n, 'app');
      return m.status?.conditions?.find((c) => c.type === 'Reconciling' && c.reason === 'WaitingForRunningExecution') ? m : undefined;
    });
    assert.equal(waiting.metadata.generation, 4);
    await sleep(1000);
    assert.equal((await executionsOf(n, 'TofuModule', 'app')).length, 1, 'no second execution while one runs');

    await finishJob(n, first.metadata.name ?? '', { succeeded: true });
    const second = await waitFor('the follow-up execution', async () =>
      (await executionsOf(n, 'TofuModule', 'app')).find((e) => e.metadata.name !== first.metadata.name),
    );
    assert.equal(second.spec.source?.revision, 'v4', 'the newest spec is planned');
    assert.equal(second.metadata.annotations?.[Annotations.trigger], 'g4');
    await sleep(1500);
    assert.equal((await executionsOf(n, 'TofuModule', 'app')).length, 2, 'exactly one follow-up execution');
  });

  it('reports a missing module and recovers when it appears', async () => {
    const n = await ns('missing-module');
    await admin.create(TofuStacks, n, stackObj(n, 'lonely', 'later'));
    const stack = await waitFor('ModuleNotFound', async () => {
      const s = await admin.get<TofuStack>(TofuStacks, n, 'lonely');
      const ready = s.status?.conditions?.find((c) => c.type === 'Ready');
      return ready?.reason === 'ModuleNotFound' ? s : undefined;
    });
    assert.equal(stack.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'False');
    assert.match(stack.status?.conditions?.find((c) => c.type === 'Ready')?.message ?? '', /TofuModule "later" not found/);
    assert.equal((await listExecutions(n)).length, 0);

    await admin.create(TofuModules, n, moduleObj(n, 'later'));
    const exec = await oneExecution(n, 'TofuStack', 'lonely');
    assert.deepEqual(exec.spec.moduleRef, { name: 'later' });
    await waitFor('stack no longer ModuleNotFound', async () => {
      const s = await admin.get<TofuStack>(TofuStacks, n, 'lonely');
      return s.status?.conditions?.find((c) => c.type === 'Ready')?.reason === 'ExecutionRunning';
    });
  });

  it('re-plans when requested-at changes, and keeps the history within historyLimit', async () => {
    const n = await ns('history');
    await admin.create(TofuModules, n, moduleObj(n, 'base'));
    await admin.create(TofuStacks, n, stackObj(n, 'hist', 'base', { historyLimit: 2 }));
    const names: string[] = [];
    for (let i = 0; i < 4; i++) {
      const exec = await waitFor(`execution #${i + 1}`, async () =>
        (await executionsOf(n, 'TofuStack', 'hist')).find((e) => !names.includes(e.metadata.name ?? '')),
      );
      names.push(exec.metadata.name ?? '');
      await jobOf(n, exec.metadata.name ?? '');
      await finishJob(n, exec.metadata.name ?? '', { succeeded: true });
      await phaseOf(n, exec.metadata.name ?? '', 'Succeeded');
      if (i < 3)
        await admin.mergePatch(TofuStacks, n, 'hist', {
          metadata: { annotations: { [Annotations.requestedAt]: `2026-01-0${i + 1}T00:00:00Z` } },
        });
    }
    const kept = await waitFor('history pruned to 2', async () => {
      const list = await executionsOf(n, 'TofuStack', 'hist');
      return list.length === 2 ? list : undefined;
    });
    assert.deepEqual(kept.map((e) => e.metadata.name).sort(), names.slice(2).sort(), 'the two newest are kept');
    const stack = await admin.get<TofuStack>(TofuStacks, n, 'hist');
    assert.equal(stack.status?.lastHandledRequestedAt, '2026-01-03T00:00:00Z');
    assert.equal(stack.status?.lastExecution?.name, names[3]);
  });

  it('makes one execution when the same object is touched many times quickly', async () => {
    const n = await ns('touch');
    await admin.create(TofuModules, n, moduleObj(n, 'busy'));
    await Promise.all(
      Array.from({ length: 25 }, (_, i) => admin.mergePatch(TofuModules, n, 'busy', { metadata: { labels: { touched: String(i) } } })),
    );
    await oneExecution(n, 'TofuModule', 'busy');
    await sleep(2000);
    assert.equal((await listExecutions(n)).length, 1);
    assert.equal((await listJobs(n)).length, 1);
  });

  it('fails an execution whose Job is deleted mid-run, and does not re-run it', async () => {
    const n = await ns('job-deleted');
    await admin.create(TofuModules, n, moduleObj(n, 'victim'));
    const exec = await oneExecution(n, 'TofuModule', 'victim');
    await waitFor('jobName in status', async () => (await getExecution(n, exec.metadata.name ?? '')).status?.jobName);
    await admin.delete(Jobs, n, exec.metadata.name ?? '', { propagationPolicy: 'Background' });
    const failed = await phaseOf(n, exec.metadata.name ?? '', 'Failed');
    assert.equal(failed.status?.conditions?.find((c) => c.type === 'Ready')?.reason, 'JobDeleted');
    assert.match(failed.status?.message ?? '', /deleted before the run finished/);
    await sleep(1500);
    assert.equal((await listJobs(n)).length, 0, 'no silent re-run');
    assert.equal((await listExecutions(n)).length, 1);
  });

  it('runs an execution a user creates with only a module reference', async () => {
    const n = await ns('user-exec');
    await admin.create(TofuModules, n, moduleObj(n, 'mod'));
    const auto = await oneExecution(n, 'TofuModule', 'mod');
    await jobOf(n, auto.metadata.name ?? '');
    await finishJob(n, auto.metadata.name ?? '', { succeeded: true });
    await phaseOf(n, auto.metadata.name ?? '', 'Succeeded');
    await admin.create<TofuExecution>(TofuExecutions, n, {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuExecution',
      metadata: { name: 'manual-plan', namespace: n },
      spec: { action: 'plan', moduleRef: { name: 'mod' } },
    });
    const job = await jobOf(n, 'manual-plan');
    const env = Object.fromEntries((job.spec?.template.spec.containers[0]?.env ?? []).map((e) => [e.name, e.value]));
    assert.equal(env['TOFU_OPERATOR_REPOSITORY'], REPO);
    assert.equal(env['TOFU_OPERATOR_WORKDIR'], 'examples/hello');
    const adopted = await waitFor('adopted by the module', async () => {
      const e = await getExecution(n, 'manual-plan');
      return e.metadata.ownerReferences?.some((r) => r.kind === 'TofuModule' && r.name === 'mod' && r.controller) ? e : undefined;
    });
    assert.equal(adopted.status?.resolved?.source?.repository, REPO);
    await waitFor(
      'module shows the manual run',
      async () => (await admin.get<TofuModule>(TofuModules, n, 'mod')).status?.lastExecution?.name === 'manual-plan',
    );
  });

  it('counts a hand-made execution as the run of its stack: one run at a time', async () => {
    const n = await ns('manual-first');
    await admin.create<TofuExecution>(TofuExecutions, n, {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuExecution',
      metadata: { name: 'by-hand', namespace: n },
      spec: { action: 'plan', stackRef: { name: 'web' } },
    });
    await admin.create(TofuModules, n, moduleObj(n, 'mod'));
    await admin.create(TofuStacks, n, stackObj(n, 'web', 'mod'));
    await jobOf(n, 'by-hand');
    await sleep(2000);
    // Whether the stack saw the hand-made execution before planning itself (the two watches race)
    // or not, only one of them may run: one Job.
    const stackRuns = new Set((await executionsOf(n, 'TofuStack', 'web')).map((e) => e.metadata.name));
    assert.deepEqual(
      (await listJobs(n)).map((j) => j.metadata?.name).filter((name) => stackRuns.has(name)),
      ['by-hand'],
      'one run at a time: the stack does not start a Job beside the hand-made run',
    );
    await finishJob(n, 'by-hand', { succeeded: true });
    const own = await waitFor('the stack plans after the hand-made run', async () =>
      (await executionsOf(n, 'TofuStack', 'web')).find((e) => e.metadata.name !== 'by-hand'),
    );
    assert.equal(own.metadata.annotations?.[Annotations.trigger], 'g1/m1');
  });
});
