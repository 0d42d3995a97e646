// The provider mirror's https server (server.ts) on a scratch directory with a throwaway
// certificate: it answers the mirror protocol's files and nothing outside them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const server = resolve(dirname(fileURLToPath(import.meta.url)), 'server.ts');
const scratch = mkdtempSync(join(tmpdir(), 'provider-mirror-spec-'));
const root = join(scratch, 'mirror');
const provider = join(root, 'registry.example.local', 'team', 'thing');

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => (typeof address === 'object' && address ? ok(address.port) : fail(new Error('no port'))));
    });
  });
}

function get(port: number, path: string, method = 'GET'): Promise<{ status: number; type: string; body: string }> {
  const ca = readFileSync(join(scratch, 'cert.pem'));
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, path, method, ca, servername: 'localhost' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', fail);
    req.end();
  });
}

describe('provider mirror server', () => {
  let child: ChildProcess;
  let port: number;

  before(async () => {
    mkdirSync(provider, { recursive: true });
    writeFileSync(join(provider, 'index.json'), '{"versions":{"0.1.0":{}}}\n');
    writeFileSync(join(provider, 'thing_0.1.0_linux_amd64.zip'), 'zip bytes');
    writeFileSync(join(scratch, 'secret.key'), 'never served');
    mkdirSync(join(root, '.hidden', 'a', 'b'), { recursive: true });
    writeFileSync(join(root, '.hidden', 'a', 'b', 'index.json'), '{}');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost',
      ].concat(['-keyout', join(scratch, 'key.pem'), '-out', join(scratch, 'cert.pem')]),
      { stdio: 'ignore' },
    );
    port = await freePort();
    child = spawn(
      process.execPath,
      [server, '--listen', '127.0.0.1', '--port', String(port), '--root', root].concat([
        '--cert',
        join(scratch, 'cert.pem'),
        '--key',
        join(scratch, 'key.pem'),
      ]),
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((ok, fail) => {
      child.stdout?.once('data', () => ok());
      child.once('exit', (code) => fail(new Error(`server exited with ${code}`)));
    });
  });

  after(() => {
    child?.kill();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('serves index.json as JSON and an archive as a zip', async () => {
    const index = await get(port, '/registry.example.local/team/thing/index.json');
    assert.equal(index.status, 200);
    assert.equal(index.type, 'application/json');
    assert.deepEqual(JSON.parse(index.body), { versions: { '0.1.0': {} } });
    const zip = await get(port, '/registry.example.local/team/thing/thing_0.1.0_linux_amd64.zip');
    assert.equal(zip.status, 200);
    assert.equal(zip.type, 'application/zip');
    assert.equal(zip.body, 'zip bytes');
  });

  for (const path of [
    '/registry.example.local/team/thing/missing.json',
    '/registry.example.local/team/index.json',
    '/../secret.key',
    '/registry.example.local/team/%2e%2e/%2e%2e/%2e%2e/secret.key',
    '/registry.example.local/team/thing/..%2f..%2f..%2f..%2fsecret.key',
    '/.hidden/a/b/index.json',
    '/registry.example.local/team/thing/',
  ]) {
    it(`answers 404 for ${path}`, async () => {
      assert.equal((await get(port, path)).status, 404);
    });
  }

  it('is read-only', async () => {
    assert.equal((await get(port, '/registry.example.local/team/thing/index.json', 'PUT')).status, 405);
  });
});
