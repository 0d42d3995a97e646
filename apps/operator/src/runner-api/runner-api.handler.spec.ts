import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { TofuExecution, TofuModule } from '@tofu-operator/api-types';
import { sha256Digest } from './chunking.js';
import { OutputsStore } from './outputs-store.service.js';
import { PlanStore } from './plan-store.service.js';
import { createRunnerApiHandler } from './runner-api.handler.js';
import { RunnerKeyService } from './runner-key.service.js';
import { FakeSecretApi } from './secret-api.fake.js';
import { StateStore } from './state-store.service.js';

function execution(name: string, spec: Record<string, unknown>, phase?: 'Succeeded'): TofuExecution {
  return {
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuExecution',
    metadata: { name, namespace: 'ns', uid: `uid-${name}` },
    spec: { action: 'plan', ...spec },
    ...(phase ? { status: { phase } } : {}),
  };
}

const runs = new Map<string, TofuExecution>(
  [
    execution('web-p1', { moduleRef: { name: 'web' } }),
    execution('db-p1', { moduleRef: { name: 'db' } }),
    execution('db-p2', { moduleRef: { name: 'db' } }),
    execution('web-apply', { action: 'apply', moduleRef: { name: 'web' }, planRef: { name: 'web-p1' } }),
    execution('web-done', { moduleRef: { name: 'web' } }, 'Succeeded'),
    execution('db-apply', { action: 'apply', moduleRef: { name: 'db' }, planRef: { name: 'db-p1' } }),
  ].map((x) => [x.metadata.name ?? '', x]),
);

const CANARY = 'canary-7d1f-output';
const webModule: TofuModule = {
  apiVersion: 'tofu-operator.io/v1alpha1',
  kind: 'TofuModule',
  metadata: { name: 'web', namespace: 'ns', uid: 'uid-module-web' },
  spec: { source: { repository: 'https://git.example/web.git' }, outputs: { secretName: 'web-outputs' } },
};
// Module db is not in the cache: its outputs have no owner to go to.
const owners = {
  modules: { hasSynced: true, get: (ns: string, name: string) => (ns === 'ns' && name === 'web' ? webModule : undefined) },
  stacks: { hasSynced: true, get: () => undefined },
};

describe('runner API handler', () => {
  const api = new FakeSecretApi();
  let logText = '';
  const log = pino({ level: 'debug' }, new Writable({ write: (c: Buffer, _e, cb) => ((logText += c.toString()), cb()) }));
  const keys = new RunnerKeyService(api, { leaseNamespace: 'system' }, log);
  const cache = { hasSynced: true, get: (ns: string, name: string) => (ns === 'ns' ? runs.get(name) : undefined) };
  const handler = createRunnerApiHandler({
    executions: cache,
    keys,
    state: new StateStore(api, log),
    plans: new PlanStore(api, log),
    outputs: new OutputsStore(api, log, owners),
    log,
    limits: { stateBytes: 4 * 1024 * 1024, planBytes: 12 * 1024 * 1024, lockBytes: 1024, outputsBytes: 64 * 1024 },
  });
  let server: Server;
  let base = '';
  const token: Record<string, string> = {};

  before(async () => {
    server = createServer(handler);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (const [name, x] of runs) token[name] = await keys.mint({ namespace: 'ns', name, uid: x.metadata.uid ?? '' });
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  async function call(method: string, path: string, as?: string, body?: Buffer | string, headers: Record<string, string> = {}) {
    const h: Record<string, string> = { ...headers };
    if (as) h['authorization'] = 'Basic ' + Buffer.from(`${as}:${token[as] ?? 'wrong'}`).toString('base64');
    const res = await fetch(base + path, { method, headers: h, body });
    return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
  }
  const json = (r: { bytes: Buffer }) => JSON.parse(r.bytes.toString()) as Record<string, unknown>;
  function assertError(r: { status: number; bytes: Buffer }, status: number, reason: string) {
    assert.equal(r.status, status, r.bytes.toString());
    const body = json(r);
    assert.equal(body['status'], status);
    assert.equal(body['reason'], reason);
    assert.equal(typeof body['message'], 'string');
  }

  it('asks for credentials (401 with a Basic challenge) and refuses wrong ones alike', async () => {
    const none = await call('GET', '/state/ns/module/web');
    assertError(none, 401, 'Unauthorized');
    assert.match(none.headers.get('www-authenticate') ?? '', /^Basic /);
    token['ghost'] = token['web-p1'] ?? '';
    assertError(await call('GET', '/state/ns/module/web', 'nobody'), 401, 'Unauthorized');
    assertError(await call('GET', '/state/ns/module/web', 'ghost'), 401, 'Unauthorized');
    // A token is bound to its execution: db-p1's token does not open web-p1.
    const h = { authorization: 'Basic ' + Buffer.from(`web-p1:${token['db-p1']}`).toString('base64') };
    assertError(await call('GET', '/state/ns/module/web', undefined, undefined, h), 401, 'Unauthorized');
  });

  it('answers 503 until the executions cache has synced', async () => {
    cache.hasSynced = false;
    try {
      const r = await call('GET', '/state/ns/module/web', 'web-p1');
      assertError(r, 503, 'ServiceUnavailable');
      assert.equal(r.headers.get('retry-after'), '2');
    } finally {
      cache.hasSynced = true;
    }
  });

  it('serves the http backend: 204 without state, LOCK, 423 for another, POST with the id (an apply), GET, UNLOCK', async () => {
    assert.equal((await call('GET', '/state/ns/module/web', 'web-apply')).status, 204);
    const lock = {
      ID: 'id-1',
      Operation: 'OperationTypeApply',
      Info: '',
      Who: 'runner@pod',
      Version: '1.12.6',
      Created: '2025-01-01T00:00:00Z',
      Path: '',
    };
    assert.equal((await call('LOCK', '/state/ns/module/web', 'web-apply', JSON.stringify(lock))).status, 200);
    const refused = await call('LOCK', '/state/ns/module/web', 'web-p1', JSON.stringify({ ...lock, ID: 'id-2' }));
    assert.equal(refused.status, 423);
    const { Info: _info, Path: _path, ...shown } = lock;
    assert.deepEqual(json(refused), shown, 'the holder, as OpenTofu reads it (empty fields left out)');
    const state = Buffer.from(JSON.stringify({ version: 4, serial: 1, lineage: 'l' }));
    assertError(await call('POST', '/state/ns/module/web', 'web-apply', state), 423, 'Locked');
    assertError(await call('POST', '/state/ns/module/web?ID=id-2', 'web-apply', state), 423, 'Locked');
    const md5 = createHash('md5').update(state).digest('base64');
    assertError(
      await call('POST', '/state/ns/module/web?ID=id-1', 'web-apply', state, { 'content-md5': 'AAAA' + md5.slice(4) }),
      400,
      'BadRequest',
    );
    const posted = await call('POST', '/state/ns/module/web?ID=id-1', 'web-apply', state, { 'content-md5': md5 });
    assert.equal(posted.status, 200);
    assert.equal(json(posted)['digest'], sha256Digest(state));
    const got = await call('GET', '/state/ns/module/web', 'web-apply');
    assert.equal(got.status, 200);
    assert.ok(got.bytes.equals(state));
    assert.equal(got.headers.get('content-md5'), md5);
    assert.equal(got.headers.get('etag'), `"${sha256Digest(state)}"`);
    const mismatch = await call('UNLOCK', '/state/ns/module/web', 'web-apply', JSON.stringify({ ...lock, ID: 'id-2' }));
    assert.equal(mismatch.status, 409);
    assert.equal(json(mismatch)['ID'], 'id-1');
    assert.equal((await call('UNLOCK', '/state/ns/module/web', 'web-apply', JSON.stringify(lock))).status, 200);
    assert.equal((await call('LOCK', '/state/ns/module/web', 'web-p1', JSON.stringify({ ...lock, ID: 'id-2' }))).status, 200);
    assert.equal((await call('UNLOCK', '/state/ns/module/web', 'web-p1', '')).status, 200, 'force-unlock without a body');
  });

  it("refuses another owner's state (403), a finished execution (403), malformed lock info (400)", async () => {
    assertError(await call('GET', '/state/ns/module/db', 'web-p1'), 403, 'Forbidden');
    assertError(await call('GET', '/state/ns/stack/web', 'web-p1'), 403, 'Forbidden');
    assertError(await call('GET', '/state/ns/module/web', 'web-done'), 403, 'Forbidden');
    assertError(await call('LOCK', '/state/ns/module/web', 'web-p1', '{"Who":"x"}'), 400, 'BadRequest');
  });

  it('releases the lock of a run that finished or was deleted to the next run, not before (its runner may not unlock)', async () => {
    const lockOf = (id: string) => JSON.stringify({ ID: id, Who: 'runner@pod', Created: '2025-01-01T00:00:00Z' });
    assert.equal((await call('LOCK', '/state/ns/module/db', 'db-p1', lockOf('db-1'))).status, 200);
    assert.equal((await call('LOCK', '/state/ns/module/db', 'db-p2', lockOf('db-2'))).status, 423, 'its holder still runs');
    const p1 = runs.get('db-p1');
    assert.ok(p1);
    runs.set('db-p1', { ...p1, status: { phase: 'Failed' } });
    try {
      assertError(await call('UNLOCK', '/state/ns/module/db', 'db-p1', lockOf('db-1')), 403, 'Forbidden');
      assert.equal((await call('LOCK', '/state/ns/module/db', 'db-p2', lockOf('db-2'))).status, 200);
      assert.match(logText, /"released":"db-p1","execution":"db-p2".*"msg":"state lock of a finished execution released"/);
      // A deleted holder (gone from the cache, or replaced by a new execution of its name) alike.
      runs.set('db-p1', p1);
      runs.delete('db-p2');
      assert.equal((await call('LOCK', '/state/ns/module/db', 'db-p1', lockOf('db-3'))).status, 200);
    } finally {
      runs.set('db-p1', p1);
      runs.set('db-p2', execution('db-p2', { moduleRef: { name: 'db' } }));
      await call('UNLOCK', '/state/ns/module/db', 'db-p1', '');
    }
  });

  it('limits body sizes (413) and closes the connection of a refused upload', async () => {
    const big = await call('POST', '/state/ns/module/web', 'web-apply', randomBytes(4 * 1024 * 1024 + 1));
    assertError(big, 413, 'RequestEntityTooLarge');
    assert.equal(big.headers.get('connection'), 'close');
    assertError(await call('LOCK', '/state/ns/module/web', 'web-p1', 'x'.repeat(2000)), 413, 'RequestEntityTooLarge');
  });

  it('answers 503 when uploads in flight would pass the memory budget', async () => {
    const small = createRunnerApiHandler({
      executions: cache,
      keys,
      state: new StateStore(api, log),
      plans: new PlanStore(api, log),
      outputs: new OutputsStore(api, log, owners),
      log,
      limits: { bufferedBytes: 1024 },
    });
    const s = createServer(small);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}/state/ns/module/web`;
      const h = { authorization: 'Basic ' + Buffer.from(`web-apply:${token['web-apply']}`).toString('base64') };
      const r = await fetch(url, { method: 'POST', headers: h, body: Buffer.alloc(2048) });
      assert.equal(r.status, 503);
      assert.equal(r.headers.get('retry-after'), '2');
      assert.equal((await fetch(url, { method: 'POST', headers: h, body: Buffer.from('{}') })).status, 200, 'a small one fits');
    } finally {
      await new Promise<void>((r) => s.close(() => r()));
    }
  });

  it('stores a plan once and serves it to the apply its planRef names', async () => {
    const plan = randomBytes(10 * 1024 * 1024);
    const put = await call('PUT', '/plans/ns/web-p1', 'web-p1', plan);
    assert.equal(put.status, 201);
    assert.deepEqual(json(put), { digest: sha256Digest(plan) });
    assert.equal((await call('PUT', '/plans/ns/web-p1', 'web-p1', plan)).status, 200, 'a retried upload');
    assertError(await call('PUT', '/plans/ns/web-p1', 'web-p1', Buffer.from('other')), 409, 'Conflict');
    const got = await call('GET', '/plans/ns/web-p1', 'web-apply');
    assert.equal(got.status, 200);
    assert.ok(got.bytes.equals(plan));
    assert.equal(got.headers.get('etag'), `"${sha256Digest(plan)}"`);
    assertError(await call('GET', '/plans/ns/db-p1', 'web-apply'), 403, 'Forbidden');
    assertError(await call('PUT', '/plans/ns/db-p1', 'web-p1', plan), 403, 'Forbidden');
    assertError(await call('GET', '/plans/ns/db-p1', 'db-p1'), 404, 'NotFound');
  });

  it('takes the diff as JSON only', async () => {
    assertError(await call('PUT', '/plans/ns/web-p1/diff', 'web-p1', 'not json'), 400, 'BadRequest');
    assert.equal((await call('PUT', '/plans/ns/web-p1/diff', 'web-p1', '{"changes":[]}')).status, 201);
    const got = await call('GET', '/plans/ns/web-p1/diff', 'web-apply');
    assert.equal(got.headers.get('content-type'), 'application/json');
    assert.equal(got.bytes.toString(), '{"changes":[]}');
  });

  it('answers unknown paths 404 and other methods 405 with Allow', async () => {
    assertError(await call('GET', '/state/ns/other/web', 'web-p1'), 404, 'NotFound');
    const r = await call('DELETE', '/state/ns/module/web', 'web-p1');
    assertError(r, 405, 'MethodNotAllowed');
    assert.equal(r.headers.get('allow'), 'GET, POST, LOCK, UNLOCK');
  });

  it('takes the outputs of an apply (204): stored for its owner and in spec.outputs.secretName', async () => {
    const outputs = JSON.stringify({
      url: { sensitive: false, type: 'string', value: 'https://web.example' },
      password: { sensitive: true, type: 'string', value: CANARY },
    });
    const put = await call('PUT', '/outputs/ns/web-apply', 'web-apply', outputs, { 'content-type': 'application/json' });
    assert.equal(put.status, 204, put.bytes.toString());
    assert.equal(put.bytes.length, 0);
    const stored = await new OutputsStore(api, log, owners).read('ns', { kind: 'module', name: 'web' });
    assert.equal(stored?.execution, 'web-apply');
    assert.deepEqual(Object.keys(stored?.outputs ?? {}).sort(), ['password', 'url']);
    const secret = api.objects.get('ns/web-outputs');
    assert.equal(Buffer.from(secret?.data?.['password'] ?? '', 'base64').toString(), JSON.stringify(CANARY));
  });

  it('refuses outputs from a plan or for another run (403), bad JSON (400), too large (413), without owner (409)', async () => {
    const outputs = '{"a":{"sensitive":false,"value":1}}';
    assertError(await call('PUT', '/outputs/ns/web-p1', 'web-p1', outputs), 403, 'Forbidden');
    assertError(await call('PUT', '/outputs/ns/web-p1', 'web-apply', outputs), 403, 'Forbidden');
    assertError(await call('PUT', '/outputs/ns/web-done', 'web-done', outputs), 403, 'Forbidden');
    assertError(await call('PUT', '/outputs/ns/web-apply', undefined, outputs), 401, 'Unauthorized');
    const bad = await call('PUT', '/outputs/ns/web-apply', 'web-apply', `{"a":"${CANARY}"}`);
    assertError(bad, 400, 'BadRequest');
    assert.doesNotMatch(bad.bytes.toString(), /canary/);
    assertError(await call('PUT', '/outputs/ns/web-apply', 'web-apply', 'x'.repeat(64 * 1024 + 1)), 413, 'RequestEntityTooLarge');
    const orphan = await call('PUT', '/outputs/ns/db-apply', 'db-apply', outputs);
    assertError(orphan, 409, 'Conflict');
    assert.match(json(orphan)['message'] as string, /module ns\/db does not exist/);
    assertError(await call('GET', '/outputs/ns/web-apply', 'web-apply'), 405, 'MethodNotAllowed');
    owners.modules.hasSynced = false;
    try {
      const early = await call('PUT', '/outputs/ns/db-apply', 'db-apply', outputs);
      assertError(early, 503, 'ServiceUnavailable');
      assert.equal(early.headers.get('retry-after'), '2');
    } finally {
      owners.modules.hasSynced = true;
    }
  });

  it('never logs a token or a body', () => {
    assert.ok(!logText.includes('canary'), 'an output value in the log');
    assert.ok(logText.includes('runner API'), 'requests are logged');
    for (const t of Object.values(token)) assert.ok(!logText.includes(t), 'a token in the log');
    assert.ok(!logText.includes('lineage'), 'state content in the log');
    assert.ok(!logText.includes('runner@pod'), 'lock content in the log');
  });
});
