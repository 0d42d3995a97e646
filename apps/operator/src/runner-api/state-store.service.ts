import { Inject, Injectable } from '@nestjs/common';
import { Labels } from '@tofu-operator/api-types';
import { isAlreadyExists, isConflict, isNotFound, KubeClient, type Logger } from '@tofu-operator/reconcile-runtime';
import { LOGGER } from '../kube/tokens.js';
import { ChunkIntegrityError, joinChunks, splitChunks } from './chunking.js';
import { decideLock, decideUnlock, decideWrite, type LockInfo } from './lock-info.js';
import {
  buildSecret,
  deleteSecret,
  forEachLimited,
  getOurs,
  putSecret,
  secretValue,
  Secrets,
  type Secret,
  type SecretApi,
} from './secret-io.js';
import { stateChunkName, statePointerName, nameToken, type OwnerKind } from './secret-names.js';
import {
  abandonGeneration,
  claimGeneration,
  commitGeneration,
  emptyPointer,
  parsePointer,
  referencedGenerations,
  serializePointer,
  type GenerationRef,
  type LockHolder,
  type StatePointer,
} from './state-pointer.js';

/** Whose state: one per module used directly and one per stack, in the owner's namespace. */
export interface StateRef {
  namespace: string;
  kind: OwnerKind;
  owner: string;
}

/** A state as read back. */
export interface StoredState {
  data: Buffer;
  digest: string;
  generation: number;
}

/** The state is locked by someone else (HTTP 423, with the holder's lock information). */
export class StateLockedError extends Error {
  override readonly name = 'StateLockedError';
  constructor(readonly holder: LockInfo) {
    super(`the state is locked by lock ${holder.ID}`);
  }
}

/** A write names a lock that nobody holds any more (HTTP 409). */
export class StaleLockError extends Error {
  override readonly name = 'StaleLockError';
}

/**
 * Outcome of LOCK or UNLOCK: done, or refused with whoever holds the lock. A LOCK that took over the
 * lock of a finished execution names it in `released`.
 */
export type LockOutcome = { ok: true; released?: LockHolder } | { ok: false; holder: LockInfo };

const ARTIFACT = 'state';
/** Pointer updates retried on a resourceVersion conflict (another replica or request moved it). */
const MAX_ATTEMPTS = 8;
/** Chunk Secrets written or read at once. */
const PARALLEL = 4;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * OpenTofu state in Secrets (docs/adr/0007-apply-approval-and-state.md): a pointer Secret with the
 * current generation, the lock and the generation counter, and gzip chunks per generation. A write
 * claims a fresh generation, writes its chunks, then moves the pointer (resourceVersion precondition),
 * then deletes what it replaced; a reader never sees half a state, and a writer that dies leaves
 * chunks that the next write removes.
 */
@Injectable()
export class StateStore {
  constructor(
    @Inject(KubeClient) private readonly api: SecretApi,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /** The current state, or undefined when none has been written. */
  async read(ref: StateRef): Promise<StoredState | undefined> {
    // A chunk can vanish between reading the pointer and the chunk when a write commits meanwhile
    // and deletes the generation it replaced: read again from the pointer.
    for (let attempt = 1; ; attempt++) {
      const { pointer } = await this.getPointer(ref);
      if (pointer.generation === 0) return undefined;
      const pieces: Buffer[] = [];
      let missing = false;
      await forEachLimited(this.chunkNames(ref, pointer), PARALLEL, async (name, i) => {
        const chunk = await getOurs(this.api, ref.namespace, name, ARTIFACT);
        if (chunk) pieces[i] = secretValue(chunk, 'chunk');
        else missing = true;
      });
      if (missing) {
        if (attempt < 3) continue;
        throw new ChunkIntegrityError(`a chunk of state generation ${pointer.generation} of ${describeRef(ref)} is missing`);
      }
      const data = joinChunks(pieces, { digest: pointer.digest, size: pointer.size, chunks: pointer.chunks });
      return { data, digest: pointer.digest, generation: pointer.generation };
    }
  }

  /**
   * Writes a new state. `lockId` is the writer's `?ID=`: with the state locked it must be the holder's
   * (StateLockedError), and a lock that is gone is refused (StaleLockError).
   */
  async write(ref: StateRef, data: Uint8Array, lockId: string | undefined): Promise<{ digest: string; generation: number }> {
    const { pieces, manifest } = splitChunks(data);
    const checkLock = (p: StatePointer) => {
      const decision = decideWrite(p.lock, lockId);
      if (decision.kind === 'locked') throw new StateLockedError(decision.holder);
      if (decision.kind === 'not-locked') throw new StaleLockError(`lock ${decision.id} is not held: the state was unlocked meanwhile`);
    };
    const generation = await this.mutate(ref, (p) => {
      checkLock(p);
      const claim = claimGeneration(p, pieces.length);
      return { next: claim.pointer, result: claim.generation };
    });
    const mine: GenerationRef = { generation, chunks: pieces.length };
    let remove: GenerationRef[];
    try {
      await forEachLimited(pieces, PARALLEL, (piece, i) =>
        putSecret(this.api, this.secret(ref, stateChunkName(ref.kind, ref.owner, generation, i), { chunk: piece }), ARTIFACT),
      );
      remove = await this.mutate(ref, (p) => {
        checkLock(p);
        const commit = commitGeneration(p, mine, manifest.digest, manifest.size);
        return { next: commit.pointer, result: commit.remove };
      });
    } catch (err) {
      await this.discard(ref, mine);
      throw err;
    }
    this.log.debug({ namespace: ref.namespace, kind: ref.kind, owner: ref.owner, generation, bytes: data.length }, 'state written');
    await this.deleteGenerations(ref, remove);
    return { digest: manifest.digest, generation };
  }

  /**
   * LOCK for the execution `by`: takes the lock, or answers who holds it. A lock held by an execution
   * that `isGone` says finished or went away is taken over: that execution's runner is refused every
   * request from then on, so it can neither unlock nor write, and the lock would block its owner's
   * runs for good (a runner killed mid-run: a deleted execution, a deadline, a node lost).
   */
  async lock(ref: StateRef, info: LockInfo, by?: LockHolder, isGone?: (holder: LockHolder) => Promise<boolean>): Promise<LockOutcome> {
    const take = (stale?: string) =>
      this.mutate<{ outcome: LockOutcome; heldBy?: LockHolder }>(ref, (p) => {
        const d = decideLock(p.lock, info);
        if (d.kind === 'locked' && d.holder.ID !== stale)
          return { result: { outcome: { ok: false, holder: d.holder }, heldBy: p.lockedBy } };
        if (d.kind === 'already-held') return { result: { outcome: { ok: true } } };
        const released = d.kind === 'locked' ? p.lockedBy : undefined;
        const { lockedBy: _previous, ...rest } = p;
        return {
          next: { ...rest, lock: info, ...(by ? { lockedBy: by } : {}) },
          result: { outcome: { ok: true, ...(released ? { released } : {}) } },
        };
      });
    const first = await take();
    const heldBy = first.heldBy;
    if (first.outcome.ok || !heldBy || !isGone || !(await isGone(heldBy))) return first.outcome;
    // Taken over only if it is still that lock (its holder did not unlock, nobody else took it meanwhile).
    const { outcome } = await take(first.outcome.holder.ID);
    if (outcome.ok && outcome.released)
      this.log.info(
        { namespace: ref.namespace, kind: ref.kind, owner: ref.owner, released: outcome.released.execution, execution: by?.execution },
        'state lock of a finished execution released',
      );
    return outcome;
  }

  /** UNLOCK with the holder's id (or none: force-unlock); another id is refused with the holder. */
  unlock(ref: StateRef, id: string | undefined): Promise<LockOutcome> {
    return this.mutate<LockOutcome>(ref, (p) => {
      const d = decideUnlock(p.lock, id);
      if (d.kind === 'mismatch') return { result: { ok: false, holder: d.holder } };
      if (d.kind === 'not-locked') return { result: { ok: true } };
      const { lock: _released, lockedBy: _holder, ...rest } = p;
      return { next: rest, result: { ok: true } };
    });
  }

  /** Deletes the state and its pointer (after a successful destroy). */
  async remove(ref: StateRef): Promise<void> {
    const { pointer, secret } = await this.getPointer(ref);
    if (!secret) return;
    await this.deleteGenerations(ref, referencedGenerations(pointer));
    await deleteSecret(this.api, ref.namespace, statePointerName(ref.kind, ref.owner), {
      preconditions: { resourceVersion: secret.metadata.resourceVersion },
    });
  }

  private async getPointer(ref: StateRef): Promise<{ pointer: StatePointer; secret: Secret | undefined }> {
    const secret = await getOurs(this.api, ref.namespace, statePointerName(ref.kind, ref.owner), ARTIFACT);
    if (!secret) return { pointer: emptyPointer(), secret };
    return { pointer: parsePointer(secretValue(secret, 'pointer').toString('utf8')), secret };
  }

  /**
   * Reads the pointer, lets `fn` decide (it may throw), and stores `next` under a resourceVersion
   * precondition (or creates the pointer); on a conflict everything is decided again from a fresh read.
   */
  private async mutate<R>(ref: StateRef, fn: (p: StatePointer) => { next?: StatePointer | undefined; result: R }): Promise<R> {
    for (let attempt = 1; ; attempt++) {
      const { pointer, secret } = await this.getPointer(ref);
      const { next, result } = fn(pointer);
      if (!next) return result;
      const name = statePointerName(ref.kind, ref.owner);
      const body = this.secret(ref, name, { pointer: serializePointer(next) }, secret?.metadata.resourceVersion);
      try {
        if (secret) await this.api.replace<Secret>(Secrets, ref.namespace, name, body);
        else await this.api.create<Secret>(Secrets, ref.namespace, body);
        return result;
      } catch (err) {
        if (!(isConflict(err) || isAlreadyExists(err) || (secret && isNotFound(err))) || attempt >= MAX_ATTEMPTS) throw err;
        await sleep(Math.random() * 20 * attempt);
      }
    }
  }

  /**
   * After a failed write: drop the claim (best effort) and the chunks written for it, unless the
   * commit did happen after all (its answer was lost): then those chunks are the current state.
   */
  private async discard(ref: StateRef, mine: GenerationRef): Promise<void> {
    try {
      const committed = await this.mutate(ref, (p) => {
        if (p.generation === mine.generation) return { result: true };
        const claimed = p.pending.some((r) => r.generation === mine.generation);
        return { next: claimed ? abandonGeneration(p, mine.generation) : undefined, result: false };
      });
      if (!committed) await this.deleteGenerations(ref, [mine]);
    } catch (err) {
      // The claim stays pending; the next successful write deletes its chunks.
      this.log.warn({ err, namespace: ref.namespace, kind: ref.kind, owner: ref.owner }, 'could not clean up after a failed state write');
    }
  }

  /** Deletes the chunks of replaced generations; a failure leaves them for the next write. */
  private async deleteGenerations(ref: StateRef, refs: readonly GenerationRef[]): Promise<void> {
    const names = refs.flatMap((r) => Array.from({ length: r.chunks }, (_, i) => stateChunkName(ref.kind, ref.owner, r.generation, i)));
    try {
      await forEachLimited(names, PARALLEL, (name) => deleteSecret(this.api, ref.namespace, name));
    } catch (err) {
      this.log.warn({ err, namespace: ref.namespace, kind: ref.kind, owner: ref.owner }, 'could not delete replaced state chunks');
    }
  }

  private chunkNames(ref: StateRef, p: StatePointer): string[] {
    return Array.from({ length: p.chunks }, (_, i) => stateChunkName(ref.kind, ref.owner, p.generation, i));
  }

  private secret(ref: StateRef, name: string, data: Record<string, Uint8Array | string>, resourceVersion?: string): Secret {
    const labels = {
      [Labels.ownerKind]: ref.kind,
      [ref.kind === 'stack' ? Labels.stack : Labels.module]: nameToken(ref.owner),
      [Labels.artifact]: ARTIFACT,
    };
    return buildSecret(ref.namespace, name, labels, data, resourceVersion ? { resourceVersion } : {});
  }
}

function describeRef(ref: StateRef): string {
  return `${ref.kind} ${ref.namespace}/${ref.owner}`;
}
