import { ChunkIntegrityError, isSha256Digest } from './chunking.js';
import type { LockInfo } from './lock-info.js';
import { parseLockInfo } from './lock-info.js';

/** The chunks of one generation of a state. */
export interface GenerationRef {
  generation: number;
  chunks: number;
}

/**
 * What the pointer Secret of a state records. Every change goes through a resourceVersion
 * precondition, so the pointer serialises writers, lockers and the generation counter across replicas.
 */
export interface StatePointer {
  /** The current generation; 0 while no state has been written. */
  generation: number;
  /** Chunks of the current generation. */
  chunks: number;
  /** `sha256:<hex>` of the current state; '' while there is none. */
  digest: string;
  /** Size of the current state in bytes. */
  size: number;
  /** The highest generation ever claimed: a claim takes the next one, so two writers never share chunk names. */
  lastClaimed: number;
  /** The lock, while someone holds it. */
  lock?: LockInfo;
  /**
   * The execution whose runner took the lock, as the runner API authenticated it (not what the runner
   * wrote into the lock information). Absent for locks taken before this was recorded.
   */
  lockedBy?: LockHolder;
  /** Generations claimed and not committed yet (being written, or left by a writer that died). */
  pending: GenerationRef[];
  /** Generations replaced by the last commit, whose chunks that commit deletes (retried by the next one). */
  garbage: GenerationRef[];
}

/** The execution that holds a lock: its name and uid (a new execution of the same name is another one). */
export interface LockHolder {
  execution: string;
  uid: string;
}

/** A write that lost: a newer generation was committed, or its claim was dropped, meanwhile. */
export class SupersededWriteError extends Error {
  override readonly name = 'SupersededWriteError';
}

/** The pointer of an owner without state. */
export function emptyPointer(): StatePointer {
  return { generation: 0, chunks: 0, digest: '', size: 0, lastClaimed: 0, pending: [], garbage: [] };
}

const isCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;

function parseRefs(value: unknown, field: string): GenerationRef[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ChunkIntegrityError(`the state pointer's ${field} is not a list`);
  return value.map((r: Partial<GenerationRef>) => {
    if (!r || !isCount(r.generation) || !isCount(r.chunks)) throw new ChunkIntegrityError(`the state pointer's ${field} is malformed`);
    return { generation: r.generation, chunks: r.chunks };
  });
}

/** Parses a stored pointer; throws ChunkIntegrityError when it is not one. */
export function parsePointer(text: string): StatePointer {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new ChunkIntegrityError('the state pointer is not JSON', { cause: err });
  }
  const p = raw ?? {};
  const { generation, chunks, size, lastClaimed, digest } = p;
  if (!isCount(generation) || !isCount(chunks) || !isCount(size) || !isCount(lastClaimed) || typeof digest !== 'string') {
    throw new ChunkIntegrityError('the state pointer is malformed');
  }
  if (generation > 0 && (chunks < 1 || !isSha256Digest(digest)))
    throw new ChunkIntegrityError('the state pointer names no valid generation');
  const pointer: StatePointer = {
    generation,
    chunks,
    digest,
    size,
    lastClaimed: Math.max(lastClaimed, generation),
    pending: parseRefs(p['pending'], 'pending'),
    garbage: parseRefs(p['garbage'], 'garbage'),
  };
  if (p['lock'] !== undefined) {
    try {
      pointer.lock = parseLockInfo(JSON.stringify(p['lock']), true);
    } catch (err) {
      throw new ChunkIntegrityError("the state pointer's lock is malformed", { cause: err });
    }
    const by = p['lockedBy'] as Partial<LockHolder> | undefined;
    if (by !== undefined) {
      if (!by || typeof by.execution !== 'string' || typeof by.uid !== 'string')
        throw new ChunkIntegrityError("the state pointer's lock holder is malformed");
      pointer.lockedBy = { execution: by.execution, uid: by.uid };
    }
  }
  return pointer;
}

/** The stored form of a pointer (stable key order, so equal pointers serialise equally). */
export function serializePointer(p: StatePointer): string {
  const { generation, chunks, digest, size, lastClaimed, lock, lockedBy, pending, garbage } = p;
  const held = lock ? { lock, ...(lockedBy ? { lockedBy } : {}) } : {};
  return JSON.stringify({ generation, chunks, digest, size, lastClaimed, ...held, pending, garbage });
}

/** Claims a new generation for a write of `chunks` chunks: the next number, recorded as pending. */
export function claimGeneration(p: StatePointer, chunks: number): { pointer: StatePointer; generation: number } {
  const generation = Math.max(p.lastClaimed, p.generation) + 1;
  return { generation, pointer: { ...p, lastClaimed: generation, pending: [...p.pending, { generation, chunks }] } };
}

/**
 * Makes a claimed generation current. Everything it replaces becomes garbage: the previous generation
 * and pending claims below it (their writers died or lost). The returned `remove` also holds the
 * garbage of the previous commit, deleted once more in case that commit's deletes did not all happen.
 * Throws SupersededWriteError when a newer generation is already current or the claim is gone.
 */
export function commitGeneration(
  p: StatePointer,
  ref: GenerationRef,
  digest: string,
  size: number,
): { pointer: StatePointer; remove: GenerationRef[] } {
  if (p.generation >= ref.generation) throw new SupersededWriteError(`generation ${p.generation} was written meanwhile`);
  if (!p.pending.some((r) => r.generation === ref.generation))
    throw new SupersededWriteError(`the claim of generation ${ref.generation} is gone`);
  const replaced = p.pending.filter((r) => r.generation < ref.generation);
  const garbage = [...(p.generation > 0 ? [{ generation: p.generation, chunks: p.chunks }] : []), ...replaced];
  const pointer: StatePointer = {
    ...p,
    generation: ref.generation,
    chunks: ref.chunks,
    digest,
    size,
    pending: p.pending.filter((r) => r.generation > ref.generation),
    garbage,
  };
  return { pointer, remove: [...p.garbage, ...garbage] };
}

/** Drops a failed write's claim; its chunks are then the caller's to delete. */
export function abandonGeneration(p: StatePointer, generation: number): StatePointer {
  return { ...p, pending: p.pending.filter((r) => r.generation !== generation) };
}

/** Every generation a pointer references (current, pending, garbage): what deleting the state removes. */
export function referencedGenerations(p: StatePointer): GenerationRef[] {
  return [...(p.generation > 0 ? [{ generation: p.generation, chunks: p.chunks }] : []), ...p.pending, ...p.garbage];
}
