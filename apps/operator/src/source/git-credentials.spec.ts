import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import { CredentialsError, isSshRepository, preparePollAuth, sshCommand } from './git-credentials.js';
import { pollEnv } from './ls-remote.js';

const mode = (file: string) => statSync(file).mode & 0o777;

describe('preparePollAuth', () => {
  it('needs nothing for a public https or git repository', async () => {
    const auth = await preparePollAuth('git://h/r', undefined, false);
    assert.deepEqual(auth.env, {});
  });

  it('answers https credentials through an askpass program reading private files, removed after', async () => {
    const auth = await preparePollAuth(
      'https://h/r',
      { username: 'bot\n', password: 's3cret\n', 'ca.crt': '-----BEGIN CERTIFICATE-----\nx\n' },
      false,
    );
    const askpass = auth.env.GIT_ASKPASS ?? '';
    const dir = path.dirname(askpass);
    assert.equal(mode(dir), 0o700);
    assert.equal(mode(askpass), 0o700);
    assert.equal(mode(auth.env.GIT_SSL_CAINFO ?? ''), 0o600);
    assert.equal(execFileSync(askpass, ["Username for 'https://h': "], { encoding: 'utf8' }), 'bot\n');
    assert.equal(execFileSync(askpass, ["Password for 'https://bot@h': "], { encoding: 'utf8' }), 's3cret\n');
    assert.ok(!JSON.stringify(auth.env).includes('s3cret'), 'the password is in no variable');
    assert.deepEqual(auth.secrets, ['s3cret']);
    await auth.dispose();
    assert.equal(existsSync(dir), false);
  });

  it('checks ssh host keys against known_hosts, or refuses without one unless checking is off', async () => {
    const auth = await preparePollAuth('git@h:o/r.git', { identity: 'KEY', known_hosts: 'h ssh-ed25519 AAAA' }, false);
    const cmd = auth.env.GIT_SSH_COMMAND ?? '';
    assert.match(cmd, /StrictHostKeyChecking=yes/);
    const identity = /-i (\S+)/.exec(cmd)?.[1] ?? '';
    assert.equal(readFileSync(identity, 'utf8'), 'KEY\n');
    assert.equal(mode(identity), 0o600);
    await auth.dispose();
    await assert.rejects(preparePollAuth('ssh://h/r', { identity: 'KEY' }, false), CredentialsError);
    const off = await preparePollAuth('ssh://h/r', undefined, true);
    assert.match(off.env.GIT_SSH_COMMAND ?? '', /StrictHostKeyChecking=no/);
    await off.dispose();
  });

  it('refuses an incomplete Secret with a message naming the key', async () => {
    await assert.rejects(preparePollAuth('https://h/r', { username: 'u' }, false, 'ns/git'), /must have both "username" and "password"/);
    await assert.rejects(preparePollAuth('https://h/r', { 'ca.crt': 'nope' }, false, 'ns/git'), /"ca.crt" .* not a PEM/);
  });
});

describe('isSshRepository, sshCommand and pollEnv', () => {
  it('tells ssh URLs', () => {
    assert.deepEqual(['ssh://h/r', 'git@h:r', 'https://h/r', 'git://h/r'].map(isSshRepository), [true, true, false, false]);
    assert.equal(
      sshCommand({ knownHosts: '/t/k h', strict: true }),
      "ssh -o BatchMode=yes -o ConnectTimeout=15 -o 'UserKnownHostsFile=/t/k h' -o StrictHostKeyChecking=yes",
    );
  });
  it('gives git no prompt, no user configuration and no file:// or ext:: transport, and none of the operator variables', () => {
    const env = pollEnv({ GIT_ASKPASS: '/x' }, { PATH: '/bin', HOME: '/home/op', KUBECONFIG: '/k', TOFU_OPERATOR_X: 'y' });
    assert.equal(env.GIT_TERMINAL_PROMPT, '0');
    assert.equal(env.GIT_ALLOW_PROTOCOL, 'http:https:ssh:git');
    assert.equal(env.GIT_ASKPASS, '/x');
    assert.equal(env.KUBECONFIG, undefined);
    assert.equal(env.TOFU_OPERATOR_X, undefined);
  });
});
