// Faults of the operator process itself: killed without warning between creating objects and
// writing status, then restarted (or replaced by a standby). Deterministic names must make the
// restarted operator converge with no duplicate execution or Job.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TofuModule } from '@tofu-operator/api-types';
import {
  admin,
  deleteNamespace,
  installCrdsAndRbac,
  listExecutions,
  listJobs,
  newNamespace,
  operatorKubeconfig,
  OperatorProcess,
  sleep,
  TofuModules,
  UNSCHEDULABLE,
  waitFor,
} from './harness.js';

const COUNT = 40;
/**
 * Every module's Job exists at once here and its pod never schedules (the runs stay unfinished until
 * the namespaces go in `after`): the run queue's default cap (16) would hold the rest back, and what
 * is tested is convergence after a kill and the handover, not the cap (run-queue.spec).
 */
const NO_CAP = { TOFU_OPERATOR_MAX_CONCURRENT_RUNS: '1000' };

describe('operator restarts', () => {
  let kubeconfig: string;
  const namespaces: string[] = [];
  const running: OperatorProcess[] = [];

  before(async () => {
    await installCrdsAndRbac();
    kubeconfig = await operatorKubeconfig();
  });

  after(async () => {
    await Promise.all(running.map((o) => o.stop('SIGKILL')));
    await Promise.all(namespaces.map(deleteNamespace));
  });

  it('converges with exactly one execution and one Job per module after a SIGKILL mid-reconcile', async () => {
    const ns = await newNamespace('kill');
    namespaces.push(ns);
    const first = new OperatorProcess(kubeconfig, NO_CAP);
    running.push(first);
    first.start();
    await first.waitUntilLeading();

    const modules = Array.from({ length: COUNT }, (_, i): TofuModule => ({
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuModule',
      metadata: { name: `m${i}`, namespace: ns },
      spec: { source: { repository: 'git://10.88.0.1/samples.git', workdir: 'examples/hello' }, executionTemplate: { ...UNSCHEDULABLE } },
    }));
    await Promise.all(modules.map((m) => admin.create(TofuModules, ns, m)));
    // Kill as soon as the operator has started creating executions: some modules have an execution
    // without a status, some executions have a Job without a status, some have nothing yet.
    await waitFor('the first executions', async () => (await listExecutions(ns)).length >= 3, 30_000, 20);
    await first.stop('SIGKILL');
    const killedWith = { executions: (await listExecutions(ns)).length, jobs: (await listJobs(ns)).length };

    const second = new OperatorProcess(kubeconfig, NO_CAP);
    running.push(second);
    second.start();
    // The dead leader's lease must expire first (4 s in tests).
    await second.waitUntilLeading(60_000);
    await waitFor(
      `every module planned (killed at ${killedWith.executions} executions, ${killedWith.jobs} Jobs)`,
      async () => {
        const [execs, jobs] = [await listExecutions(ns), await listJobs(ns)];
        return execs.length >= COUNT && jobs.length >= COUNT && execs.every((e) => e.status?.jobName);
      },
      60_000,
    );
    await sleep(2000);
    const execs = await listExecutions(ns);
    const jobs = await listJobs(ns);
    assert.equal(execs.length, COUNT, 'one execution per module');
    assert.equal(jobs.length, COUNT, 'one Job per execution');
    const perModule = new Map<string, number>();
    for (const e of execs) perModule.set(e.spec.moduleRef?.name ?? '', (perModule.get(e.spec.moduleRef?.name ?? '') ?? 0) + 1);
    assert.ok([...perModule.values()].every((n) => n === 1));
    for (const j of jobs) {
      const owner = j.metadata?.ownerReferences?.find((r) => r.controller);
      assert.ok(
        execs.some((e) => e.metadata.uid === owner?.uid),
        `Job ${j.metadata?.name} belongs to an execution`,
      );
    }
    const modulesNow = (await admin.list<TofuModule>(TofuModules, ns)).items;
    assert.ok(
      modulesNow.every((m) => m.status?.lastExecution?.name),
      'every module status names its execution',
    );
    await second.stop();
  });

  it('hands over leadership on SIGTERM so a standby takes over at once', async () => {
    const ns = await newNamespace('handover');
    namespaces.push(ns);
    const a = new OperatorProcess(kubeconfig, NO_CAP);
    running.push(a);
    a.start();
    await a.waitUntilLeading();
    const b = new OperatorProcess(kubeconfig, NO_CAP);
    running.push(b);
    b.start();
    await sleep(1500);
    assert.ok(!b.log().includes('became leader'), 'the standby waits while the leader holds the lease');
    const started = Date.now();
    await a.stop('SIGTERM');
    // Nest drains and then re-raises the signal, so the exit is "by SIGTERM" after a clean shutdown.
    assert.match(a.log(), /controllers stopped/);
    assert.match(a.log(), /released the leader lease/);
    await b.waitUntilLeading(10_000);
    // Released, not expired: much faster than the lease duration plus a retry period.
    assert.ok(Date.now() - started < 4000, `takeover took ${Date.now() - started} ms`);
    await admin.create(TofuModules, ns, {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuModule',
      metadata: { name: 'after-handover', namespace: ns },
      spec: { source: { repository: 'git://10.88.0.1/samples.git' }, executionTemplate: { ...UNSCHEDULABLE } },
    });
    await waitFor('the new leader reconciles', async () => (await listJobs(ns)).length === 1);
  });
});
