import { Inject, Injectable } from '@nestjs/common';
import { API_GROUP_VERSION, controllerRef, Labels, type TofuExecution } from '@tofu-operator/api-types';
import { isAlreadyExists, KubeClient, type Logger } from '@tofu-operator/reconcile-runtime';
import { LOGGER } from '../kube/tokens.js';
import { ChunkIntegrityError, joinChunks, parseManifest, splitChunks, type ChunkManifest } from './chunking.js';
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
import { nameToken, planChunkName, type Artifact } from './secret-names.js';
import { ownerOf } from './runner-access.js';

/** What is stored for a plan execution: the saved plan file, or its masked per-resource diff (JSON). */
export type PlanPart = 'plan' | 'diff';

/** A stored plan part as read back. */
export interface StoredPlan {
  data: Buffer;
  digest: string;
}

/** A plan part is stored already, with other content (HTTP 409): a plan is written once. */
export class PlanConflictError extends Error {
  override readonly name = 'PlanConflictError';
}

const PARALLEL = 4;
const artifactOf = (part: PlanPart): Artifact => (part === 'plan' ? 'plan' : 'plan-diff');

/**
 * Saved plans in Secrets owned by their plan execution (so history pruning and the garbage collector
 * remove them with it): gzip chunks `tofu-plan-<execution>-<n>`, chunk 0 written last with the
 * manifest (digest, size, count), so a plan is either there whole or not at all. Stored once.
 */
@Injectable()
export class PlanStore {
  constructor(
    @Inject(KubeClient) private readonly api: SecretApi,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /**
   * Stores a part of `execution`'s plan and answers its digest. Storing the same bytes again answers
   * the same digest (a retried upload); other bytes are refused with PlanConflictError.
   */
  async store(execution: TofuExecution, part: PlanPart, data: Uint8Array): Promise<{ digest: string; created: boolean }> {
    const { namespace = '', name = '' } = execution.metadata;
    const { pieces, manifest } = splitChunks(data);
    const first = await this.firstChunk(execution, part, true);
    if (first) return { digest: sameOrConflict(first.manifest, manifest, part), created: false };
    // Leftovers of an interrupted upload under these names (never a complete plan: chunk 0 is absent) are replaced.
    await forEachLimited(pieces.slice(1), PARALLEL, (piece, i) =>
      putSecret(this.api, this.secret(execution, part, i + 1, { chunk: piece }), artifactOf(part)),
    );
    const head = this.secret(execution, part, 0, { manifest: JSON.stringify(manifest), chunk: pieces[0] ?? Buffer.alloc(0) });
    try {
      await this.api.create<Secret>(Secrets, namespace, head);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      // A concurrent upload of the same execution got there first.
      const raced = await this.firstChunk(execution, part);
      if (!raced) throw err;
      return { digest: sameOrConflict(raced.manifest, manifest, part), created: false };
    }
    this.log.debug({ namespace, execution: name, part, bytes: data.length, chunks: pieces.length }, 'plan stored');
    return { digest: manifest.digest, created: true };
  }

  /** A stored part of `execution`'s plan (checked against its digest), or undefined when there is none. */
  async read(execution: TofuExecution, part: PlanPart): Promise<StoredPlan | undefined> {
    const { namespace = '', name = '' } = execution.metadata;
    const first = await this.firstChunk(execution, part);
    if (!first) return undefined;
    const pieces: Buffer[] = [secretValue(first.secret, 'chunk')];
    await forEachLimited(
      Array.from({ length: first.manifest.chunks - 1 }, (_, i) => i + 1),
      PARALLEL,
      async (index) => {
        const chunk = await getOurs(this.api, namespace, planChunkName(name, index, part), artifactOf(part));
        if (!chunk) throw new ChunkIntegrityError(`chunk ${index} of the ${part} of execution ${namespace}/${name} is missing`);
        pieces[index] = secretValue(chunk, 'chunk');
      },
    );
    return { data: joinChunks(pieces, first.manifest), digest: first.manifest.digest };
  }

  /** The digest of `execution`'s stored part, from its manifest (no chunk is read); undefined when none is stored. */
  async digest(execution: TofuExecution, part: PlanPart = 'plan'): Promise<string | undefined> {
    return (await this.firstChunk(execution, part))?.manifest.digest;
  }

  /**
   * Chunk 0 of this execution's part with its manifest. One left by an earlier execution of the same
   * name (a different uid, not collected yet) is not this plan; before an upload it is deleted with
   * its chunks (the uploader's uid is the one its token proves).
   */
  private async firstChunk(
    execution: TofuExecution,
    part: PlanPart,
    removeForeign = false,
  ): Promise<{ secret: Secret; manifest: ChunkManifest } | undefined> {
    const { namespace = '', name = '', uid = '' } = execution.metadata;
    const secret = await getOurs(this.api, namespace, planChunkName(name, 0, part), artifactOf(part));
    if (!secret) return undefined;
    const manifest = parseManifest(secretValue(secret, 'manifest').toString('utf8'));
    const owner = secret.metadata.ownerReferences?.find((r) => r.controller)?.uid;
    if (owner === uid) return { secret, manifest };
    if (!removeForeign) return undefined;
    for (let i = manifest.chunks - 1; i >= 1; i--) await deleteSecret(this.api, namespace, planChunkName(name, i, part));
    await deleteSecret(this.api, namespace, planChunkName(name, 0, part), {
      preconditions: { resourceVersion: secret.metadata.resourceVersion },
    });
    return undefined;
  }

  private secret(execution: TofuExecution, part: PlanPart, index: number, data: Record<string, Uint8Array | string>): Secret {
    const { namespace = '', name = '' } = execution.metadata;
    const owner = ownerOf(execution);
    const labels: Record<string, string> = { [Labels.execution]: nameToken(name), [Labels.artifact]: artifactOf(part) };
    if (owner) {
      labels[Labels.ownerKind] = owner.kind;
      labels[owner.kind === 'stack' ? Labels.stack : Labels.module] = nameToken(owner.name);
    }
    return buildSecret(namespace, planChunkName(name, index, part), labels, data, {
      ownerReferences: [controllerRef(API_GROUP_VERSION, 'TofuExecution', execution)],
    });
  }
}

function sameOrConflict(stored: ChunkManifest, offered: ChunkManifest, part: PlanPart): string {
  if (stored.digest === offered.digest) return stored.digest;
  throw new PlanConflictError(`this execution's ${part} is stored already with digest ${stored.digest}; a ${part} is stored once`);
}
