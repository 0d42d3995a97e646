// Real plans on the local node, nothing simulated: a module -> an execution -> a Job -> a runner pod
// (restricted Pod Security) that clones a repository served by the cluster's git daemon and runs
// tofu -> the result in the status of execution, module and stack.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Annotations, type TofuExecution, type TofuModule, type TofuStack } from '@tofu-operator/api-types';
import { isNotFound, Secrets, type KubeObject } from '@tofu-operator/reconcile-runtime';
import {
  admin,
  applyFile,
  deleteFile,
  deleteNamespace,
  getExecution,
  installCrdsAndRbac,
  Jobs,
  listExecutions,
  listJobs,
  newNamespace,
  operatorKubeconfig,
  OperatorProcess,
  repoRoot,
  serveRepo,
  sleep,
  TofuModules,
  TofuStacks,
  waitFor,
  manyResources,
} from './harness.js';

const twoResources = `
resource "terraform_data" "a" { input = "a" }
resource "terraform_data" "b" { input = "b" }
`;

/** The lock in a module's state pointer Secret (undefined when unlocked or no state yet). */
async function stateLockOf(ns: string, module: string): Promise<{ ID: string; Who?: string } | undefined> {
  try {
    const secret = await admin.get<KubeObject & { data?: Record<string, string> }>(Secrets, ns, `tofu-state-module-${module}`);
    const pointer = JSON.parse(Buffer.from(secret.data?.['pointer'] ?? '', 'base64').toString('utf8')) as { lock?: { ID: string } };
    return pointer.lock;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

function moduleObj(
  ns: string,
  name: string,
  source: TofuModule['spec']['source'],
  template: TofuModule['spec']['executionTemplate'] = {},
): TofuModule {
  return {
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuModule',
    metadata: { name, namespace: ns },
    spec: { source, executionTemplate: template },
  };
}

async function finalExecution(ns: string, module: string, timeoutMs = 120_000): Promise<TofuExecution> {
  return waitFor(
    `the execution of ${ns}/${module} to finish`,
    async () => {
      const e = (await listExecutions(ns)).find((x) => x.spec.moduleRef?.name === module && !x.spec.stackRef);
      return e?.status?.phase === 'Succeeded' || e?.status?.phase === 'Failed' ? e : undefined;
    },
    timeoutMs,
    500,
  );
}

describe('real plans on the local node', () => {
  let operator: OperatorProcess;
  let ns: string;
  let repo: string;

  before(async () => {
    await installCrdsAndRbac();
    repo = serveRepo('e2e-plans', {
      'two/main.tf': twoResources,
      // A plan of many seconds (as in cancel.spec.ts): long enough to delete its Job while it runs.
      'slow/main.tf': manyResources(4000),
      'none/main.tf': 'locals {\n  x = 1\n}\n',
      'broken/main.tf': 'resource "terraform_data" "x" {\n  input = \n}\n',
    });
    operator = new OperatorProcess(await operatorKubeconfig());
    operator.start();
    await operator.waitUntilLeading();
    ns = await newNamespace('plans'); // enforces the restricted Pod Security Standard
  });

  after(async () => {
    await operator?.stop();
    await deleteNamespace(ns);
  });

  it('plans a module in a real pod and reports the counts, Job and Pod', async () => {
    await admin.create(TofuModules, ns, moduleObj(ns, 'two', { repository: repo, revision: 'main', workdir: 'two' }));
    const exec = await finalExecution(ns, 'two');
    assert.equal(exec.status?.phase, 'Succeeded', exec.status?.message);
    assert.deepEqual(
      { add: exec.status?.summary?.add, change: exec.status?.summary?.change, destroy: exec.status?.summary?.destroy },
      { add: 2, change: 0, destroy: 0 },
    );
    assert.equal(exec.status?.summary?.text, 'Plan: 2 to add, 0 to change, 0 to destroy.');
    assert.equal(exec.status?.jobName, exec.metadata.name);
    assert.match(exec.status?.podName ?? '', new RegExp(`^${exec.metadata.name}-`));
    assert.ok(exec.status?.startTime && exec.status?.completionTime);
    const module = await waitFor('module status', async () => {
      const m = await admin.get<TofuModule>(TofuModules, ns, 'two');
      return m.status?.phase === 'Succeeded' ? m : undefined;
    });
    assert.equal(module.status?.lastExecution?.summary?.add, 2);

    await admin.create<TofuStack>(TofuStacks, ns, {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuStack',
      metadata: { name: 'two-dev', namespace: ns },
      spec: { moduleRef: { name: 'two' } },
    });
    const stack = await waitFor(
      'stack Succeeded',
      async () => {
        const s = await admin.get<TofuStack>(TofuStacks, ns, 'two-dev');
        return s.status?.phase === 'Succeeded' ? s : undefined;
      },
      120_000,
      500,
    );
    assert.equal(stack.status?.lastExecution?.summary?.text, 'Plan: 2 to add, 0 to change, 0 to destroy.');
  });

  it('reports "No changes." for a module without resources', async () => {
    await admin.create(TofuModules, ns, moduleObj(ns, 'none', { repository: repo, revision: 'main', workdir: 'none' }));
    const exec = await finalExecution(ns, 'none');
    assert.equal(exec.status?.phase, 'Succeeded', exec.status?.message);
    assert.equal(exec.status?.summary?.hasChanges, false);
    assert.equal(exec.status?.summary?.text, 'No changes.');
  });

  const failures: { name: string; source: () => TofuModule['spec']['source']; category: string; message: RegExp }[] = [
    {
      name: 'unknown-rev',
      source: () => ({ repository: repo, revision: 'no-such-branch', workdir: 'two' }),
      category: 'RevisionNotFound',
      message: /no-such-branch/,
    },
    {
      name: 'no-workdir',
      source: () => ({ repository: repo, revision: 'main', workdir: 'missing/dir' }),
      category: 'WorkdirNotFound',
      message: /missing\/dir/,
    },
    {
      name: 'bad-hcl',
      source: () => ({ repository: repo, revision: 'main', workdir: 'broken' }),
      // tofu init reads the configuration (for its modules and providers), so a syntax error stops
      // the run there, always: the runner's own integration test pins the same.
      category: 'InitFailed',
      message: /^tofu init failed \(exit code 1\):\nError: Invalid expression\n\n {2}on main\.tf line 2/,
    },
    {
      name: 'unreachable',
      source: () => ({ repository: 'git://10.88.0.1/does-not-exist', workdir: '.' }),
      category: 'RepositoryUnreachable',
      message: /does-not-exist/,
    },
  ];
  for (const f of failures) {
    it(`fails ${f.name} with the runner's category and message`, async () => {
      await admin.create(TofuModules, ns, moduleObj(ns, f.name, f.source()));
      const exec = await finalExecution(ns, f.name);
      assert.equal(exec.status?.phase, 'Failed');
      assert.match(exec.status?.failureCategory ?? '', new RegExp(`^${f.category}$`));
      assert.match(exec.status?.message ?? '', f.message);
      const ready = exec.status?.conditions?.find((c) => c.type === 'Ready');
      assert.equal(ready?.status, 'False');
      assert.equal(ready?.reason, 'RunnerFailed');
    });
  }

  it('fails with DeadlineExceeded when the run exceeds activeDeadlineSeconds', async () => {
    await admin.create(
      TofuModules,
      ns,
      moduleObj(ns, 'deadline', { repository: repo, revision: 'main', workdir: 'two' }, { activeDeadlineSeconds: 1 }),
    );
    const exec = await finalExecution(ns, 'deadline');
    assert.equal(exec.status?.phase, 'Failed');
    assert.equal(exec.status?.conditions?.find((c) => c.type === 'Ready')?.reason, 'DeadlineExceeded', JSON.stringify(exec.status));
    assert.match(exec.status?.message ?? '', /activeDeadlineSeconds \(1s\)/);
  });

  it('fails with JobDeleted when the Job is deleted mid-run, and does not re-run', async () => {
    await admin.create(TofuModules, ns, moduleObj(ns, 'deleted', { repository: repo, revision: 'main', workdir: 'slow' }));
    const running = await waitFor(
      'the runner to run',
      async () => {
        const e = (await listExecutions(ns)).find((x) => x.spec.moduleRef?.name === 'deleted');
        return e?.status?.phase === 'Running' || e?.status?.podName ? e : undefined;
      },
      60_000,
      100,
    );
    // Deleted while tofu holds the state lock (plan takes it): the killed runner never unlocks.
    await waitFor('the plan to hold the state lock', async () => (await stateLockOf(ns, 'deleted')) !== undefined, 60_000, 100);
    await admin.delete(Jobs, ns, running.metadata.name ?? '', { propagationPolicy: 'Background' });
    const exec = await finalExecution(ns, 'deleted');
    if (exec.status?.phase === 'Succeeded') assert.fail('the plan finished before the Job could be deleted; the test needs a slower plan');
    assert.equal(exec.status?.conditions?.find((c) => c.type === 'Ready')?.reason, 'JobDeleted');
    await sleep(2000);
    assert.equal((await listJobs(ns)).filter((j) => j.metadata?.name === running.metadata.name).length, 0, 'no silent re-run');
    assert.equal((await getExecution(ns, running.metadata.name ?? '')).status?.phase, 'Failed');

    // The lock of that finished run (its runner may not even unlock any more) goes to the next plan,
    // which runs to the end instead of failing on "Error acquiring the state lock".
    assert.ok(await stateLockOf(ns, 'deleted'), 'the killed runner left its lock');
    await admin.mergePatch(TofuModules, ns, 'deleted', {
      metadata: { annotations: { [Annotations.requestedAt]: new Date().toISOString() } },
    });
    const next = await waitFor(
      'the next plan of the module to finish',
      async () => {
        const e = (await listExecutions(ns)).find((x) => x.spec.moduleRef?.name === 'deleted' && x.metadata.name !== running.metadata.name);
        return e?.status?.phase === 'Succeeded' || e?.status?.phase === 'Failed' ? e : undefined;
      },
      180_000,
      500,
    );
    assert.equal(next.status?.phase, 'Succeeded', next.status?.message);
    assert.equal(await stateLockOf(ns, 'deleted'), undefined, 'the next plan unlocked when done');
  });

  it('fails with OOMKilled when the runner exceeds its memory limit', async () => {
    await admin.create(
      TofuModules,
      ns,
      moduleObj(ns, 'oom', { repository: repo, revision: 'main', workdir: 'two' }, { resources: { limits: { memory: '12Mi' } } }),
    );
    const exec = await finalExecution(ns, 'oom');
    assert.equal(exec.status?.phase, 'Failed');
    assert.equal(exec.status?.conditions?.find((c) => c.type === 'Ready')?.reason, 'OOMKilled', exec.status?.message);
    assert.match(exec.status?.message ?? '', /memory limit/);
  });

  it('fails with ImagePullFailed when the runner image is not there, and frees the node', async () => {
    await admin.create(
      TofuModules,
      ns,
      moduleObj(
        ns,
        'no-image',
        { repository: repo, revision: 'main', workdir: 'two' },
        { image: 'tofu-operator.local/missing:0', imagePullPolicy: 'Never' },
      ),
    );
    const exec = await finalExecution(ns, 'no-image', 60_000);
    assert.equal(exec.status?.phase, 'Failed');
    assert.equal(exec.status?.conditions?.find((c) => c.type === 'Ready')?.reason, 'ImagePullFailed');
    assert.match(exec.status?.message ?? '', /ErrImageNeverPull/);
    await waitFor('the stuck Job to be removed', async () => !(await listJobs(ns)).some((j) => j.metadata?.name === exec.metadata.name));
  });

  it('runs the samples unchanged: module, stack and hand-made execution all plan "2 to add"', async () => {
    const files = ['module.yaml', 'stack.yaml', 'execution.yaml'].map((f) => join(repoRoot, 'samples', f));
    const ofSamples = async () =>
      (await listExecutions('default')).filter((e) => e.spec.moduleRef?.name === 'hello' || e.spec.stackRef?.name === 'hello-dev');
    // Start from nothing: earlier runs of the samples (by hand or by `npm start`) are removed first.
    for (const f of [...files].reverse()) await deleteFile(f);
    await waitFor('earlier sample executions to be gone', async () => (await ofSamples()).length === 0, 60_000);
    try {
      for (const f of files) await applyFile(f);
      const done = await waitFor(
        'the three sample executions to finish',
        async () => {
          const list = (await listExecutions('default')).filter(
            (e) => e.spec.moduleRef?.name === 'hello' || e.spec.stackRef?.name === 'hello-dev',
          );
          return list.length >= 3 && list.every((e) => e.status?.phase === 'Succeeded' || e.status?.phase === 'Failed') ? list : undefined;
        },
        180_000,
        500,
      );
      for (const e of done) {
        assert.equal(e.status?.phase, 'Succeeded', `${e.metadata.name}: ${e.status?.message}`);
        assert.equal(e.status?.summary?.text, 'Plan: 2 to add, 0 to change, 0 to destroy.');
      }
    } finally {
      for (const f of [...files].reverse()) await deleteFile(f);
    }
  });
});
