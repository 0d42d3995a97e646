// The command line's API commands as a CI pipeline runs them (issue 11): bin/tofu-operator plan,
// approve and logs against the real operator's REST API with a ServiceAccount's token, real runner
// pods and real tofu (samples/modules/hello, state kept by the operator). plan --wait prints the
// digest and the approve command, a wrong digest is refused with the API's 422, approve --wait
// follows the apply to Succeeded, logs prints tofu's output, a failed plan exits 1; and the pipeline
// block of docs/guides/approving-a-plan.md runs as written.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TofuExecution, TofuModule, TofuStack } from '@tofu-operator/api-types';
import {
  admin,
  deleteNamespace,
  freePort,
  getExecution,
  installCrdsAndRbac,
  listExecutions,
  newNamespace,
  operatorKubeconfig,
  OperatorProcess,
  repoRoot,
  serveRepo,
  serviceAccountWithRole,
  TofuModules,
  TofuStacks,
  waitFor,
} from './harness.js';

const cli = join(repoRoot, 'bin/tofu-operator');
/** A run on the node: clone, init, plan or apply. */
const RUN_MS = 180_000;
const DIGEST = /^digest: (sha256:[0-9a-f]{64})$/m;

describe('command line: plan, approve, reject and logs through the API (real runner pods)', () => {
  let operator: OperatorProcess;
  let ns: string;
  let base: string;
  let token: string;
  let plan: TofuExecution;
  let digest: string;

  /** bin/tofu-operator with the API's URL and the CI token in the environment, as the docs say to pass them. */
  function runCli(args: string[], env: NodeJS.ProcessEnv = {}): { code: number | null; out: string; err: string } {
    const r = spawnSync(cli, args, {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, TOFU_OPERATOR_API_URL: base, TOFU_OPERATOR_TOKEN: token, ...env },
      timeout: 2 * RUN_MS,
    });
    assert.ok(!`${r.stdout}${r.stderr}`.includes(token), 'the token is never printed');
    return { code: r.status, out: r.stdout, err: r.stderr };
  }

  async function createModule(name: string, repo: string): Promise<void> {
    await admin.create<TofuModule>(TofuModules, ns, {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuModule',
      metadata: { name },
      spec: { source: { repository: repo, revision: 'main' } },
    });
  }
  async function createStack(name: string, module: string): Promise<void> {
    await admin.create<TofuStack>(TofuStacks, ns, {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuStack',
      metadata: { name },
      spec: { moduleRef: { name: module } },
    });
  }
  /** Waits until the plan made on creation of the stack (or of the module itself) has finished, so a requested plan is not refused as a run in progress. */
  async function firstPlanFinished(owner: { stack: string } | { module: string }): Promise<void> {
    await waitFor(
      `the first plan of ${JSON.stringify(owner)}`,
      async () => {
        const runs = (await listExecutions(ns)).filter((e) =>
          'stack' in owner ? e.spec.stackRef?.name === owner.stack : e.spec.moduleRef?.name === owner.module && !e.spec.stackRef,
        );
        return runs.length > 0 && runs.every((e) => e.status?.phase === 'Succeeded' || e.status?.phase === 'Failed');
      },
      RUN_MS,
      500,
    );
  }

  before(async () => {
    await installCrdsAndRbac();
    const hello = readFileSync(join(repoRoot, 'samples/modules/hello/main.tf'), 'utf8');
    const repo = serveRepo('e2e-cli-approve', { 'main.tf': hello });
    const broken = serveRepo('e2e-cli-approve-broken', { 'main.tf': 'resource "terraform_data" "x" {\n  input = var.missing\n}\n' });
    ns = await newNamespace('cli-approve');
    // What a pipeline's ServiceAccount needs: read, plan (patch) and approve.
    token = await serviceAccountWithRole(ns, 'pipeline', ['get', 'list', 'patch', 'approve']);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    operator = new OperatorProcess(await operatorKubeconfig(), { PORT: String(port), TOFU_OPERATOR_WATCH_NAMESPACE: ns });
    operator.start();
    await operator.waitUntilLeading();
    await waitFor('the API is ready', async () => (await fetch(`${base}/readyz`)).ok);
    await createModule('hello', repo);
    await createModule('broken', broken);
    await createStack('hello-ci', 'hello');
    await createStack('hello-docs', 'hello');
    await Promise.all([
      firstPlanFinished({ stack: 'hello-ci' }),
      firstPlanFinished({ stack: 'hello-docs' }),
      firstPlanFinished({ module: 'broken' }),
    ]);
  });

  after(async () => {
    await operator?.stop();
    if (ns) await deleteNamespace(ns);
  });

  it('explains itself: --help of each API command names its options and exit codes', () => {
    for (const cmd of ['plan', 'approve', 'reject', 'logs']) {
      const r = runCli([cmd, '--help']);
      assert.equal(r.code, 0, cmd);
      assert.match(r.out, new RegExp(`^usage: tofu-operator ${cmd} `));
      assert.match(r.out, /--server <url> .*TOFU_OPERATOR_API_URL/);
      assert.match(r.out, /^ {2}6 {2}invalid \(422\): the digest is not the plan's$/m);
    }
  });

  it('plan --wait follows the plan to its end and prints its summary, digest and the approve command', async () => {
    const r = runCli(['plan', 'stack/hello-ci', '-n', ns, '--wait']);
    assert.equal(r.code, 0, `${r.out}\n${r.err}`);
    const name = /^execution: (\S+)$/m.exec(r.out)?.[1];
    assert.ok(name, r.out);
    plan = await getExecution(ns, name);
    assert.equal(plan.spec.action, 'plan');
    assert.equal(plan.spec.stackRef?.name, 'hello-ci');
    assert.equal(plan.status?.phase, 'Succeeded');
    digest = DIGEST.exec(r.out)?.[1] ?? '';
    assert.equal(digest, plan.status?.plan?.digest, 'the digest printed is the plan status records');
    assert.match(r.out, /^phase: Succeeded$/m);
    assert.match(r.out, /^summary: Plan: 2 to add, 0 to change, 0 to destroy\.$/m);
    // The log came first, to its end: tofu's own plan output, before the result.
    assert.ok(
      r.out.indexOf('terraform_data.greeting') >= 0 && r.out.indexOf('terraform_data.greeting') < r.out.indexOf('\nexecution: '),
      r.out,
    );
    assert.ok(r.out.includes(`  tofu-operator approve ${name} --digest ${digest} --wait -n ${ns}\n`), r.out);
    assert.ok(r.out.includes(`  tofu-operator reject ${name} --digest ${digest} -n ${ns}\n`), r.out);
    assert.match(r.err, new RegExp(`plan stack/hello-ci: execution ${name} started; following its log`));
  });

  it('approve with a digest that is not the plan: refused with the API 422 message, exit 6, nothing applied', async () => {
    const wrong = `sha256:${'0'.repeat(64)}`;
    const r = runCli(['approve', plan.metadata.name ?? '', '-n', ns, '--digest', wrong]);
    assert.equal(r.code, 6, `${r.out}\n${r.err}`);
    assert.equal(r.out, '');
    assert.ok(
      r.err.includes(
        `approve ${plan.metadata.name}: 422 Invalid: plan ${plan.metadata.name} has digest ${digest}, not the approved ${wrong}`,
      ),
      r.err,
    );
    assert.ok(!(await listExecutions(ns)).some((e) => e.spec.planRef?.name === plan.metadata.name), 'no apply was created');
  });

  it('approve --digest <the plan> --wait follows the apply to Succeeded; logs prints tofu "Apply complete!"', async () => {
    const r = runCli(['approve', plan.metadata.name ?? '', '-n', ns, '--digest', digest, '--wait']);
    assert.equal(r.code, 0, `${r.out}\n${r.err}`);
    const applyName = `${plan.metadata.name}-apply`;
    assert.match(r.out, new RegExp(`^execution: ${applyName}$`, 'm'));
    assert.match(r.out, /^phase: Succeeded$/m);
    assert.match(r.out, /^result: Apply complete! Resources: 2 added, 0 changed, 0 destroyed\.$/m);
    const apply = await getExecution(ns, applyName);
    assert.equal(apply.status?.phase, 'Succeeded');
    assert.equal(apply.spec.planRef?.digest, digest);

    const logs = runCli(['logs', applyName, '-n', ns]);
    assert.equal(logs.code, 0, logs.err);
    assert.match(logs.out, /Apply complete! Resources: 2 added, 0 changed, 0 destroyed\./);
    // Following a finished run prints the same log and exits by its result.
    const followed = runCli(['logs', applyName, '--namespace', ns, '--follow']);
    assert.equal(followed.code, 0, followed.err);
    assert.equal(followed.out, logs.out);
    assert.match(followed.err, new RegExp(`${applyName}: Succeeded`));

    // Decided: approving or rejecting it again is a conflict (exit 5), with the API's words.
    const again = runCli(['reject', plan.metadata.name ?? '', '-n', ns, '--digest', digest]);
    assert.equal(again.code, 5, `${again.out}\n${again.err}`);
    assert.match(again.err, new RegExp(`reject ${plan.metadata.name}: 409 Conflict: `));
  });

  it('the next plan has no changes: exit 0 and no approve command', () => {
    const r = runCli(['plan', 'stack/hello-ci', '-n', ns, '--wait']);
    assert.equal(r.code, 0, `${r.out}\n${r.err}`);
    assert.match(r.out, /^summary: No changes\.$/m);
    assert.ok(!r.out.includes('waits for approval'), r.out);
  });

  it('a plan that fails exits 1 with its message; without --wait plan prints only the name; refusals have their codes', async () => {
    const failed = runCli(['plan', 'module/broken', '-n', ns, '--wait']);
    assert.equal(failed.code, 1, `${failed.out}\n${failed.err}`);
    assert.match(failed.out, /^phase: Failed$/m);
    assert.match(failed.out, /^message: .+/m);

    const started = runCli(['plan', 'stack/hello-ci', '-n', ns]);
    assert.equal(started.code, 0, started.err);
    const name = started.out.trim();
    assert.match(name, /^[a-z0-9.-]+$/, 'only the name on stdout, for a script');
    assert.equal((await getExecution(ns, name)).spec.stackRef?.name, 'hello-ci');
    // That plan runs now: another one is a conflict naming it (exit 5).
    const busy = runCli(['plan', 'stack/hello-ci', '-n', ns]);
    assert.equal(busy.code, 5, `${busy.out}\n${busy.err}`);
    assert.ok(busy.err.includes(`follow the run in progress: tofu-operator logs ${name} --follow -n ${ns}`), busy.err);
    // The log of that run, followed to its end: exit 0 on Succeeded.
    const followed = runCli(['logs', name, '-n', ns, '-f']);
    assert.equal(followed.code, 0, followed.err);
    assert.match(followed.out, /No changes\./);

    assert.equal(runCli(['logs', 'no-such-run', '-n', ns]).code, 4);
    const noToken = runCli(['logs', name, '-n', ns], { TOFU_OPERATOR_TOKEN: '' });
    assert.equal(noToken.code, 3);
    assert.match(noToken.err, /401 Unauthorized: .*\n {2}no token: set TOFU_OPERATOR_TOKEN/);
    const unreachable = runCli(['logs', name, '-n', ns, '--server', 'http://127.0.0.1:1']);
    assert.equal(unreachable.code, 8);
    assert.match(unreachable.err, /could not reach the API at http:\/\/127\.0\.0\.1:1/);
  });

  it("the guide's pipeline block runs as written: plan, then approve the printed digest and follow the apply", () => {
    const doc = readFileSync(join(repoRoot, 'docs/guides/approving-a-plan.md'), 'utf8');
    const block = /<!-- runnable: cli-plan-approve -->[\s\S]*?```sh\n([\s\S]*?)```/.exec(doc)?.[1];
    assert.ok(block, 'the guide has its pipeline block');
    const r = spawnSync('bash', ['-euo', 'pipefail', '-c', block], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, TOFU_OPERATOR_API_URL: base, TOFU_OPERATOR_TOKEN: token, NS: ns, STACK: 'hello-docs' },
      timeout: 2 * RUN_MS,
    });
    assert.equal(r.status, 0, `the block failed:\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /^summary: Plan: 2 to add, 0 to change, 0 to destroy\.$/m, 'the plan result in the output');
    assert.match(r.stdout, /^result: Apply complete! Resources: 2 added, 0 changed, 0 destroyed\.$/m);
    assert.ok(!`${r.stdout}${r.stderr}`.includes(token));
  });
});
