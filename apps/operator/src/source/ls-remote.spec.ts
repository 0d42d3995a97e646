import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pollEnv, runGit } from './ls-remote.js';

describe('runGit', () => {
  it('kills git and its ssh at the deadline', async () => {
    const started = Date.now();
    const result = await runGit(['ls-remote', '--', 'ssh://h.invalid/r'], pollEnv({ GIT_SSH_COMMAND: 'sleep 30 #' }), 500);
    assert.equal(result.timedOut, true);
    assert.ok(Date.now() - started < 5_000, 'did not wait for ssh');
  });
  it('refuses file:// repositories (the operator disk)', async () => {
    const result = await runGit(['ls-remote', '--', `file://${process.cwd()}`], pollEnv({}));
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /transport 'file' not allowed/);
  });
});
