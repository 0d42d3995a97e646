// The runner against real git repositories (file:// URLs) and the real tofu binary.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunnerResult } from '@tofu-operator/api-types';
import { configFromEnv, runExecution } from './runner.js';
import { captureIo, cleanEnv, GitRepo, Modules, tempDir, tofuBinary, type CapturedIo } from './testing/fixtures.js';

const threeResources = `${Modules.twoResources}
resource "terraform_data" "three" {
  input = "three"
}
`;

describe('runner (real git and tofu)', { timeout: 120_000 }, () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let home: string;
  let tmp: string;
  let repo: GitRepo;
  let empty: GitRepo;
  /** main~1 content: one resource; untagged, not a branch tip. */
  let firstCommit: string;
  /** Tagged v2: two resources. */
  let taggedCommit: string;
  /** Tip of main: three resources. */
  let mainCommit: string;
  /** Tip of feature: adds feature-only/. */
  let featureCommit: string;

  before(async () => {
    ({ dir: root, cleanup } = await tempDir());
    home = path.join(root, 'home');
    tmp = path.join(root, 'tmp');
    await mkdir(home);
    await mkdir(tmp);
    repo = await GitRepo.create(path.join(root, 'repos', 'infra'), home);
    firstCommit = await repo.commit({ 'main.tf': Modules.oneResource }, 'one resource');
    taggedCommit = await repo.commit(
      {
        'main.tf': Modules.twoResources,
        'modules/outputs/main.tf': Modules.outputsOnly,
        'modules/locals/main.tf': Modules.localsOnly,
        'modules/broken/main.tf': Modules.invalidHcl,
        'modules/bad-reference/main.tf': Modules.badReference,
        'README.md': 'not a directory\n',
      },
      'two resources',
    );
    await symlink('../..', path.join(repo.dir, 'modules', 'escape'));
    await symlink('/etc', path.join(repo.dir, 'etc-link'));
    taggedCommit = await repo.commit({}, 'symlinks');
    repo.git('tag', '-a', '-m', 'release 2', 'v2');
    repo.git('branch', 'feature');
    mainCommit = await repo.commit({ 'main.tf': threeResources }, 'three resources');
    repo.git('checkout', '--quiet', 'feature');
    featureCommit = await repo.commit({ 'feature-only/main.tf': Modules.twoResources }, 'feature module');
    repo.git('checkout', '--quiet', 'main');
    empty = await GitRepo.create(path.join(root, 'repos', 'empty'), home);
  });
  after(() => cleanup());

  /** Runs the runner as the Job would, with the given TOFU_OPERATOR_* settings. */
  async function run(
    vars: Record<string, string>,
    extraEnv: NodeJS.ProcessEnv = {},
  ): Promise<{ result: RunnerResult; io: CapturedIo; workspace: string }> {
    const workspace = await mkdtemp(path.join(root, 'workspace-'));
    const env = cleanEnv(home, {
      TOFU_OPERATOR_ACTION: 'plan',
      TOFU_OPERATOR_EXECUTION: 'test-plan',
      TOFU_OPERATOR_REPOSITORY: repo.url,
      TOFU_OPERATOR_REVISION: '',
      TOFU_OPERATOR_WORKDIR: '.',
      TOFU_OPERATOR_WORKSPACE: workspace,
      TOFU_OPERATOR_NO_COLOR: 'true',
      TOFU_BINARY: tofuBinary(),
      TMPDIR: tmp,
      ...vars,
      ...extraEnv,
    });
    const io = captureIo();
    const result = await runExecution(configFromEnv(env), { ...io, env });
    assert.deepEqual(await readdir(tmp), [], 'the run removes its temporary files');
    return { result, io, workspace };
  }

  function assertFailure(result: RunnerResult, category: string, message?: RegExp): void {
    assert.equal(result.ok, false, JSON.stringify(result));
    assert.equal(result.category, category, result.message);
    if (message) assert.match(result.message ?? '', message);
  }

  it('plans the default branch', async () => {
    const { result, io } = await run({});
    assert.deepEqual(result, {
      v: 1,
      ok: true,
      summary: { add: 3, change: 0, destroy: 0, hasChanges: true, text: 'Plan: 3 to add, 0 to change, 0 to destroy.' },
      commit: mainCommit,
    });
    const out = io.stdout.join('\n');
    assert.match(out, new RegExp(`==> cloning ${repo.url} at the default branch`));
    assert.match(out, new RegExp(`==> checked out ${mainCommit}`));
    assert.match(out, /==> tofu init @ \S+Z\n[\s\S]*==> tofu plan @ \S+Z\n[\s\S]*==> summary: Plan: 3 to add, 0 to change, 0 to destroy\./);
    assert.match(out, /terraform_data\.three will be created/, "tofu's own output is streamed");
    assert.doesNotMatch(io.all(), /\u001b\[/, 'no colour with TOFU_OPERATOR_NO_COLOR=true');
  });

  it('plans a tag: two terraform_data resources', async () => {
    const { result } = await run({ TOFU_OPERATOR_REVISION: 'v2' });
    assert.equal(result.ok, true, result.message);
    assert.deepEqual(result.summary, {
      add: 2,
      change: 0,
      destroy: 0,
      hasChanges: true,
      text: 'Plan: 2 to add, 0 to change, 0 to destroy.',
    });
    assert.equal(result.commit, taggedCommit);
  });

  it('plans a branch and a workdir in it', async () => {
    const { result } = await run({ TOFU_OPERATOR_REVISION: 'feature', TOFU_OPERATOR_WORKDIR: 'feature-only' });
    assert.equal(result.ok, true, result.message);
    assert.equal(result.summary?.text, 'Plan: 2 to add, 0 to change, 0 to destroy.');
    assert.equal(result.commit, featureCommit);
  });

  it('plans a full commit id that is no branch tip', async () => {
    const { result, io } = await run({ TOFU_OPERATOR_REVISION: firstCommit });
    assert.equal(result.ok, true, result.message);
    assert.equal(result.summary?.text, 'Plan: 1 to add, 0 to change, 0 to destroy.');
    assert.equal(result.commit, firstCommit);
    assert.doesNotMatch(io.all(), /does not serve single commits/);
  });

  it('fetches every branch and tag when the server refuses a single commit', async () => {
    // Protocol v0 upload-pack refuses unadvertised commits (like some git servers).
    const v0 = { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'protocol.version', GIT_CONFIG_VALUE_0: '0' };
    const { result, io } = await run({ TOFU_OPERATOR_REVISION: firstCommit }, v0);
    assert.equal(result.ok, true, result.message);
    assert.equal(result.commit, firstCommit);
    assert.match(io.all(), /does not serve single commits/);
  });

  it('plans full ref names', async () => {
    const tag = await run({ TOFU_OPERATOR_REVISION: 'refs/tags/v2' });
    assert.equal(tag.result.ok, true, tag.result.message);
    assert.equal(tag.result.commit, taggedCommit);
    const branch = await run({ TOFU_OPERATOR_REVISION: 'refs/heads/feature', TOFU_OPERATOR_WORKDIR: 'feature-only' });
    assert.equal(branch.result.ok, true, branch.result.message);
    assert.equal(branch.result.commit, featureCommit);
  });

  it('plans an abbreviated commit id', async () => {
    const { result } = await run({ TOFU_OPERATOR_REVISION: firstCommit.slice(0, 10) });
    assert.equal(result.ok, true, result.message);
    assert.equal(result.commit, firstCommit);
  });

  it('reports output-only changes', async () => {
    const { result } = await run({ TOFU_OPERATOR_WORKDIR: 'modules/outputs' });
    assert.equal(result.ok, true, result.message);
    assert.deepEqual(result.summary, {
      add: 0,
      change: 0,
      destroy: 0,
      hasChanges: true,
      text: 'Plan: 0 to add, 0 to change, 0 to destroy.',
    });
  });

  it('reports "No changes." for a module with nothing to do', async () => {
    const { result } = await run({ TOFU_OPERATOR_WORKDIR: 'modules/locals/' });
    assert.equal(result.ok, true, result.message);
    assert.deepEqual(result.summary, { add: 0, change: 0, destroy: 0, hasChanges: false, text: 'No changes.' });
  });

  it('keeps tofu colours in the log but not in the failure message', async () => {
    const { result, io } = await run({ TOFU_OPERATOR_WORKDIR: 'modules/bad-reference', TOFU_OPERATOR_NO_COLOR: 'false' });
    assertFailure(result, 'PlanFailed', /^tofu plan failed \(exit code 1\):\nError: Reference to undeclared resource\n/);
    assert.doesNotMatch(result.message ?? '', /\u001b/);
    assert.match(io.all(), /\u001b\[/, 'the log keeps colours');
    assert.equal(result.commit, mainCommit);
  });

  it('reports invalid HCL as InitFailed with the HCL error', async () => {
    const { result } = await run({ TOFU_OPERATOR_WORKDIR: 'modules/broken' });
    assertFailure(result, 'InitFailed', /Error: Invalid expression[\s\S]*on main\.tf line 3/);
    assert.match(result.message ?? '', /Expected the start of an expression/);
  });

  it('reports an unknown branch or tag as RevisionNotFound', async () => {
    const { result } = await run({ TOFU_OPERATOR_REVISION: 'no-such-branch' });
    assertFailure(result, 'RevisionNotFound', /no-such-branch/);
  });

  it('reports an unknown commit id as RevisionNotFound', async () => {
    const { result } = await run({ TOFU_OPERATOR_REVISION: 'f'.repeat(40) });
    assertFailure(result, 'RevisionNotFound', /f{40}/);
  });

  it('reports an empty repository as RevisionNotFound', async () => {
    const { result } = await run({ TOFU_OPERATOR_REPOSITORY: empty.url });
    assertFailure(result, 'RevisionNotFound', /no default branch/);
  });

  it('reports a missing workdir as WorkdirNotFound', async () => {
    const { result } = await run({ TOFU_OPERATOR_WORKDIR: 'feature-only' });
    assertFailure(result, 'WorkdirNotFound', /feature-only/);
    assert.equal(result.commit, mainCommit);
    const file = await run({ TOFU_OPERATOR_WORKDIR: 'README.md' });
    assertFailure(file.result, 'WorkdirNotFound', /not a directory/);
  });

  it('refuses a workdir that leaves the checkout through a symlink', async () => {
    for (const workdir of ['modules/escape', 'etc-link']) {
      const { result } = await run({ TOFU_OPERATOR_WORKDIR: workdir });
      assertFailure(result, 'InvalidInput', /outside the repository/);
    }
  });

  it('reports a missing repository as RepositoryUnreachable', async () => {
    const { result } = await run({ TOFU_OPERATOR_REPOSITORY: 'file:///nonexistent/repo' });
    assertFailure(
      result,
      'RepositoryUnreachable',
      /cannot reach repository file:\/\/\/nonexistent\/repo[\s\S]*does not appear to be a git repository/,
    );
  });

  it('reports a refused connection as RepositoryUnreachable', async () => {
    const { result } = await run({ TOFU_OPERATOR_REPOSITORY: 'git://127.0.0.1:1/x.git' });
    assertFailure(result, 'RepositoryUnreachable', /Connection refused/);
  });

  it('never prints credentials written in the repository URL', async () => {
    const { result, io } = await run({ TOFU_OPERATOR_REPOSITORY: 'https://deploy:sup3r-s3cret@127.0.0.1:1/infra.git' });
    assertFailure(result, 'RepositoryUnreachable');
    const everything = `${io.all()}\n${JSON.stringify(result)}`;
    assert.doesNotMatch(everything, /sup3r-s3cret|deploy:/);
    assert.match(everything, /https:\/\/\*\*\*@127\.0\.0\.1:1\/infra\.git/);
  });
});
