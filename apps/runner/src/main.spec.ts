// The compiled entrypoint as the container runs it: exit code, output and termination message.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { parseRunnerResult, type RunnerResult } from '@tofu-operator/api-types';
import { TERMINATION_MESSAGE_LIMIT } from './result.js';
import { cleanEnv, GitRepo, Modules, tempDir, tofuBinary } from './testing/fixtures.js';

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The termination message file, raw. */
  message: string;
  result: RunnerResult | undefined;
}

describe('main (compiled entrypoint)', { timeout: 120_000 }, () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let home: string;
  let repo: GitRepo;

  before(async () => {
    ({ dir: root, cleanup } = await tempDir());
    home = path.join(root, 'home');
    await mkdir(home);
    repo = await GitRepo.create(path.join(root, 'repo'), home);
    const manyErrors = Array.from({ length: 80 }, (_, i) => `output "o${i}" {\n  value = terraform_data.missing_${i}.id\n}\n`).join('\n');
    await repo.commit({ 'main.tf': Modules.twoResources, 'many-errors/main.tf': manyErrors });
  });
  after(() => cleanup());

  /** Runs main.js with the settings; `onStdout` sees the output so far and can signal the child. */
  async function runMain(
    vars: Record<string, string>,
    onStdout?: (text: string, kill: (s: NodeJS.Signals) => void) => void,
  ): Promise<Exit> {
    const dir = await mkdtemp(path.join(root, 'run-'));
    const terminationLog = path.join(dir, 'termination-log');
    const env = cleanEnv(home, {
      TOFU_OPERATOR_ACTION: 'plan',
      TOFU_OPERATOR_EXECUTION: 'main-test',
      TOFU_OPERATOR_REPOSITORY: repo.url,
      TOFU_OPERATOR_REVISION: '',
      TOFU_OPERATOR_WORKDIR: '.',
      TOFU_OPERATOR_WORKSPACE: path.join(dir, 'workspace'),
      TOFU_OPERATOR_NO_COLOR: 'true',
      TOFU_OPERATOR_TERMINATION_LOG: terminationLog,
      TOFU_BINARY: tofuBinary(),
      TMPDIR: dir,
      ...vars,
    });
    await mkdir(env.TOFU_OPERATOR_WORKSPACE ?? '', { recursive: true });
    const child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      onStdout?.(stdout, (s) => child.kill(s));
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const message = await readFile(terminationLog, 'utf8').catch(() => '');
    return { code, stdout, stderr, message, result: parseRunnerResult(message) };
  }

  it('exits 0 and writes the summary on success', async () => {
    const exit = await runMain({});
    assert.equal(exit.code, 0, exit.stderr);
    assert.deepEqual(exit.result, {
      v: 1,
      ok: true,
      summary: { add: 2, change: 0, destroy: 0, hasChanges: true, text: 'Plan: 2 to add, 0 to change, 0 to destroy.' },
      commit: repo.head(),
    });
    assert.equal(exit.message, JSON.stringify(exit.result), 'compact JSON');
    assert.match(exit.stdout, /==> summary: Plan: 2 to add, 0 to change, 0 to destroy\./);
  });

  it('exits 1 and writes the category on failure', async () => {
    const exit = await runMain({ TOFU_OPERATOR_REVISION: 'v404' });
    assert.equal(exit.code, 1);
    assert.equal(exit.result?.ok, false);
    assert.equal(exit.result?.category, 'RevisionNotFound');
    assert.match(exit.stderr, /==> failed \(RevisionNotFound\): revision "v404" not found/);
  });

  it('reports bad settings as InvalidInput', async () => {
    const exit = await runMain({ TOFU_OPERATOR_ACTION: 'import' });
    assert.equal(exit.code, 1);
    assert.equal(exit.result?.category, 'InvalidInput');
    assert.match(exit.result?.message ?? '', /unsupported action "import"/);
  });

  it('keeps the termination message within the kubelet limit', async () => {
    const exit = await runMain({ TOFU_OPERATOR_WORKDIR: 'many-errors' });
    assert.equal(exit.code, 1);
    assert.ok(Buffer.byteLength(exit.message) <= TERMINATION_MESSAGE_LIMIT, `${Buffer.byteLength(exit.message)} bytes`);
    assert.equal(exit.result?.category, 'PlanFailed');
    assert.match(exit.result?.message ?? '', /^tofu plan failed \(exit code 1\):\nError: Reference to undeclared resource/);
    assert.ok(exit.result?.message?.endsWith('…'));
    assert.ok(exit.stderr.length > TERMINATION_MESSAGE_LIMIT, 'the log has all the errors');
  });

  it('stops on SIGTERM and reports it', async () => {
    // A server that accepts connections and never answers: git waits until the runner is stopped.
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      const started = Date.now();
      let signalled = false;
      const exit = await runMain({ TOFU_OPERATOR_REPOSITORY: `git://127.0.0.1:${port}/infra.git` }, (out, kill) => {
        if (!signalled && out.includes('==> cloning')) {
          signalled = true;
          setTimeout(() => kill('SIGTERM'), 300);
        }
      });
      assert.ok(signalled, exit.stdout);
      assert.equal(exit.code, 1);
      assert.equal(exit.result?.category, 'Internal');
      assert.match(exit.result?.message ?? '', /stopped \(SIGTERM\)/);
      assert.ok(Date.now() - started < 20_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
