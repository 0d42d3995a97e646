// The runner (the built apps/runner, as a process here) against the runner API of the real operator
// (docs/adr/0007-apply-approval-and-state.md): tofu's http backend selected by the runner's override
// file, the saved plan and its masked diff stored in Secrets under the digest the runner reports,
// and an encrypted plan. The apply half runs through the operator's own Jobs once the reconcilers
// create them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Labels,
  parseRunnerResult,
  SENSITIVE_MASK,
  type PlanDiff,
  type ResourceType,
  type RunnerResult,
  type TofuExecution,
  type TofuModule,
} from '@tofu-operator/api-types';
import type { KubeObject } from '@tofu-operator/reconcile-runtime';
import {
  admin,
  deleteNamespace,
  freePort,
  installCrdsAndRbac,
  listExecutions,
  newNamespace,
  operatorKubeconfig,
  OperatorProcess,
  repoRoot,
  TofuModules,
  UNSCHEDULABLE,
  waitFor,
} from './harness.js';

const Secrets: ResourceType = { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true };
interface Secret extends KubeObject {
  data?: Record<string, string>;
}

const TOFU_VERSION = process.env['TOFU_VERSION'] ?? 'v1.12.6';
const cacheRoot = process.env['TOFU_OPERATOR_CACHE'] ?? join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'tofu-operator');
const tofuBin = process.env['TOFU_BIN'] ?? join(cacheRoot, 'opentofu', TOFU_VERSION, 'bin', 'tofu');
const SECRET = 'e2e-sensitive-value';

const MAIN_TF = `
variable "secret" {
  default   = "${SECRET}"
  sensitive = true
}

resource "terraform_data" "hello" {
  input = { greeting = "hello", secret = var.secret }
}
`;

const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

describe('runner plans against the real operator’s runner API', () => {
  let operator: OperatorProcess;
  let ns: string;
  let base: string;
  let work: string;
  let repoUrl: string;
  let key: Buffer;

  async function firstExecution(module: string): Promise<TofuExecution> {
    await admin.create<TofuModule>(TofuModules, ns, {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuModule',
      metadata: { name: module },
      spec: { source: { repository: repoUrl, revision: 'main' }, executionTemplate: { ...UNSCHEDULABLE } },
    });
    return waitFor(
      `the plan execution of ${module}`,
      async () => (await listExecutions(ns)).find((x) => x.spec.moduleRef?.name === module),
      60_000,
    );
  }

  /** Runs the built runner for `execution` (of module `module`), as its Job would. */
  function runRunner(execution: TofuExecution, module: string, extra: Record<string, string> = {}) {
    const name = execution.metadata.name ?? '';
    const token = createHmac('sha256', key)
      .update(`${ns}/${name}/${execution.metadata.uid ?? ''}`)
      .digest('base64url');
    const dir = mkdtempSync(join(work, 'run-'));
    const termination = join(dir, 'termination-log');
    mkdirSync(join(dir, 'tmp'));
    const env = {
      PATH: process.env['PATH'] ?? '',
      HOME: dir,
      CHECKPOINT_DISABLE: '1',
      TF_CLI_CONFIG_FILE: '/dev/null',
      TOFU_BINARY: tofuBin,
      TMPDIR: join(dir, 'tmp'),
      TOFU_OPERATOR_TERMINATION_LOG: termination,
      TOFU_OPERATOR_ACTION: 'plan',
      TOFU_OPERATOR_EXECUTION: name,
      TOFU_OPERATOR_REPOSITORY: repoUrl,
      TOFU_OPERATOR_REVISION: 'main',
      TOFU_OPERATOR_WORKDIR: '.',
      TOFU_OPERATOR_WORKSPACE: join(dir, 'workspace'),
      TOFU_OPERATOR_NO_COLOR: 'true',
      TOFU_OPERATOR_NAMESPACE: ns,
      TOFU_OPERATOR_OWNER_KIND: 'module',
      TOFU_OPERATOR_OWNER_NAME: module,
      TOFU_OPERATOR_BACKEND: 'Operator',
      TOFU_OPERATOR_RUNNER_API_URL: base,
      TOFU_OPERATOR_RUNNER_TOKEN: token,
      ...extra,
    };
    return new Promise<{ code: number; output: string; result: RunnerResult | undefined; token: string }>((resolve) => {
      execFile(process.execPath, [join(repoRoot, 'apps/runner/dist/main.js')], { env, timeout: 300_000 }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        const message = existsSync(termination) ? readFileSync(termination, 'utf8') : '';
        resolve({ code, output: `${stdout}\n${stderr}`, result: parseRunnerResult(message), token });
      });
    });
  }

  const get = (path: string, user: string, token: string) =>
    fetch(`${base}${path}`, { headers: { authorization: 'Basic ' + Buffer.from(`${user}:${token}`).toString('base64') } });

  before(async () => {
    assert.ok(existsSync(tofuBin), `no tofu binary at ${tofuBin}: build it with the local cluster (tools/cluster) or set TOFU_BIN`);
    await installCrdsAndRbac();
    ns = await newNamespace('runner-plan');
    work = mkdtempSync(join(tmpdir(), 'tofu-runner-plan-'));
    const repo = join(work, 'repo');
    mkdirSync(repo);
    writeFileSync(join(repo, 'main.tf'), MAIN_TF);
    const git = (...args: string[]) =>
      execFileSync('git', args, {
        cwd: repo,
        env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' },
      });
    git('init', '--quiet', '--initial-branch=main');
    git('add', '--all');
    git('commit', '--quiet', '-m', 'hello');
    repoUrl = `file://${repo}`;
    const runnerPort = await freePort();
    base = `http://127.0.0.1:${runnerPort}`;
    operator = new OperatorProcess(await operatorKubeconfig(), {
      PORT: String(await freePort()),
      TOFU_OPERATOR_RUNNER_PORT: String(runnerPort),
      TOFU_OPERATOR_WATCH_NAMESPACE: ns,
    });
    operator.start();
    await operator.waitUntilLeading();
    const keySecret = await waitFor('the runner key Secret', () =>
      admin.get<Secret>(Secrets, 'tofu-operator-system', 'tofu-operator-runner-key'),
    );
    key = Buffer.from(keySecret.data?.['key'] ?? '', 'base64');
  });

  after(async () => {
    await operator?.stop();
    if (ns) await deleteNamespace(ns);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('stores the plan and its masked diff with the digest the runner reports', async () => {
    const execution = await firstExecution('web');
    const name = execution.metadata.name ?? '';
    const run = await runRunner(execution, 'web');
    assert.equal(run.code, 0, run.output);
    const result = run.result;
    assert.equal(result?.ok, true, run.output);
    assert.equal(result?.summary?.text, 'Plan: 1 to add, 0 to change, 0 to destroy.');
    assert.match(result?.planDigest ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.match(run.output, /==> state: module web, kept by the operator/);

    const plan = await get(`/plans/${ns}/${name}`, name, run.token);
    assert.equal(plan.status, 200);
    const bytes = Buffer.from(await plan.arrayBuffer());
    assert.equal(sha256(bytes), result?.planDigest, 'the stored plan is the file the runner reports');
    assert.equal(plan.headers.get('etag'), `"${result?.planDigest}"`, 'the operator computed the same digest');
    const diffAnswer = await get(`/plans/${ns}/${name}/diff`, name, run.token);
    assert.equal(diffAnswer.status, 200);
    const diff = (await diffAnswer.json()) as PlanDiff;
    assert.deepEqual(
      diff.resources.map((r) => [r.address, r.actions]),
      [['terraform_data.hello', ['create']]],
    );
    assert.deepEqual(diff.resources[0]?.attributes.find((a) => a.name === 'input')?.after, { greeting: 'hello', secret: SENSITIVE_MASK });
    assert.ok(!JSON.stringify(diff).includes(SECRET));

    const secrets = (await admin.list<Secret>(Secrets, ns)).items;
    const planChunk = secrets.find((s) => s.metadata?.name === `tofu-plan-${name}-0`);
    assert.equal(planChunk?.metadata?.labels?.[Labels.artifact], 'plan');
    assert.equal(planChunk?.metadata?.ownerReferences?.[0]?.uid, execution.metadata.uid);
    assert.ok(secrets.some((s) => s.metadata?.name === `tofu-diff-${name}-0`));
    assert.ok(!run.output.includes(run.token), 'the runner printed its token');
    assert.ok(!operator.log().includes(run.token), 'the operator logged the token');
  });

  it('stores an encrypted plan when the owner encrypts its state', async () => {
    const execution = await firstExecution('secure');
    const passphrase = 'an e2e passphrase, long enough';
    const run = await runRunner(execution, 'secure', { TOFU_OPERATOR_STATE_PASSPHRASE: passphrase });
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /==> state encryption on\n/);
    assert.ok(!run.output.includes(passphrase));
    const name = execution.metadata.name ?? '';
    const plan = Buffer.from(await (await get(`/plans/${ns}/${name}`, name, run.token)).arrayBuffer());
    assert.equal(sha256(plan), run.result?.planDigest);
    assert.ok(!plan.subarray(0, 2).equals(Buffer.from('PK')), 'the stored plan is encrypted, not a plain zip');
    assert.ok(!plan.includes(SECRET));
  });
});
