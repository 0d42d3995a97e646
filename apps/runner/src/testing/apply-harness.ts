// Runs the runner as the Job would, against a fake runner API, for the apply integration tests.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { RunnerResult } from '@tofu-operator/api-types';
import { configFromEnv, runExecution } from '../runner.js';
import { captureIo, cleanEnv, GitRepo, tempDir, tofuBinary, type CapturedIo } from './fixtures.js';
import { FakeRunnerApi } from './runner-api-server.js';

/** The namespace of every run. */
export const NS = 'team-a';

export const sha256 = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** One finished run. */
export interface Run {
  result: RunnerResult;
  io: CapturedIo;
  /** The checkout (workspace/source). */
  source: string;
}

/** A git repository, a fake runner API, and runs of the runner against both. */
export class ApplyHarness {
  readonly api = new FakeRunnerApi();
  /** Texts no run may print or report (besides each run's own token). */
  readonly neverPrinted: string[] = [];
  root = '';
  home = '';
  tmp = '';
  repo!: GitRepo;
  private cleanup: () => Promise<void> = () => Promise.resolve();

  async start(): Promise<void> {
    ({ dir: this.root, cleanup: this.cleanup } = await tempDir('runner-apply-'));
    this.home = path.join(this.root, 'home');
    this.tmp = path.join(this.root, 'tmp');
    await mkdir(this.home);
    await mkdir(this.tmp);
    this.repo = await GitRepo.create(path.join(this.root, 'repos', 'infra'), this.home);
    await this.api.start();
  }

  async stop(): Promise<void> {
    await this.api.stop();
    await this.cleanup();
  }

  /** Runs an execution as the Job would (stack "web" of the Operator backend unless `vars` say otherwise); `name` gets its own token. */
  async run(name: string, vars: Record<string, string> = {}): Promise<Run> {
    const token = `token-of-${name}-${Math.random().toString(36).slice(2)}`;
    this.api.tokens.set(name, token);
    const workspace = await mkdtemp(path.join(this.root, 'workspace-'));
    const env = cleanEnv(this.home, {
      TOFU_OPERATOR_ACTION: 'plan',
      TOFU_OPERATOR_EXECUTION: name,
      TOFU_OPERATOR_REPOSITORY: this.repo.url,
      TOFU_OPERATOR_REVISION: '',
      TOFU_OPERATOR_WORKDIR: '.',
      TOFU_OPERATOR_WORKSPACE: workspace,
      TOFU_OPERATOR_NO_COLOR: 'true',
      TOFU_OPERATOR_NAMESPACE: NS,
      TOFU_OPERATOR_OWNER_KIND: 'stack',
      TOFU_OPERATOR_OWNER_NAME: 'web',
      TOFU_OPERATOR_BACKEND: 'Operator',
      TOFU_OPERATOR_RUNNER_API_URL: this.api.url,
      TOFU_OPERATOR_RUNNER_TOKEN: token,
      TOFU_BINARY: tofuBinary(),
      TMPDIR: this.tmp,
      ...vars,
    });
    const io = captureIo();
    const result = await runExecution(configFromEnv(env), { ...io, env });
    assert.deepEqual(await readdir(this.tmp), [], 'the run removes its temporary files');
    const everything = `${io.all()}\n${JSON.stringify(result)}`;
    for (const secret of [token, ...this.neverPrinted])
      assert.ok(
        !everything.includes(secret),
        `${name} printed a secret: ${everything
          .split('\n')
          .filter((l) => l.includes(secret))
          .join(' / ')
          .replaceAll(secret, '<HERE>')}`,
      );
    return { result, io, source: path.join(workspace, 'source') };
  }

  /** An apply (or destroy) of the stored plan `planName` at `commit`, approved with the stored plan's digest. */
  apply(name: string, planName: string, commit: string, vars: Record<string, string> = {}): Promise<Run> {
    return this.run(name, {
      TOFU_OPERATOR_ACTION: 'apply',
      TOFU_OPERATOR_REVISION: commit,
      TOFU_OPERATOR_PLAN_NAME: planName,
      TOFU_OPERATOR_PLAN_DIGEST: sha256(this.api.plans.get(`${NS}/${planName}`) ?? Buffer.alloc(0)),
      ...vars,
    });
  }

  /** The names of the resources in a stack's stored state (plaintext). */
  resources(owner = 'web'): string[] {
    return ((this.api.stateJson(NS, 'stack', owner)?.['resources'] ?? []) as { name: string }[]).map((r) => r.name).sort();
  }

  /** The requests one execution made. */
  byUser(user: string): { method: string; path: string }[] {
    return this.api.requests.filter((r) => r.user === user);
  }
}

export function assertOk(r: RunnerResult): void {
  assert.equal(r.ok, true, `${r.category}: ${r.message}`);
}

export function assertFailed(r: RunnerResult, category: string, message: RegExp): void {
  assert.equal(r.ok, false, JSON.stringify(r));
  assert.equal(r.category, category, r.message);
  assert.match(r.message ?? '', message);
}

/** Runs the real tofu in `dir` (no CLI configuration of this machine). */
export function tofuIn(dir: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(tofuBinary(), [...args, '-no-color'], { cwd: dir, env }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: `${stdout}\n${stderr}` }),
    );
  });
}
