import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { NO_AUTH, prepareGitAuth, shellQuote, sshCommand } from './credentials.js';
import { RunnerError } from './errors.js';
import { tempDir } from './testing/fixtures.js';

/** Writes files the way the kubelet mounts a Secret: symlinks to a ..data directory. */
async function secretDir(root: string, data: Record<string, string>): Promise<string> {
  const dir = path.join(root, 'secret');
  await mkdir(path.join(dir, '..data'), { recursive: true });
  for (const [key, value] of Object.entries(data)) {
    await writeFile(path.join(dir, '..data', key), value, { mode: 0o440 });
    await symlink(path.join('..data', key), path.join(dir, key));
  }
  return dir;
}

const invalidInput = (err: unknown): boolean => err instanceof RunnerError && err.category === 'InvalidInput';

describe('shellQuote', () => {
  it('quotes what the shell would split or expand', () => {
    assert.equal(shellQuote('/tmp/a/identity'), '/tmp/a/identity');
    assert.equal(shellQuote('StrictHostKeyChecking=yes'), 'StrictHostKeyChecking=yes');
    assert.equal(shellQuote('/tmp/a b'), "'/tmp/a b'");
    assert.equal(shellQuote("it's $HOME"), `'it'\\''s $HOME'`);
  });
});

describe('sshCommand', () => {
  it('pins the key and checks host keys strictly when known_hosts is given', () => {
    assert.equal(
      sshCommand({ identity: '/tmp/r/identity', knownHosts: '/secret/known_hosts', acceptNewHostsFile: '/tmp/r/known_hosts' }),
      'ssh -i /tmp/r/identity -o IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile=/secret/known_hosts -o StrictHostKeyChecking=yes',
    );
  });

  it('accepts new host keys into its own file otherwise', () => {
    assert.equal(
      sshCommand({ identity: '/tmp/r/identity', acceptNewHostsFile: '/tmp/r/known_hosts' }),
      'ssh -i /tmp/r/identity -o IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile=/tmp/r/known_hosts -o StrictHostKeyChecking=accept-new',
    );
  });
});

describe('prepareGitAuth', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let tmp: string;
  beforeEach(async () => {
    ({ dir: root, cleanup } = await tempDir());
    tmp = path.join(root, 'tmp');
    await mkdir(tmp);
  });
  afterEach(() => cleanup());

  it('needs nothing without a credentials directory', async () => {
    assert.equal(await prepareGitAuth(undefined, tmp), NO_AUTH);
  });

  it('answers git through an askpass program that reads the Secret files', async () => {
    const dir = await secretDir(root, { username: 'bot\n', password: 'tok-1234567\n' });
    const auth = await prepareGitAuth(dir, tmp);
    assert.equal(auth.kind, 'https token');
    assert.deepEqual(auth.secrets, ['tok-1234567']);
    const askpass = auth.env.GIT_ASKPASS ?? assert.fail('no GIT_ASKPASS');
    assert.ok(askpass.startsWith(tmp));
    assert.equal((await stat(askpass)).mode & 0o777, 0o700);
    assert.doesNotMatch(await readFile(askpass, 'utf8'), /tok-1234567/, 'the token is not copied into the script');
    assert.equal(execFileSync(askpass, ["Username for 'https://git.example.com': "], { encoding: 'utf8' }), 'bot\n');
    assert.equal(execFileSync(askpass, ["Password for 'https://bot@git.example.com': "], { encoding: 'utf8' }), 'tok-1234567\n');
  });

  it('uses a private copy of the ssh key and the given known_hosts', async () => {
    const dir = await secretDir(root, {
      identity: '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----',
      known_hosts: 'h ssh-ed25519 AAAA\n',
    });
    const auth = await prepareGitAuth(dir, tmp);
    assert.equal(auth.kind, 'ssh key');
    const identity = path.join(tmp, 'identity');
    assert.equal((await stat(identity)).mode & 0o777, 0o600);
    assert.ok((await readFile(identity, 'utf8')).endsWith('-----END OPENSSH PRIVATE KEY-----\n'), 'ends with a line break as ssh wants');
    assert.equal(
      auth.env.GIT_SSH_COMMAND,
      `ssh -i ${identity} -o IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile=${path.join(dir, 'known_hosts')} -o StrictHostKeyChecking=yes`,
    );
  });

  it('accepts new host keys when no known_hosts is given', async () => {
    const dir = await secretDir(root, { identity: 'key\n' });
    const auth = await prepareGitAuth(dir, tmp);
    assert.match(auth.env.GIT_SSH_COMMAND ?? '', /StrictHostKeyChecking=accept-new/);
  });

  it('sets up both when the Secret has both', async () => {
    const dir = await secretDir(root, { username: 'u', password: 'pass-word', identity: 'key\n' });
    const auth = await prepareGitAuth(dir, tmp);
    assert.ok(auth.env.GIT_ASKPASS && auth.env.GIT_SSH_COMMAND);
    assert.equal(auth.kind, 'https token and ssh key');
  });

  it('refuses incomplete or empty credentials with InvalidInput', async () => {
    await assert.rejects(prepareGitAuth(path.join(root, 'missing'), tmp), invalidInput);
    const empty = await secretDir(root, {});
    await assert.rejects(prepareGitAuth(empty, tmp), invalidInput);
  });

  it('refuses a user name without a password', async () => {
    const dir = await secretDir(root, { username: 'u' });
    await assert.rejects(prepareGitAuth(dir, tmp), invalidInput);
  });

  it('refuses an empty password', async () => {
    const dir = await secretDir(root, { username: 'u', password: '\n' });
    await assert.rejects(prepareGitAuth(dir, tmp), invalidInput);
  });
});
