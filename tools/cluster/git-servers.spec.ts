// The private git servers' own parts, without a cluster: the https server (git-https/server.ts, real
// git http-backend behind TLS) on 127.0.0.1 with a scratch certificate, and the ssh server's forced
// command (lib/git-ssh-command.sh) run as sshd runs it, with SSH_ORIGINAL_COMMAND.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'git-servers-spec-'));
const root = join(scratch, 'git');
const token = 'tok-0123456789abcdef0123';

/** A served bare repository `infra` whose main holds main.tf. */
function serveRepository(): void {
  const work = join(scratch, 'work');
  execFileSync('git', ['init', '-q', '-b', 'main', work]);
  writeFileSync(join(work, 'main.tf'), 'locals {}\n');
  execFileSync('git', ['-C', work, 'add', '.']);
  execFileSync('git', ['-C', work, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'one']);
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', join(root, 'infra')]);
  execFileSync('git', ['-C', work, 'push', '-q', join(root, 'infra'), 'main']);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  await new Promise<void>((r) => server.close(() => r()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function get(url: string, ca: string, auth?: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolvePromise, reject) => {
    const req = request(url, { ca, headers: auth ? { Authorization: `Basic ${Buffer.from(auth).toString('base64')}` } : {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

before(serveRepository);
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('git https server', () => {
  let server: ChildProcess;
  let base: string;
  let ca: string;
  let output = '';

  before(async () => {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(scratch, 'tls.key'), '-out', join(scratch, 'tls.crt'),
    ], { stdio: 'ignore' }); // prettier-ignore
    ca = readFileSync(join(scratch, 'tls.crt'), 'utf8');
    writeFileSync(join(scratch, 'token'), `${token}\n`);
    const port = await freePort();
    base = `https://127.0.0.1:${port}`;
    server = spawn(
      process.execPath,
      [
        join(here, 'git-https', 'server.ts'),
        ...['--listen', '127.0.0.1', '--port', String(port), '--root', root],
        ...['--cert', join(scratch, 'tls.crt'), '--key', join(scratch, 'tls.key'), '--token-file', join(scratch, 'token')],
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    server.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    server.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    for (let i = 0; i < 100 && !output.includes('git https serving'); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(output, /git https serving/, output);
  });

  after(() => {
    server?.kill();
  });

  const git = (args: string[], cwd = scratch) =>
    spawnSync('git', args, {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, GIT_SSL_CAINFO: join(scratch, 'tls.crt'), GIT_TERMINAL_PROMPT: '0' },
    });

  it('clones with the token as password, whatever the user name', () => {
    const url = new URL(`${base}/infra`);
    url.username = 'anyone';
    url.password = token;
    const r = git(['clone', '-q', url.toString(), join(scratch, 'clone')]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(join(scratch, 'clone', 'main.tf'), 'utf8'), 'locals {}\n');
  });

  it('asks for basic auth without credentials and refuses a wrong token', async () => {
    const none = await get(`${base}/infra/info/refs?service=git-upload-pack`, ca);
    assert.equal(none.status, 401);
    assert.match(String(none.headers['www-authenticate']), /^Basic realm=/);
    const wrong = await get(`${base}/infra/info/refs?service=git-upload-pack`, ca, 'git:not-the-token');
    assert.equal(wrong.status, 401);
    const r = git(['ls-remote', `https://git:wrong@127.0.0.1:${new URL(base).port}/infra`]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /Authentication failed/);
  });

  it('serves clone and fetch only: no push, no other path', async () => {
    const auth = `git:${token}`;
    assert.equal((await get(`${base}/infra/info/refs?service=git-receive-pack`, ca, auth)).status, 403);
    assert.equal((await get(`${base}/.hidden/info/refs?service=git-upload-pack`, ca, auth)).status, 403);
    assert.equal((await get(`${base}/infra/objects/info/packs`, ca, auth)).status, 403);
    const refs = await get(`${base}/infra/info/refs?service=git-upload-pack`, ca, auth);
    assert.equal(refs.status, 200);
    assert.match(refs.body, /refs\/heads\/main/);
  });

  it('never logs the token', () => {
    assert.match(output, /GET \/infra\/info\/refs\?service=git-upload-pack 401/);
    assert.ok(!output.includes(token));
  });
});

describe("git ssh server's forced command", () => {
  const command = resolve(here, 'lib', 'git-ssh-command.sh');
  const run = (original: string) =>
    // A flush packet: the client wants nothing after the advertisement, so upload-pack ends cleanly.
    spawnSync('bash', [command, root], { input: '0000', encoding: 'utf8', env: { ...process.env, SSH_ORIGINAL_COMMAND: original } });

  it('runs git-upload-pack of a served name, as git sends it for ssh://host/name and host:name', () => {
    for (const original of ["git-upload-pack '/infra'", "git-upload-pack 'infra.git'", "git upload-pack '/infra'"]) {
      const r = run(original);
      assert.equal(r.status, 0, `${original}: ${r.stderr}`);
      assert.match(r.stdout, /refs\/heads\/main/, original);
    }
  });

  it('refuses a shell, a push, a path outside the root and a name it does not serve', () => {
    const refused: [string, RegExp][] = [
      ['', /only serves git clone and fetch/],
      ['bash -i', /only serves git clone and fetch/],
      ["git-receive-pack '/infra'", /only serves git clone and fetch/],
      ["git-upload-pack '/../infra'", /only serves git clone and fetch/],
      ["git-upload-pack '/infra'; id", /only serves git clone and fetch/],
      ["git-upload-pack '/..'", /no repository/],
      ["git-upload-pack '/missing'", /no repository 'missing'/],
    ];
    for (const [original, message] of refused) {
      const r = run(original);
      assert.equal(r.status, 1, original);
      assert.match(r.stderr, message, original);
      assert.equal(r.stdout, '', original);
    }
  });
});
