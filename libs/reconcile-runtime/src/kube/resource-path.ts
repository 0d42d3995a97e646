import type { ResourceType } from '@tofu-operator/api-types';

/** Builds the REST path of a resource type, optionally namespaced, named and with a subresource. */
export function resourcePath(rt: ResourceType, namespace?: string, name?: string, subresource?: string): string {
  const base = rt.group === '' ? `/api/${rt.version}` : `/apis/${rt.group}/${rt.version}`;
  const ns = rt.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const n = name ? `/${encodeURIComponent(name)}` : '';
  const sub = subresource ? `/${subresource}` : '';
  return `${base}${ns}/${rt.plural}${n}${sub}`;
}

/** What a request path names, for counting requests: the resource's plural and its subresource (both '' when none). */
export interface RequestTarget {
  resource: string;
  subresource: string;
}

/**
 * The resource and subresource a REST path names: `/api/v1/namespaces/ns/pods/p/log` → pods, log;
 * `/apis/g/v/namespaces/ns/tofustacks` → tofustacks; `/api/v1/namespaces/ns` → namespaces. Anything
 * else (discovery, /metrics) is `other`.
 */
export function requestTarget(path: string): RequestTarget {
  const parts = path.split('?')[0]!.split('/').filter(Boolean);
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) rest = parts.slice(2);
  else if (parts[0] === 'apis' && parts.length >= 4) rest = parts.slice(3);
  else return { resource: 'other', subresource: '' };
  if (rest[0] === 'namespaces' && rest.length >= 3) rest = rest.slice(2);
  return { resource: rest[0] ?? 'other', subresource: rest[2] ?? '' };
}
