/**
 * The server components' own reads of the operator's API, with the session's token: whether a
 * namespace or an object exists for this user, so a page that does not exist is answered with a real
 * 404 (before anything streams) rather than an empty page. Any answer but a clear yes or no renders
 * the page as usual: the page's own reads then show what went wrong.
 */
import { apiPaths, type NamespaceList, type ResourceKind } from '@tofu-operator/api-contracts';
import { apiUrl } from '../app/auth/upstream.ts';

/** What a check found: there, not there, the token was refused (sign in again), or no answer. */
export type Presence = 'found' | 'missing' | 'unauthorized' | 'unknown';

async function get(path: string, token: string): Promise<Response | undefined> {
  try {
    return await fetch(`${apiUrl()}${path}`, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      cache: 'no-store',
      signal: AbortSignal.timeout(5000),
    });
  } catch {
    return undefined;
  }
}

/**
 * Whether `ns` is among the namespaces the token may see (`GET /api/v1/namespaces`, the picker's
 * list): a namespace that does not exist and one the token may not look into are both "missing".
 */
export async function namespacePresence(token: string, ns: string): Promise<Presence> {
  const res = await get(apiPaths.namespaces(), token);
  if (!res) return 'unknown';
  if (res.status === 401) return 'unauthorized';
  if (!res.ok) return 'unknown';
  const list = (await res.json().catch(() => undefined)) as NamespaceList | undefined;
  if (!Array.isArray(list?.items)) return 'unknown';
  return list.items.some((n) => n.name === ns) ? 'found' : 'missing';
}

/** Whether the object exists (`GET …/{kind}/{name}`: 404 is missing; 403 and the rest are the page's to show). */
export async function objectPresence(token: string, ns: string, kind: ResourceKind, name: string): Promise<Presence> {
  const res = await get(apiPaths.item(ns, kind, name), token);
  await res?.body?.cancel();
  if (!res) return 'unknown';
  if (res.status === 401) return 'unauthorized';
  if (res.status === 404) return 'missing';
  return res.ok ? 'found' : 'unknown';
}
