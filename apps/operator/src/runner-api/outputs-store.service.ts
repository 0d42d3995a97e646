import { Inject, Injectable } from '@nestjs/common';
import {
  API_GROUP_VERSION,
  controllerOf,
  controllerRef,
  Labels,
  nameOf,
  uidOf,
  type StateOwner,
  type TofuExecution,
  type TofuModule,
  type TofuStack,
} from '@tofu-operator/api-types';
import { isAlreadyExists, isConflict, KubeApiError, KubeClient, type Logger } from '@tofu-operator/reconcile-runtime';
import { ClusterCache } from '../kube/cluster-cache.js';
import { LOGGER } from '../kube/tokens.js';
import { OutputsFormatError, outputsDigest, parseStoredOutputs, parseTofuOutputs, type StoredOutputs } from './outputs-record.js';
import { buildSecret, deleteSecret, getOurs, putSecret, secretValue, Secrets, type Secret, type SecretApi } from './secret-io.js';
import { nameToken, outputsSecretName } from './secret-names.js';

export type { StoredOutput, StoredOutputs } from './outputs-record.js';

/** The owners the store reads (the informer cache); narrow, so tests can give a map. */
export interface OwnerCache {
  modules: { readonly hasSynced: boolean; get(namespace: string, name: string): TofuModule | undefined };
  stacks: { readonly hasSynced: boolean; get(namespace: string, name: string): TofuStack | undefined };
}

/** The owners' cache has not synced yet (just after a start): whether the owner exists is not known; retry. */
export class OwnersNotSyncedError extends Error {
  override readonly name = 'OwnersNotSyncedError';
}

/** The module or stack the outputs belong to is gone, or is not the one the execution was made for. */
export class OutputsOwnerError extends Error {
  override readonly name = 'OutputsOwnerError';
}

/** Bytes of data a Secret holds at most (the API server's limit). */
export const MAX_SECRET_BYTES = 1024 * 1024;
const RECORD_KEY = 'outputs.json';
/** Bytes of a record besides its outputs (execution, time, digest, a problem), generously. */
const RECORD_MARGIN = 8 * 1024;
const ATTEMPTS = 4;

const kindName = (owner: StateOwner): string => (owner.kind === 'stack' ? 'TofuStack' : 'TofuModule');
const ownerText = (namespace: string, owner: StateOwner): string => `${owner.kind} ${namespace}/${owner.name}`;

/**
 * The outputs of each owner's latest successful apply or destroy (issue 12), as its runner sends them
 * (`PUT /outputs/{namespace}/{execution}`, the body `tofu output -json` prints). The record, sensitive
 * values included, is in the Secret `tofu-outputs-<kind>-<owner>` owned by the owner; when the owner
 * has `spec.outputs.secretName`, every output also goes there as a JSON value under its name, in a
 * Secret the owner controls (one it does not own is never overwritten: the problem is recorded).
 * Never logs a value.
 */
@Injectable()
export class OutputsStore {
  constructor(
    @Inject(KubeClient) private readonly api: SecretApi,
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(ClusterCache) private readonly owners: OwnerCache,
  ) {}

  /**
   * Stores the outputs `execution` (an apply or destroy of `owner`, authorised by the caller) sent.
   * Throws OutputsFormatError for a body that is not `tofu output -json`'s, OutputsOwnerError when the
   * owner is gone or was replaced since the execution was made, OwnersNotSyncedError when that cannot
   * be known yet.
   */
  async write(namespace: string, execution: TofuExecution, owner: StateOwner, body: Uint8Array | string): Promise<void> {
    const outputs = parseTofuOutputs(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
    const object = this.ownerObject(namespace, owner);
    if (!object && !(owner.kind === 'stack' ? this.owners.stacks : this.owners.modules).hasSynced)
      throw new OwnersNotSyncedError(`the cache of ${owner.kind}s has not synced yet; retry`);
    if (!object) throw new OutputsOwnerError(`${ownerText(namespace, owner)} does not exist`);
    const madeFor = controllerOf(execution);
    if (madeFor && madeFor.kind === kindName(owner) && madeFor.uid !== uidOf(object))
      throw new OutputsOwnerError(`execution ${nameOf(execution)} was made for an earlier ${ownerText(namespace, owner)}`);
    // The record holds every value: it must fit in one Secret, beside its other fields.
    if (Buffer.byteLength(JSON.stringify(outputs)) > MAX_SECRET_BYTES - RECORD_MARGIN)
      throw new OutputsFormatError(
        `the outputs of ${ownerText(namespace, owner)} take more than a Secret holds (${MAX_SECRET_BYTES} bytes)`,
      );
    // A damaged record is replaced below; a foreign Secret under its name stops the write here.
    const previous = await this.readRecord(namespace, owner).catch((err: unknown) => {
      if (err instanceof OutputsFormatError) return undefined;
      throw err;
    });
    const secretName = object.spec?.outputs?.secretName;
    const secretProblem = secretName ? await this.writeOutputsSecret(namespace, owner, object, secretName, outputs) : undefined;
    const record: StoredOutputs & { secretName?: string } = {
      outputs,
      execution: nameOf(execution),
      updatedAt: new Date().toISOString(),
      digest: outputsDigest(outputs, uidOf(object)),
      ...(secretProblem ? { secretProblem } : {}),
      ...(secretName && !secretProblem ? { secretName } : {}),
    };
    const text = JSON.stringify(record);
    await putSecret(
      this.api,
      this.secret(namespace, outputsSecretName(owner.kind, owner.name), owner, object, { [RECORD_KEY]: text }),
      'outputs',
    );
    // spec.outputs.secretName changed (or was removed): the Secret written before goes, if the owner still controls it.
    const old = previous?.record.secretName;
    if (old && old !== secretName) await this.removeOwnedSecret(namespace, old, uidOf(object));
    this.log.info(
      {
        namespace,
        [owner.kind]: owner.name,
        execution: nameOf(execution),
        outputs: Object.keys(outputs).length,
        secretName,
        secretProblem,
      },
      'outputs stored',
    );
  }

  /**
   * The stored outputs of `owner`, or undefined when none are stored. With `ownerUid`, a record written
   * for an earlier owner of the same name (not collected yet) counts as none.
   */
  async read(namespace: string, owner: StateOwner, ownerUid?: string): Promise<StoredOutputs | undefined> {
    const found = await this.readRecord(namespace, owner);
    if (!found || (ownerUid !== undefined && controllerOf(found.secret)?.uid !== ownerUid)) return undefined;
    const { secretName: _written, ...record } = found.record;
    return record;
  }

  private async readRecord(
    namespace: string,
    owner: StateOwner,
  ): Promise<{ secret: Secret; record: StoredOutputs & { secretName?: string } } | undefined> {
    const secret = await getOurs(this.api, namespace, outputsSecretName(owner.kind, owner.name), 'outputs');
    if (!secret) return undefined;
    return { secret, record: parseStoredOutputs(secretValue(secret, RECORD_KEY).toString('utf8')) };
  }

  private ownerObject(namespace: string, owner: StateOwner): TofuModule | TofuStack | undefined {
    return owner.kind === 'stack' ? this.owners.stacks.get(namespace, owner.name) : this.owners.modules.get(namespace, owner.name);
  }

  /** A Secret of ours about `owner`, controlled by it (so it goes with it). */
  private secret(namespace: string, name: string, owner: StateOwner, object: TofuModule | TofuStack, data: Record<string, string>): Secret {
    const labels = {
      [Labels.artifact]: 'outputs',
      [Labels.ownerKind]: owner.kind,
      [owner.kind === 'stack' ? Labels.stack : Labels.module]: nameToken(owner.name),
    };
    return buildSecret(namespace, name, labels, data, { ownerReferences: [controllerRef(API_GROUP_VERSION, kindName(owner), object)] });
  }

  /**
   * Writes spec.outputs.secretName: one key per output, its value as JSON. Answers why it was not
   * written (a Secret the owner does not control has that name, the outputs are too large, the API
   * server refused it), or undefined when it was. Server errors and conflicts that persist are thrown
   * (the runner retries the upload).
   */
  private async writeOutputsSecret(
    namespace: string,
    owner: StateOwner,
    object: TofuModule | TofuStack,
    name: string,
    outputs: StoredOutputs['outputs'],
  ): Promise<string | undefined> {
    const data = Object.fromEntries(Object.entries(outputs).map(([key, o]) => [key, JSON.stringify(o.value ?? null)]));
    const size = Object.entries(data).reduce((n, [k, v]) => n + k.length + Buffer.byteLength(v), 0);
    if (size > MAX_SECRET_BYTES)
      return `the outputs take ${size} bytes, more than a Secret holds (${MAX_SECRET_BYTES}); Secret ${name} was not written`;
    const wanted = this.secret(namespace, name, owner, object, data);
    wanted.metadata.labels = { ...wanted.metadata.labels, [Labels.artifact]: 'outputs-secret' };
    const uid = uidOf(object);
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await this.api.create<Secret>(Secrets, namespace, wanted);
          return undefined;
        } catch (err) {
          if (!isAlreadyExists(err)) throw err;
        }
        const existing = await this.api.get<Secret>(Secrets, namespace, name);
        if (controllerOf(existing)?.uid !== uid) {
          const problem = `Secret ${namespace}/${name} (spec.outputs.secretName) exists and is not owned by ${ownerText(namespace, owner)}; it was not overwritten: delete it or choose another name`;
          this.log.warn({ namespace, [owner.kind]: owner.name, secret: name }, 'outputs Secret not written: it belongs to someone else');
          return problem;
        }
        const merged: Secret = {
          ...wanted,
          metadata: {
            ...wanted.metadata,
            labels: { ...existing.metadata.labels, ...wanted.metadata.labels },
            ...(existing.metadata.annotations ? { annotations: existing.metadata.annotations } : {}),
            resourceVersion: existing.metadata.resourceVersion,
          },
        };
        try {
          await this.api.replace<Secret>(Secrets, namespace, name, merged);
          return undefined;
        } catch (err) {
          // Replaced or deleted meanwhile: look again.
          if (!(isConflict(err) || (err instanceof KubeApiError && err.code === 404)) || attempt >= ATTEMPTS) throw err;
        }
      }
    } catch (err) {
      if (!(err instanceof KubeApiError) || err.code >= 500 || err.code === 429 || isConflict(err)) throw err;
      // The API server's answer names the object and the rule, never the data; still, only its code and reason go out.
      this.log.warn({ namespace, [owner.kind]: owner.name, secret: name, code: err.code, reason: err.reason }, 'outputs Secret refused');
      return `Secret ${namespace}/${name} (spec.outputs.secretName) could not be written: ${err.code} ${err.reason}`;
    }
  }

  private async removeOwnedSecret(namespace: string, name: string, ownerUid: string): Promise<void> {
    try {
      const existing = await this.api.get<Secret>(Secrets, namespace, name);
      if (controllerOf(existing)?.uid !== ownerUid) return;
      await deleteSecret(this.api, namespace, name, {
        preconditions: { uid: existing.metadata.uid, resourceVersion: existing.metadata.resourceVersion },
      });
    } catch (err) {
      // Not worth failing the upload for: the Secret goes with its owner anyway.
      this.log.info(
        { err: err instanceof KubeApiError ? `${err.code} ${err.reason}` : String(err), namespace, secret: name },
        'old outputs Secret not removed',
      );
    }
  }
}
