import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isSshRepository, keyscanHint, NO_AUTH, prepareGitAuth, shellQuote, sshCommand, type GitAuthOptions } from './credentials.js';
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
const hostKeyMissing = (err: unknown): boolean =>
  err instanceof RunnerError &&
  err.category === 'HostKeyMissing' &&
  /known_hosts/.test(err.message) &&
  /ssh-keyscan -p 2222 10\.88\.0\.1/.test(err.message);

const HTTPS: GitAuthOptions = { repository: 'https://git.example.com/team/infra.git' };
const SSH: GitAuthOptions = { repository: 'ssh://git@10.88.0.1:2222/infra' };
const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('shellQuote', () => {
  it('quotes what the shell would split or expand', () => {
    assert.equal(shellQuote('/tmp/a/identity'), '/tmp/a/identity');
    assert.equal(shellQuote('StrictHostKeyChecking=yes'), 'StrictHostKeyChecking=yes');
    assert.equal(shellQuote('/tmp/a b'), "'/tmp/a b'");
    assert.equal(shellQuote("it's $HOME"), `'it'\\''s $HOME'`);
  });
});

describe('sshCommand', () => {
  it('pins the key and checks host keys strictly against known_hosts', () => {
    assert.equal(
      sshCommand({ identity: '/tmp/r/identity', knownHosts: '/secret/known_hosts', strict: true }),
      'ssh -i /tmp/r/identity -o IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile=/secret/known_hosts -o StrictHostKeyChecking=yes',
    );
  });

  it('accepts any host key into the given file when checking is off', () => {
    assert.equal(
      sshCommand({ identity: '/tmp/r/identity', knownHosts: '/tmp/r/known_hosts', strict: false }),
      'ssh -i /tmp/r/identity -o IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile=/tmp/r/known_hosts -o StrictHostKeyChecking=no',
    );
  });
});

describe('isSshRepository and keyscanHint', () => {
  const cases: [string, boolean, string][] = [
    ['ssh://git@10.88.0.1:2222/infra', true, 'ssh-keyscan -p 2222 10.88.0.1'],
    ['git+ssh://git@git.example.com/team/infra.git', true, 'ssh-keyscan git.example.com'],
    ['ssh://git@[::1]:22/r', true, 'ssh-keyscan -p 22 ::1'],
    ['git@github.com:team/infra.git', true, 'ssh-keyscan github.com'],
    ['https://git.example.com/team/infra.git', false, ''],
    ['http://127.0.0.1:9418/r', false, ''],
    ['git://10.88.0.1/tofu-samples', false, ''],
    ['/srv/git/infra', false, ''],
  ];
  for (const [url, ssh, hint] of cases) {
    it(`${url} is ${ssh ? '' : 'not '}ssh`, () => {
      assert.equal(isSshRepository(url), ssh);
      if (ssh) assert.equal(keyscanHint(url), hint);
    });
  }
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
    assert.equal(await prepareGitAuth(undefined, tmp, HTTPS), NO_AUTH);
  });

  it('answers git through an askpass program that reads the Secret files', async () => {
    const dir = await secretDir(root, { username: 'bot\n', password: 'tok-1234567\n' });
    const auth = await prepareGitAuth(dir, tmp, HTTPS);
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
    const auth = await prepareGitAuth(dir, tmp, SSH);
    assert.equal(auth.kind, 'ssh key');
    const identity = path.join(tmp, 'identity');
    assert.equal((await stat(identity)).mode & 0o777, 0o600);
    assert.ok((await readFile(identity, 'utf8')).endsWith('-----END OPENSSH PRIVATE KEY-----\n'), 'ends with a line break as ssh wants');
    assert.equal(
      auth.env.GIT_SSH_COMMAND,
      `ssh -i ${identity} -o IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile=${path.join(dir, 'known_hosts')} -o StrictHostKeyChecking=yes`,
    );
  });

  it('refuses an ssh repository without known_hosts with HostKeyMissing, Secret or not', async () => {
    const dir = await secretDir(root, { identity: 'key\n' });
    await assert.rejects(prepareGitAuth(dir, tmp, SSH), hostKeyMissing);
    await assert.rejects(prepareGitAuth(undefined, tmp, SSH), hostKeyMissing);
    await assert.rejects(
      prepareGitAuth(undefined, tmp, { repository: 'git@10.88.0.1:infra' }),
      (err) => err instanceof RunnerError && err.category === 'HostKeyMissing',
    );
  });

  it('accepts any host key into a private file, with a warning, when checking is turned off', async () => {
    const dir = await secretDir(root, { identity: 'key\n' });
    const auth = await prepareGitAuth(dir, tmp, { ...SSH, insecureSkipHostKey: true });
    assert.equal(
      auth.env.GIT_SSH_COMMAND,
      `ssh -i ${path.join(tmp, 'identity')} -o IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile=${path.join(tmp, 'known_hosts')} -o StrictHostKeyChecking=no`,
    );
    assert.equal(await readFile(path.join(tmp, 'known_hosts'), 'utf8'), '', 'starts empty: nothing is carried over');
    assert.equal(auth.kind, 'ssh key');
    assert.match(auth.warnings?.join('\n') ?? '', /warning: ssh host key checking is off .*ssh:\/\/git@10\.88\.0\.1:2222\/infra/);
    const anonymous = await prepareGitAuth(undefined, tmp, { ...SSH, insecureSkipHostKey: true });
    assert.match(anonymous.env.GIT_SSH_COMMAND ?? '', /StrictHostKeyChecking=no/);
    assert.equal(anonymous.warnings?.length, 1);
  });

  it('checks known_hosts even when checking may be turned off', async () => {
    const dir = await secretDir(root, { identity: 'key\n', known_hosts: 'h ssh-ed25519 AAAA\n' });
    const auth = await prepareGitAuth(dir, tmp, { ...SSH, insecureSkipHostKey: true });
    assert.match(auth.env.GIT_SSH_COMMAND ?? '', /StrictHostKeyChecking=yes/);
    assert.deepEqual(auth.warnings, []);
  });

  it('trusts a private CA from "ca.crt" for https', async () => {
    const dir = await secretDir(root, { username: 'bot', password: 'tok-1234567', 'ca.crt': CA });
    const auth = await prepareGitAuth(dir, tmp, HTTPS);
    assert.equal(auth.env.GIT_SSL_CAINFO, path.join(dir, 'ca.crt'));
    assert.equal(auth.kind, 'https token and CA certificate');
    assert.deepEqual(auth.secrets, ['tok-1234567']);
    const caOnly = await prepareGitAuth(await secretDir(path.join(root, 'ca-only'), { 'ca.crt': CA }), tmp, HTTPS);
    assert.equal(caOnly.env.GIT_ASKPASS, undefined);
    assert.ok(caOnly.env.GIT_SSL_CAINFO);
  });

  it('refuses a "ca.crt" that is not a PEM certificate', async () => {
    const dir = await secretDir(root, { username: 'bot', password: 'tok-1234567', 'ca.crt': 'not a certificate' });
    await assert.rejects(prepareGitAuth(dir, tmp, HTTPS), (err) => invalidInput(err) && /ca\.crt/.test((err as Error).message));
  });

  it('refuses incomplete or empty credentials with InvalidInput', async () => {
    await assert.rejects(prepareGitAuth(path.join(root, 'missing'), tmp, HTTPS), invalidInput);
    const empty = await secretDir(root, {});
    await assert.rejects(prepareGitAuth(empty, tmp, HTTPS), invalidInput);
  });

  it('refuses a user name without a password', async () => {
    const dir = await secretDir(root, { username: 'u' });
    await assert.rejects(prepareGitAuth(dir, tmp, HTTPS), invalidInput);
  });

  it('refuses an empty password', async () => {
    const dir = await secretDir(root, { username: 'u', password: '\n' });
    await assert.rejects(prepareGitAuth(dir, tmp, HTTPS), invalidInput);
  });
});
