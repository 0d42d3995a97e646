import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ChunkIntegrityError, sha256Digest } from './chunking.js';
import {
  abandonGeneration,
  claimGeneration,
  commitGeneration,
  emptyPointer,
  parsePointer,
  referencedGenerations,
  serializePointer,
  SupersededWriteError,
  type StatePointer,
} from './state-pointer.js';

const D1 = sha256Digest(Buffer.from('one'));
const D2 = sha256Digest(Buffer.from('two'));

function pointer(extra: Partial<StatePointer> = {}): StatePointer {
  return { ...emptyPointer(), ...extra };
}

describe('state pointer', () => {
  it('round-trips through its stored form, lock included', () => {
    const p = pointer({
      generation: 3,
      chunks: 2,
      digest: D1,
      size: 10,
      lastClaimed: 5,
      lock: { ID: 'l', Who: 'w' },
      pending: [{ generation: 5, chunks: 1 }],
      garbage: [{ generation: 2, chunks: 4 }],
    });
    assert.deepEqual(parsePointer(serializePointer(p)), p);
    assert.deepEqual(parsePointer(serializePointer(emptyPointer())), emptyPointer());
  });

  for (const [name, text] of [
    ['not JSON', 'x'],
    ['null', 'null'],
    ['a negative generation', JSON.stringify({ ...emptyPointer(), generation: -1 })],
    ['a generation without chunks', JSON.stringify({ ...emptyPointer(), generation: 1, digest: D1 })],
    ['a generation without digest', JSON.stringify({ ...emptyPointer(), generation: 1, chunks: 1 })],
    ['malformed pending', JSON.stringify({ ...emptyPointer(), pending: [{ generation: 'x' }] })],
    ['a lock without ID', JSON.stringify({ ...emptyPointer(), lock: { Who: 'x' } })],
  ] as const) {
    it(`refuses ${name}`, () => assert.throws(() => parsePointer(text), ChunkIntegrityError));
  }

  it('claims increasing generations, never one claimed before', () => {
    const a = claimGeneration(pointer({ generation: 2, chunks: 1, digest: D1, lastClaimed: 2 }), 3);
    assert.equal(a.generation, 3);
    const b = claimGeneration(a.pointer, 1);
    assert.equal(b.generation, 4);
    assert.deepEqual(b.pointer.pending, [
      { generation: 3, chunks: 3 },
      { generation: 4, chunks: 1 },
    ]);
    // A claim abandoned is not handed out again.
    assert.equal(claimGeneration(abandonGeneration(b.pointer, 4), 1).generation, 5);
  });

  it('commits a claim: the old generation and older claims become garbage, newer claims stay', () => {
    let p = pointer({ generation: 1, chunks: 2, digest: D1, size: 5, lastClaimed: 1, garbage: [{ generation: 0, chunks: 0 }] });
    p = claimGeneration(p, 9).pointer; // 2: a writer that died
    p = claimGeneration(p, 3).pointer; // 3: ours
    p = claimGeneration(p, 1).pointer; // 4: a writer still busy
    const { pointer: next, remove } = commitGeneration(p, { generation: 3, chunks: 3 }, D2, 42);
    assert.equal(next.generation, 3);
    assert.equal(next.chunks, 3);
    assert.equal(next.digest, D2);
    assert.equal(next.size, 42);
    assert.deepEqual(next.pending, [{ generation: 4, chunks: 1 }]);
    assert.deepEqual(next.garbage, [
      { generation: 1, chunks: 2 },
      { generation: 2, chunks: 9 },
    ]);
    // The previous commit's garbage is deleted once more.
    assert.deepEqual(remove, [{ generation: 0, chunks: 0 }, ...next.garbage]);
  });

  it('the first commit has no garbage', () => {
    const { pointer: p, generation } = claimGeneration(emptyPointer(), 1);
    assert.deepEqual(commitGeneration(p, { generation, chunks: 1 }, D1, 1).remove, []);
  });

  it('refuses a commit older than the current generation, or whose claim is gone', () => {
    let p = claimGeneration(emptyPointer(), 1).pointer; // 1
    p = claimGeneration(p, 1).pointer; // 2
    const after2 = commitGeneration(p, { generation: 2, chunks: 1 }, D2, 1).pointer;
    assert.throws(() => commitGeneration(after2, { generation: 1, chunks: 1 }, D1, 1), SupersededWriteError);
    assert.throws(() => commitGeneration(abandonGeneration(p, 2), { generation: 2, chunks: 1 }, D1, 1), SupersededWriteError);
  });

  it('references every generation it knows of (what deleting the state removes)', () => {
    const p = pointer({
      generation: 3,
      chunks: 2,
      digest: D1,
      pending: [{ generation: 4, chunks: 1 }],
      garbage: [{ generation: 2, chunks: 1 }],
    });
    assert.deepEqual(referencedGenerations(p), [
      { generation: 3, chunks: 2 },
      { generation: 4, chunks: 1 },
      { generation: 2, chunks: 1 },
    ]);
    assert.deepEqual(referencedGenerations(emptyPointer()), []);
  });
});
