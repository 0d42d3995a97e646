// https-style token authentication end to end: git's smart HTTP server (git http-backend behind a
// small Node server that demands Basic auth), the runner's GIT_ASKPASS helper, and redaction.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunnerResult } from '@tofu-operator/api-types';
import { configFromEnv, runExecution } from './runner.js';
import { captureIo, cleanEnv, GitRepo, Modules, tempDir, tofuBinary, type CapturedIo } from './testing/fixtures.js';

const USER = 'deploy-bot';
const TOKEN = 'glpat-Zx81-very-secret-token';

/** Serves the repositories under `root` over smart HTTP, for USER:TOKEN only. */
function gitHttpServer(root: string): http.Server {
  const expected = `Basic ${Buffer.from(`${USER}:${TOKEN}`).toString('base64')}`;
  return http.createServer((req, res) => {
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' }).end();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const cgi = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH,
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        GIT_CONFIG_NOSYSTEM: '1',
        REQUEST_METHOD: req.method ?? 'GET',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        ...(req.headers['content-length'] ? { CONTENT_LENGTH: req.headers['content-length'] } : {}),
        HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
        GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
        REMOTE_USER: USER,
        REMOTE_ADDR: '127.0.0.1',
      },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    req.pipe(cgi.stdin);
    // CGI output: headers, a blank line, the body.
    let head = Buffer.alloc(0);
    let started = false;
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (started) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const text = head.toString('latin1');
      const end = text.search(/\r?\n\r?\n/);
      if (end < 0) return;
      const separator = /\r?\n\r?\n/.exec(text.slice(end))?.[0] ?? '\n\n';
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of text.slice(0, end).split(/\r?\n/)) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
        else headers[name] = value;
      }
      res.writeHead(status, headers);
      res.write(head.subarray(end + separator.length));
      started = true;
    });
    cgi.on('close', () => res.end());
  });
}

describe('runner with an https token (git http-backend)', { timeout: 120_000 }, () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let home: string;
  let server: http.Server;
  let repoUrl: string;
  let commit: string;

  before(async () => {
    ({ dir: root, cleanup } = await tempDir());
    home = path.join(root, 'home');
    await mkdir(home);
    const repo = await GitRepo.create(path.join(root, 'served', 'infra'), home);
    commit = await repo.commit({ 'main.tf': Modules.twoResources });
    server = gitHttpServer(path.join(root, 'served'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    repoUrl = `http://127.0.0.1:${port}/infra`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await cleanup();
  });

  /** A directory laid out like the mounted credentials Secret. */
  async function secret(data: Record<string, string>): Promise<string> {
    const dir = await mkdtemp(path.join(root, 'secret-'));
    for (const [key, value] of Object.entries(data)) await writeFile(path.join(dir, key), value, { mode: 0o440 });
    return dir;
  }

  async function run(vars: Record<string, string>): Promise<{ result: RunnerResult; io: CapturedIo }> {
    const workspace = await mkdtemp(path.join(root, 'workspace-'));
    const tmp = await mkdtemp(path.join(root, 'tmp-'));
    const env = cleanEnv(home, {
      TOFU_OPERATOR_ACTION: 'plan',
      TOFU_OPERATOR_REPOSITORY: repoUrl,
      TOFU_OPERATOR_WORKSPACE: workspace,
      TOFU_OPERATOR_NO_COLOR: 'true',
      TOFU_BINARY: tofuBinary(),
      TMPDIR: tmp,
      ...vars,
    });
    const io = captureIo();
    // The server speaks plain HTTP (git's Basic auth is the same over TLS), a scheme admission and
    // configFromEnv refuse: the input is read with an https URL, then pointed at this server.
    const repository = env['TOFU_OPERATOR_REPOSITORY'] ?? repoUrl;
    const config = { ...configFromEnv({ ...env, TOFU_OPERATOR_REPOSITORY: repository.replace(/^http:/, 'https:') }), repository };
    return { result: await runExecution(config, { ...io, env }), io };
  }

  it('clones with the token from the Secret, never printing it', async () => {
    const dir = await secret({ username: `${USER}\n`, password: `${TOKEN}\n` });
    const { result, io } = await run({ TOFU_OPERATOR_GIT_CREDENTIALS_DIR: dir });
    assert.equal(result.ok, true, result.message);
    assert.equal(result.commit, commit);
    assert.equal(result.summary?.text, 'Plan: 2 to add, 0 to change, 0 to destroy.');
    assert.match(io.all(), /==> cloning http:\/\/127\.0\.0\.1:\d+\/infra at the default branch \(with https token credentials\)/);
    assert.ok(!io.all().includes(TOKEN));
  });

  it('reports a wrong token as GitAuthFailed', async () => {
    const dir = await secret({ username: USER, password: 'wrong-token-value' });
    const { result, io } = await run({ TOFU_OPERATOR_GIT_CREDENTIALS_DIR: dir });
    assert.equal(result.category, 'GitAuthFailed', result.message);
    assert.match(result.message ?? '', /refused the credentials/);
    assert.match(result.message ?? '', /Authentication failed/);
    assert.ok(!`${io.all()}${result.message}`.includes('wrong-token-value'));
  });

  it('reports missing credentials as GitAuthFailed without prompting', async () => {
    const { result } = await run({});
    assert.equal(result.category, 'GitAuthFailed', result.message);
    assert.match(result.message ?? '', /terminal prompts disabled|could not read Username/);
  });

  it('redacts a token written in the URL', async () => {
    const url = new URL(repoUrl);
    url.username = USER;
    url.password = TOKEN;
    const { result, io } = await run({ TOFU_OPERATOR_REPOSITORY: url.toString(), TOFU_OPERATOR_REVISION: 'main' });
    assert.equal(result.ok, true, result.message);
    assert.ok(!`${io.all()}${JSON.stringify(result)}`.includes(TOKEN));
    assert.match(io.all(), /==> cloning http:\/\/\*\*\*@127\.0\.0\.1/);
  });
});
