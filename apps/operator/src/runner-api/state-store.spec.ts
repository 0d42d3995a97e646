import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Labels } from '@tofu-operator/api-types';
import { createLogger } from '@tofu-operator/reconcile-runtime';
import { ChunkIntegrityError, sha256Digest } from './chunking.js';
import { FakeSecretApi } from './secret-api.fake.js';
import { buildSecret, ForeignSecretError, type Secret } from './secret-io.js';
import { StaleLockError, StateLockedError, StateStore, type StateRef } from './state-store.service.js';
import { parsePointer, SupersededWriteError } from './state-pointer.js';

const log = createLogger('test', 'silent');
const ref: StateRef = { namespace: 'ns', kind: 'module', owner: 'web' };
const LOCK = { ID: 'lock-1', Who: 'runner', Operation: 'OperationTypeApply' };

function setup() {
  const api = new FakeSecretApi();
  return { api, store: new StateStore(api, log) };
}

function pointerOf(api: FakeSecretApi) {
  const s = api.objects.get('ns/tofu-state-module-web');
  assert.ok(s, 'pointer Secret');
  return parsePointer(Buffer.from(s.data?.['pointer'] ?? '', 'base64').toString('utf8'));
}

describe('StateStore', () => {
  it('has no state before the first write', async () => {
    const { api, store } = setup();
    assert.equal(await store.read(ref), undefined);
    assert.deepEqual(api.names('ns'), []);
  });

  it('writes a state as labelled Opaque Secrets and reads it back', async () => {
    const { api, store } = setup();
    const data = Buffer.from('{"version":4,"serial":1}');
    const written = await store.write(ref, data, undefined);
    assert.deepEqual(written, { digest: sha256Digest(data), generation: 1 });
    assert.deepEqual(api.names('ns'), ['tofu-state-data-module-web-g1-0', 'tofu-state-module-web']);
    for (const s of api.objects.values()) {
      assert.equal(s.type, 'Opaque');
      assert.deepEqual(s.metadata.labels, {
        [Labels.managedBy]: 'tofu-operator',
        [Labels.ownerKind]: 'module',
        [Labels.module]: 'web',
        [Labels.artifact]: 'state',
      });
      assert.equal(s.metadata.ownerReferences, undefined, 'state outlives its owner (Orphan)');
    }
    const read = await store.read(ref);
    assert.ok(read?.data.equals(data));
    assert.equal(read?.digest, sha256Digest(data));
  });

  it('replaces the previous generation and deletes its chunks', async () => {
    const { api, store } = setup();
    const big = randomBytes(3 * 1024 * 1024);
    await store.write(ref, big, undefined);
    assert.ok(api.names('ns').filter((n) => n.includes('-g1-')).length >= 4, 'a random 3 MiB state spans several chunks');
    await store.write(ref, Buffer.from('small'), undefined);
    assert.deepEqual(api.names('ns'), ['tofu-state-data-module-web-g2-0', 'tofu-state-module-web']);
    assert.equal((await store.read(ref))?.data.toString(), 'small');
  });

  it('locks: a second LOCK is refused with the holder, the holder may repeat it, UNLOCK needs the id', async () => {
    const { store } = setup();
    assert.deepEqual(await store.lock(ref, LOCK), { ok: true });
    assert.deepEqual(await store.lock(ref, { ID: 'lock-2' }), { ok: false, holder: LOCK });
    assert.deepEqual(await store.lock(ref, { ID: 'lock-1' }), { ok: true });
    assert.deepEqual(await store.unlock(ref, 'lock-2'), { ok: false, holder: LOCK });
    assert.deepEqual(await store.unlock(ref, 'lock-1'), { ok: true });
    assert.deepEqual(await store.lock(ref, { ID: 'lock-2' }), { ok: true });
    assert.deepEqual(await store.unlock(ref, undefined), { ok: true }, 'force-unlock');
    assert.deepEqual(await store.unlock(ref, 'whatever'), { ok: true }, 'unlocking a free lock');
  });

  it('takes over the lock of an execution that finished or went away, and only then', async () => {
    const { api, store } = setup();
    const p1 = { execution: 'p1', uid: 'uid-p1' };
    const p2 = { execution: 'p2', uid: 'uid-p2' };
    const gone = new Set<string>();
    const isGone = (h: { uid: string }) => Promise.resolve(gone.has(h.uid));
    assert.deepEqual(await store.lock(ref, LOCK, p1, isGone), { ok: true });
    assert.deepEqual(pointerOf(api).lockedBy, p1, 'the holder the runner API authenticated is recorded');
    assert.deepEqual(await store.lock(ref, { ID: 'lock-2' }, p2, isGone), { ok: false, holder: LOCK }, 'a going holder keeps it');
    gone.add('uid-p1');
    assert.deepEqual(await store.lock(ref, { ID: 'lock-2' }, p2, isGone), { ok: true, released: p1 });
    assert.deepEqual(pointerOf(api).lock, { ID: 'lock-2' });
    assert.deepEqual(pointerOf(api).lockedBy, p2);
    assert.deepEqual(await store.unlock(ref, 'lock-2'), { ok: true });
    assert.equal(pointerOf(api).lockedBy, undefined, 'unlocking forgets the holder');
  });

  it('keeps a lock whose holder is not recorded (taken before holders were), or unlocked meanwhile', async () => {
    const { api, store } = setup();
    const always = () => Promise.resolve(true);
    await store.lock(ref, LOCK);
    assert.deepEqual(await store.lock(ref, { ID: 'lock-2' }, { execution: 'p2', uid: 'u2' }, always), { ok: false, holder: LOCK });
    await store.unlock(ref, 'lock-1');
    // The holder unlocks while its finish is looked up, and another run locks: that lock is not taken.
    await store.lock(ref, LOCK, { execution: 'p1', uid: 'u1' });
    const racing = async () => {
      await store.unlock(ref, 'lock-1');
      await store.lock(ref, { ID: 'lock-3' }, { execution: 'p3', uid: 'u3' });
      return true;
    };
    assert.deepEqual(await store.lock(ref, { ID: 'lock-2' }, { execution: 'p2', uid: 'u2' }, racing), {
      ok: false,
      holder: { ID: 'lock-3' },
    });
    assert.deepEqual(pointerOf(api).lockedBy, { execution: 'p3', uid: 'u3' });
  });

  it('writes under a lock only with its id', async () => {
    const { store } = setup();
    await store.lock(ref, LOCK);
    await assert.rejects(store.write(ref, Buffer.from('x'), 'lock-2'), StateLockedError);
    await assert.rejects(store.write(ref, Buffer.from('x'), undefined), StateLockedError);
    await store.write(ref, Buffer.from('mine'), 'lock-1');
    await store.unlock(ref, 'lock-1');
    await assert.rejects(store.write(ref, Buffer.from('late'), 'lock-1'), StaleLockError);
    assert.equal((await store.read(ref))?.data.toString(), 'mine');
  });

  it('keeps the lock across writes and the state across locks', async () => {
    const { api, store } = setup();
    await store.write(ref, Buffer.from('v1'), undefined);
    await store.lock(ref, LOCK);
    await store.write(ref, Buffer.from('v2'), 'lock-1');
    assert.deepEqual(pointerOf(api).lock, LOCK);
    await store.unlock(ref, 'lock-1');
    assert.equal(pointerOf(api).lock, undefined);
    assert.equal((await store.read(ref))?.data.toString(), 'v2');
  });

  it('retries the pointer update when another replica moved it meanwhile', async () => {
    const { api, store } = setup();
    await store.write(ref, Buffer.from('v1'), undefined);
    let bumped = 0;
    api.before = async (call) => {
      // A competitor touches the pointer right before our first two replaces of it.
      if (call.method === 'replace' && call.name === 'tofu-state-module-web' && bumped < 2) {
        bumped++;
        const p = api.objects.get('ns/tofu-state-module-web');
        if (p)
          await api.replace({ group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true }, 'ns', call.name, {
            ...p,
            metadata: { ...p.metadata, resourceVersion: undefined },
          });
      }
    };
    await store.write(ref, Buffer.from('v2'), undefined);
    api.before = undefined;
    assert.equal(bumped, 2);
    assert.equal((await store.read(ref))?.data.toString(), 'v2');
  });

  it('two writers racing never mix their chunks: each has its own generation', async () => {
    const { api, store } = setup();
    const a = randomBytes(2 * 1024 * 1024);
    const b = randomBytes(2 * 1024 * 1024);
    let bWrote: Promise<unknown> | undefined;
    api.before = async (call) => {
      // Writer B runs from start to end while writer A is between its claim and its chunks.
      if (!bWrote && call.method === 'create' && call.name.startsWith('tofu-state-data-')) {
        bWrote = store.write(ref, b, undefined);
        await bWrote;
      }
    };
    await assert.rejects(store.write(ref, a, undefined), SupersededWriteError, 'A lost: B committed a newer generation');
    api.before = undefined;
    assert.ok(bWrote);
    assert.deepEqual(await bWrote, { digest: sha256Digest(b), generation: 2 });
    assert.ok((await store.read(ref))?.data.equals(b));
    const chunkNames = api.names('ns').filter((n) => n.startsWith('tofu-state-data-'));
    assert.ok(chunkNames.length > 0 && chunkNames.every((n) => n.includes('-g2-')), chunkNames.join(', '));
  });

  it('a writer that dies after its chunks leaves them for the next write to delete', async () => {
    const { api, store } = setup();
    await store.write(ref, Buffer.from('v1'), undefined);
    // The second write's pointer commit fails for good (the process "dies" there: no cleanup runs
    // because the claim removal fails too).
    api.before = (call) => {
      if (
        call.method === 'replace' &&
        call.name === 'tofu-state-module-web' &&
        api.names('ns').includes('tofu-state-data-module-web-g2-0')
      ) {
        throw new Error('connection reset');
      }
    };
    await assert.rejects(store.write(ref, Buffer.from('v2'), undefined), /connection reset/);
    api.before = undefined;
    assert.ok(api.names('ns').includes('tofu-state-data-module-web-g2-0'), 'stray chunk left');
    assert.equal((await store.read(ref))?.data.toString(), 'v1', 'readers still see the committed state');
    await store.write(ref, Buffer.from('v3'), undefined);
    assert.equal((await store.read(ref))?.data.toString(), 'v3');
    assert.deepEqual(api.names('ns'), ['tofu-state-data-module-web-g3-0', 'tofu-state-module-web']);
  });

  it('does not delete its chunks when the commit happened but its answer was lost', async () => {
    const { api, store } = setup();
    let lost = false;
    const real = api.replace.bind(api);
    api.replace = async (rt, ns, name, body) => {
      const out = await real(rt, ns, name, body);
      const data = (body as unknown as Secret).data?.['pointer'];
      if (
        !lost &&
        name === 'tofu-state-module-web' &&
        data &&
        parsePointer(Buffer.from(data, 'base64').toString('utf8')).generation === 1
      ) {
        lost = true;
        throw new Error('socket hang up');
      }
      return out;
    };
    await assert.rejects(store.write(ref, Buffer.from('v0'), undefined), /socket hang up/);
    assert.ok(lost);
    assert.equal((await store.read(ref))?.data.toString(), 'v0');
  });

  it('reads again from the pointer when a chunk vanished under a concurrent commit', async () => {
    const { api, store } = setup();
    await store.write(ref, Buffer.from('v1'), undefined);
    let raced = false;
    api.before = async (call) => {
      if (!raced && call.method === 'get' && call.name === 'tofu-state-data-module-web-g1-0') {
        raced = true;
        api.before = undefined;
        await store.write(ref, Buffer.from('v2'), undefined);
      }
    };
    assert.equal((await store.read(ref))?.data.toString(), 'v2');
    assert.ok(raced);
  });

  it('reports damaged state instead of returning it', async () => {
    const { api, store } = setup();
    await store.write(ref, Buffer.from('{"serial":1}'), undefined);
    const chunk = api.objects.get('ns/tofu-state-data-module-web-g1-0');
    assert.ok(chunk?.data);
    chunk.data['chunk'] = Buffer.from('not gzip').toString('base64');
    await assert.rejects(store.read(ref), ChunkIntegrityError);
  });

  it("never reads or overwrites a user's own Secret that carries the pointer's name", async () => {
    const { api, store } = setup();
    const foreign = buildSecret('ns', 'tofu-state-module-web', {}, { pointer: 'mine' });
    api.objects.set('ns/tofu-state-module-web', { ...foreign, metadata: { ...foreign.metadata, labels: {}, resourceVersion: '1' } });
    await assert.rejects(store.read(ref), ForeignSecretError);
    await assert.rejects(store.write(ref, Buffer.from('x'), undefined), ForeignSecretError);
    await assert.rejects(store.lock(ref, LOCK), ForeignSecretError);
    assert.equal(api.objects.get('ns/tofu-state-module-web')?.data?.['pointer'], Buffer.from('mine').toString('base64'));
  });

  it('removes the state, its chunks and its pointer', async () => {
    const { api, store } = setup();
    await store.write(ref, randomBytes(2 * 1024 * 1024), undefined);
    await store.write(ref, Buffer.from('v2'), undefined);
    await store.remove(ref);
    assert.deepEqual(api.names('ns'), []);
    assert.equal(await store.read(ref), undefined);
  });

  it('keeps owners apart: a stack and a module of one name, and two modules', async () => {
    const { store } = setup();
    await store.write(ref, Buffer.from('module web'), undefined);
    await store.write({ ...ref, kind: 'stack' }, Buffer.from('stack web'), undefined);
    await store.write({ ...ref, owner: 'web-g1-0' }, Buffer.from('module web-g1-0'), undefined);
    assert.equal((await store.read(ref))?.data.toString(), 'module web');
    assert.equal((await store.read({ ...ref, kind: 'stack' }))?.data.toString(), 'stack web');
    assert.equal((await store.read({ ...ref, owner: 'web-g1-0' }))?.data.toString(), 'module web-g1-0');
  });
});
