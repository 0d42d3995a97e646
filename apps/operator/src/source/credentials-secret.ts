// The decoded keys of a source's credentials Secret (spec.source.credentialsSecretRef), read with a
// GET when git needs them (a poll, a read of a module's code), never cached nor logged.
import type { ResourceType } from '@tofu-operator/api-types';
import type { KubeClient, KubeObject } from '@tofu-operator/reconcile-runtime';

/** Core v1 Secrets. */
const Secrets: ResourceType = { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true };

/** The Secret's keys, decoded. Throws the client's error (404, 403, …). */
export async function readCredentials(client: KubeClient, namespace: string, name: string): Promise<Record<string, string>> {
  const secret = await client.get<KubeObject & { data?: Record<string, string> }>(Secrets, namespace, name);
  return Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}
