import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ChunkIntegrityError, isSha256Digest, joinChunks, MAX_CHUNK_BYTES, parseManifest, sha256Digest, splitChunks } from './chunking.js';

describe('sha256Digest', () => {
  it('is sha256:<hex> of the bytes', () => {
    assert.equal(sha256Digest(Buffer.from('abc')), 'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.ok(isSha256Digest(sha256Digest(Buffer.alloc(0))));
  });
  for (const bad of ['', 'sha256:', 'sha256:ABC', 'md5:' + 'a'.repeat(64), 'sha256:' + 'a'.repeat(63), 'sha256:' + 'g'.repeat(64)]) {
    it(`rejects "${bad}" as a digest`, () => assert.equal(isSha256Digest(bad), false));
  }
});

describe('splitChunks / joinChunks', () => {
  const cases: { name: string; data: Buffer; maxChunk?: number; minChunks: number }[] = [
    { name: 'empty', data: Buffer.alloc(0), minChunks: 1 },
    { name: 'one byte', data: Buffer.from('x'), minChunks: 1 },
    { name: 'compressible 5 MiB in one chunk', data: Buffer.alloc(5 * 1024 * 1024, 'a'), minChunks: 1 },
    { name: 'random 5 MiB over several chunks', data: randomBytes(5 * 1024 * 1024), minChunks: 7 },
    { name: 'random 10 KiB in 1 KiB chunks', data: randomBytes(10 * 1024), maxChunk: 1024, minChunks: 10 },
  ];
  for (const c of cases) {
    it(`round-trips ${c.name}`, () => {
      const { pieces, manifest } = splitChunks(c.data, c.maxChunk);
      assert.ok(pieces.length >= c.minChunks, `${pieces.length} chunks`);
      assert.equal(manifest.chunks, pieces.length);
      assert.equal(manifest.size, c.data.length);
      assert.equal(manifest.digest, sha256Digest(c.data));
      for (const p of pieces) assert.ok(p.length <= (c.maxChunk ?? MAX_CHUNK_BYTES) && p.length > 0);
      assert.ok(joinChunks(pieces, manifest).equals(c.data));
    });
  }

  it('is deterministic (a retried write stores the same chunks)', () => {
    const data = randomBytes(100_000);
    assert.deepEqual(splitChunks(data, 4096), splitChunks(data, 4096));
  });

  it('refuses a chunk size below 1', () => assert.throws(() => splitChunks(Buffer.from('x'), 0), RangeError));

  const data = randomBytes(8 * 1024);
  const { pieces, manifest } = splitChunks(data, 1024);
  const flipped = pieces.map((p, i) => (i === 2 ? Buffer.from(p.map((b, j) => (j === 10 ? b ^ 1 : b))) : p));
  const broken: { name: string; pieces: Buffer[]; manifest: typeof manifest; message: RegExp }[] = [
    { name: 'a missing chunk', pieces: pieces.slice(1), manifest, message: /expected \d+ chunks/ },
    { name: 'an extra chunk', pieces: [...pieces, Buffer.from('x')], manifest, message: /expected \d+ chunks/ },
    { name: 'chunks out of order', pieces: [pieces[1]!, pieces[0]!, ...pieces.slice(2)], manifest, message: /decompress/ },
    { name: 'a flipped bit', pieces: flipped, manifest, message: /decompress|digest/ },
    { name: 'another digest', pieces, manifest: { ...manifest, digest: sha256Digest(Buffer.from('other')) }, message: /digest mismatch/ },
    { name: 'a larger announced size', pieces, manifest: { ...manifest, size: manifest.size + 1 }, message: /expected \d+ bytes/ },
    { name: 'a smaller announced size (inflation stops there)', pieces, manifest: { ...manifest, size: 100 }, message: /decompress/ },
  ];
  for (const b of broken) {
    it(`detects ${b.name}`, () =>
      assert.throws(
        () => joinChunks(b.pieces, b.manifest),
        (e: unknown) => e instanceof ChunkIntegrityError && b.message.test(e.message),
      ));
  }
});

describe('parseManifest', () => {
  const good = { digest: sha256Digest(Buffer.from('x')), size: 1, chunks: 1 };
  it('reads a manifest', () => assert.deepEqual(parseManifest(JSON.stringify({ ...good, extra: 1 })), good));
  for (const [name, text] of [
    ['not JSON', '{'],
    ['null', 'null'],
    ['no digest', JSON.stringify({ ...good, digest: undefined })],
    ['bad digest', JSON.stringify({ ...good, digest: 'sha256:zz' })],
    ['negative size', JSON.stringify({ ...good, size: -1 })],
    ['zero chunks', JSON.stringify({ ...good, chunks: 0 })],
    ['fractional chunks', JSON.stringify({ ...good, chunks: 1.5 })],
  ] as const) {
    it(`refuses ${name}`, () => assert.throws(() => parseManifest(text), ChunkIntegrityError));
  }
});
