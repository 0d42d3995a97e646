import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeExit, runCommand } from './process.js';

const env = { PATH: process.env.PATH };

describe('runCommand', () => {
  it('streams lines and collects output', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const result = await runCommand('sh', ['-c', 'printf "a\\nb\\r\\nc"; printf "e1\\n" >&2; exit 3'], {
      env,
      onStdout: (l) => out.push(l),
      onStderr: (l) => err.push(l),
    });
    assert.deepEqual(out, ['a', 'b', 'c']);
    assert.deepEqual(err, ['e1']);
    assert.equal(result.code, 3);
    assert.equal(result.stdout, 'a\nb\r\nc');
    assert.equal(result.stderr, 'e1\n');
  });

  it('keeps the tail of long output', async () => {
    const result = await runCommand('sh', ['-c', 'i=0; while [ $i -lt 2000 ]; do echo "line $i"; i=$((i+1)); done'], {
      env,
      stdoutLimit: 100,
    });
    assert.ok(result.stdout.length <= 200);
    assert.ok(result.stdout.endsWith('line 1999\n'));
  });

  it('does not go through a shell', async () => {
    const result = await runCommand('echo', ['$HOME', '`id`', ';', 'x'], { env });
    assert.equal(result.stdout, '$HOME `id` ; x\n');
  });

  it('stops the child when aborted', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const run = runCommand('sleep', ['30'], { env, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stop')), 100);
    await assert.rejects(run, /stop/);
    assert.ok(Date.now() - started < 5000);
  });

  it('rejects when the program does not exist', async () => {
    await assert.rejects(runCommand('/nonexistent/tofu', [], { env }), (err: NodeJS.ErrnoException) => err.code === 'ENOENT');
  });
});

describe('describeExit', () => {
  it('names the code or the signal', () => {
    assert.equal(describeExit({ code: 1, signal: null }), 'exit code 1');
    assert.equal(describeExit({ code: null, signal: 'SIGTERM' }), 'killed by SIGTERM');
  });
});
