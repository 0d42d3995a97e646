/**
 * REST calls to the operator's API through the dashboard's own /api proxy (same origin: the session
 * cookie goes along, the proxy turns it into a bearer token).
 */
import type { ErrorBody, ListResponse, ResourceKind, ResourceTypes } from '@tofu-operator/api-contracts';
import { apiPaths } from '@tofu-operator/api-contracts';
import { signInUrl } from '../lib/return-path.ts';

/** A non-2xx answer of the API, with its one error shape. */
export class ApiError extends Error {
  readonly status: number;
  readonly body: ErrorBody;
  constructor(body: ErrorBody, options?: { cause?: unknown }) {
    super(body.message, options);
    this.name = 'ApiError';
    this.status = body.status;
    this.body = body;
  }
}

async function errorOf(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as Partial<ErrorBody>;
    if (typeof body.message === 'string') return new ApiError({ reason: 'Unknown', ...body, status: res.status } as ErrorBody);
  } catch {
    // not JSON: fall through
  }
  return new ApiError({ status: res.status, reason: res.statusText || 'Error', message: text || `HTTP ${res.status}` });
}

/** Sends a request and parses the JSON answer; throws ApiError on 4xx/5xx, sends to sign-in on 401. */
export async function api<T>(path: string, init: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? 'GET',
      headers:
        init.body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: init.body === undefined ? null : JSON.stringify(init.body),
      credentials: 'same-origin',
      cache: 'no-store',
      ...(init.signal ? { signal: init.signal } : {}),
    });
  } catch (err) {
    throw new ApiError({ status: 0, reason: 'NetworkError', message: 'the dashboard server is not reachable' }, { cause: err });
  }
  if (res.status === 401 && typeof window !== 'undefined' && !window.location.pathname.startsWith('/sign-in')) {
    window.location.assign(signInUrl(window.location.pathname + window.location.search, true));
  }
  if (!res.ok) throw await errorOf(res);
  return (await res.json()) as T;
}

/** Page size of list requests: thousands of objects come in a few requests. */
export const LIST_PAGE = 500;

/** One page of a kind in a namespace: the first (no `cont`) or the one after a continue token. */
export function listPage<K extends ResourceKind>(
  ns: string,
  kind: K,
  cont: string | undefined,
  signal?: AbortSignal,
  limit = LIST_PAGE,
): Promise<ListResponse<ResourceTypes[K]>> {
  const q = new URLSearchParams({ limit: String(limit) });
  if (cont) q.set('continue', cont);
  return api<ListResponse<ResourceTypes[K]>>(`${apiPaths.list(ns, kind)}?${q.toString()}`, signal ? { signal } : {});
}

/** Every object of a kind in a namespace (following `continue` tokens), sorted by name. */
export async function listAll<K extends ResourceKind>(ns: string, kind: K, signal?: AbortSignal): Promise<ResourceTypes[K][]> {
  const items: ResourceTypes[K][] = [];
  let cont: string | undefined;
  do {
    const page = await listPage(ns, kind, cont, signal);
    items.push(...page.items);
    cont = page.metadata.continue || undefined;
  } while (cont);
  return items;
}

/** Query keys of the cache; resource events patch these. */
export const keys = {
  namespaces: () => ['namespaces'] as const,
  permissions: (ns: string) => ['permissions', ns] as const,
  list: (ns: string, kind: ResourceKind) => ['list', ns, kind] as const,
  item: (ns: string, kind: ResourceKind, name: string) => ['item', ns, kind, name] as const,
  planDiff: (ns: string, name: string) => ['plan-diff', ns, name] as const,
  namespace: (ns: string) => ['list', ns] as const,
};
