import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';

/**
 * Largest piece of compressed data one Secret holds: a Secret's data may not exceed 1 MiB, and
 * 768 KiB leaves room for the other keys and the metadata (docs/adr/0007-apply-approval-and-state.md).
 */
export const MAX_CHUNK_BYTES = 768 * 1024;

/** What the reader needs to put the pieces back together and check the result. */
export interface ChunkManifest {
  /** `sha256:<hex>` of the uncompressed bytes. */
  digest: string;
  /** Length of the uncompressed bytes. */
  size: number;
  /** Number of pieces. */
  chunks: number;
}

/** Stored pieces that do not make up the bytes they claim to (missing, altered, or foreign). */
export class ChunkIntegrityError extends Error {
  override readonly name = 'ChunkIntegrityError';
}

/** `sha256:<hex>` of some bytes: the form `status.plan.digest` and the approval use. */
export function sha256Digest(data: Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Whether a string is a digest in the `sha256:<64 lowercase hex>` form. */
export function isSha256Digest(value: string): boolean {
  return /^sha256:[0-9a-f]{64}$/.test(value);
}

/**
 * Compresses `data` with gzip and cuts the result into pieces of at most `maxChunk` bytes (at least
 * one piece, even for empty data, so every stored object has a first chunk). Pure and deterministic.
 */
export function splitChunks(data: Uint8Array, maxChunk = MAX_CHUNK_BYTES): { pieces: Buffer[]; manifest: ChunkManifest } {
  if (!Number.isInteger(maxChunk) || maxChunk < 1) throw new RangeError(`chunk size must be a positive integer, got ${maxChunk}`);
  const packed = gzipSync(data);
  const pieces: Buffer[] = [];
  for (let at = 0; at < packed.length; at += maxChunk) pieces.push(packed.subarray(at, at + maxChunk));
  return { pieces, manifest: { digest: sha256Digest(data), size: data.length, chunks: pieces.length } };
}

/**
 * Joins pieces made by splitChunks and checks them against the manifest: the number of pieces, the
 * gzip stream (its CRC), the size and the digest. Decompression stops past the announced size, so a
 * forged manifest cannot make the reader inflate an unbounded stream.
 */
export function joinChunks(pieces: readonly Uint8Array[], manifest: ChunkManifest): Buffer {
  if (pieces.length !== manifest.chunks) {
    throw new ChunkIntegrityError(`expected ${manifest.chunks} chunks, got ${pieces.length}`);
  }
  let data: Buffer;
  try {
    data = gunzipSync(Buffer.concat(pieces), { maxOutputLength: Math.max(manifest.size, 1) });
  } catch (err) {
    throw new ChunkIntegrityError('the stored chunks do not decompress', { cause: err });
  }
  if (data.length !== manifest.size) throw new ChunkIntegrityError(`expected ${manifest.size} bytes, got ${data.length}`);
  const digest = sha256Digest(data);
  if (digest !== manifest.digest) throw new ChunkIntegrityError(`digest mismatch: stored ${manifest.digest}, computed ${digest}`);
  return data;
}

/** Parses a manifest stored as JSON; throws ChunkIntegrityError when it is not one. */
export function parseManifest(text: string): ChunkManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ChunkIntegrityError('the stored manifest is not JSON', { cause: err });
  }
  const m = raw as Partial<ChunkManifest> | null;
  if (
    !m ||
    typeof m.digest !== 'string' ||
    !isSha256Digest(m.digest) ||
    !Number.isSafeInteger(m.size) ||
    (m.size ?? -1) < 0 ||
    !Number.isSafeInteger(m.chunks) ||
    (m.chunks ?? 0) < 1
  ) {
    throw new ChunkIntegrityError('the stored manifest is malformed');
  }
  return { digest: m.digest, size: m.size as number, chunks: m.chunks as number };
}
