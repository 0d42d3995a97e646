import { Labels, MANAGED_BY, type ObjectMeta, type ResourceType } from '@tofu-operator/api-types';
import { isAlreadyExists, isNotFound, Secrets, type DeleteOptions, type KubeObject } from '@tofu-operator/reconcile-runtime';

export { Secrets };

/** A Secret as the runner API stores it: type Opaque, `data` only (base64 values). */
export interface Secret extends KubeObject {
  metadata: ObjectMeta;
  type?: string;
  data?: Record<string, string>;
}

/**
 * The calls the stores make on Secrets: a narrow view of KubeClient (which satisfies it), so the
 * stores can be tested against an in-memory API server.
 */
export interface SecretApi {
  get<T extends KubeObject>(rt: ResourceType, namespace: string | undefined, name: string): Promise<T>;
  create<T extends KubeObject>(rt: ResourceType, namespace: string | undefined, body: T): Promise<T>;
  /** Full replace; a metadata.resourceVersion in the body is the precondition. */
  replace<T extends KubeObject>(rt: ResourceType, namespace: string | undefined, name: string, body: T): Promise<T>;
  delete(rt: ResourceType, namespace: string | undefined, name: string, opts?: DeleteOptions): Promise<unknown>;
}

/** An object under one of our names that we did not write (or whose kind of content is not the expected one). */
export class ForeignSecretError extends Error {
  override readonly name = 'ForeignSecretError';
}

/** Builds a Secret of ours. `data` values are raw bytes, encoded here. */
export function buildSecret(
  namespace: string,
  name: string,
  labels: Record<string, string>,
  data: Record<string, Uint8Array | string>,
  extra: Pick<ObjectMeta, 'ownerReferences' | 'resourceVersion'> = {},
): Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, labels: { [Labels.managedBy]: MANAGED_BY, ...labels }, ...extra },
    type: 'Opaque',
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
}

/** One data value of a Secret, decoded; throws ForeignSecretError when it is missing. */
export function secretValue(secret: Secret, key: string): Buffer {
  const v = secret.data?.[key];
  if (v === undefined) throw new ForeignSecretError(`Secret ${secret.metadata.namespace}/${secret.metadata.name} has no "${key}"`);
  return Buffer.from(v, 'base64');
}

/**
 * Whether a Secret is one of ours of the expected artifact. Checked on every read: a user's own
 * Secret that happens to carry one of our names is never taken for state or a plan, nor overwritten.
 */
export function assertOurs(secret: Secret, artifact: string): Secret {
  const labels = secret.metadata.labels ?? {};
  if (labels[Labels.managedBy] !== MANAGED_BY || labels[Labels.artifact] !== artifact || secret.type !== 'Opaque') {
    throw new ForeignSecretError(
      `Secret ${secret.metadata.namespace}/${secret.metadata.name} exists but is not a ${artifact} Secret of tofu-operator; rename or delete it`,
    );
  }
  return secret;
}

/** Reads one of our Secrets; undefined when it does not exist. */
export async function getOurs(api: SecretApi, namespace: string, name: string, artifact: string): Promise<Secret | undefined> {
  try {
    return assertOurs(await api.get<Secret>(Secrets, namespace, name), artifact);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * Creates a Secret, or replaces one of ours of the same name (a leftover of an interrupted write:
 * names are claimed before they are written, so nobody else writes it now). Never touches a foreign one.
 */
export async function putSecret(api: SecretApi, secret: Secret, artifact: string): Promise<void> {
  const { namespace = '', name = '' } = secret.metadata;
  try {
    await api.create<Secret>(Secrets, namespace, secret);
    return;
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
  const existing = assertOurs(await api.get<Secret>(Secrets, namespace, name), artifact);
  await api.replace<Secret>(Secrets, namespace, name, {
    ...secret,
    metadata: { ...secret.metadata, resourceVersion: existing.metadata.resourceVersion },
  });
}

/** Deletes a Secret; one that is already gone is fine. */
export async function deleteSecret(api: SecretApi, namespace: string, name: string, opts?: DeleteOptions): Promise<void> {
  try {
    await api.delete(Secrets, namespace, name, opts);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/** Runs `fn` over `items` with at most `limit` calls in flight; rejects with the first failure. */
export async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
