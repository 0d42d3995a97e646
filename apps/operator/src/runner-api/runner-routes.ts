import type { RunnerRoute } from './runner-access.js';
import { isObjectName } from './secret-names.js';

/** A request that matches no route (404), a known path with another method (405), or a malformed one (400). */
export interface RouteError {
  status: 400 | 404 | 405;
  message: string;
  /** Methods of the path, for the Allow header of a 405. */
  allow?: string[];
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

const STATE_METHODS: Record<string, 'get' | 'write' | 'lock' | 'unlock'> = { GET: 'get', POST: 'write', LOCK: 'lock', UNLOCK: 'unlock' };
const PLAN_METHODS: Record<string, 'get' | 'put'> = { GET: 'get', PUT: 'put' };

/**
 * Parses a runner API request: `/state/{namespace}/{module|stack}/{owner}` (GET, POST with `?ID=`,
 * LOCK, UNLOCK: OpenTofu's http backend), `/plans/{namespace}/{execution}[/diff]` (GET, PUT) and
 * `/outputs/{namespace}/{execution}` (PUT). Names must be valid Kubernetes names, so nothing else
 * reaches the stores.
 */
export function parseRoute(method: string, rawUrl: string): { route: RunnerRoute } | { error: RouteError } {
  let url: URL;
  try {
    url = new URL(rawUrl, 'http://runner-api');
  } catch {
    return { error: { status: 400, message: 'malformed request target' } };
  }
  const parts = url.pathname.split('/').slice(1);
  const [head, namespace = '', a = '', b, ...rest] = parts;
  const notFound = { error: { status: 404 as const, message: `no route for ${url.pathname}` } };
  if (rest.length > 0 || !DNS_LABEL.test(namespace)) return notFound;
  if (head === 'state') {
    if ((a !== 'module' && a !== 'stack') || b === undefined || !isObjectName(b)) return notFound;
    const op = STATE_METHODS[method];
    if (!op) return { error: { status: 405, message: `${method} is not allowed on ${url.pathname}`, allow: Object.keys(STATE_METHODS) } };
    const id = url.searchParams.get('ID');
    return { route: { kind: 'state', op, namespace, ownerKind: a, owner: b, ...(op === 'write' && id ? { lockId: id } : {}) } };
  }
  if (head === 'plans') {
    if (!isObjectName(a) || (b !== undefined && b !== 'diff')) return notFound;
    const op = PLAN_METHODS[method];
    if (!op) return { error: { status: 405, message: `${method} is not allowed on ${url.pathname}`, allow: Object.keys(PLAN_METHODS) } };
    return { route: { kind: 'plan', op, part: b === 'diff' ? 'diff' : 'plan', namespace, execution: a } };
  }
  if (head === 'outputs') {
    if (!isObjectName(a) || b !== undefined) return notFound;
    if (method !== 'PUT') return { error: { status: 405, message: `${method} is not allowed on ${url.pathname}`, allow: ['PUT'] } };
    return { route: { kind: 'outputs', op: 'put', namespace, execution: a } };
  }
  return notFound;
}
