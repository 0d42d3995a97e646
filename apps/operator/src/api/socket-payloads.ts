import { RESOURCE_KINDS, type ExecutionSubscription, type NamespaceSubscription, type ResourceKind } from '@tofu-operator/api-contracts';
import { ApiError } from '../http/errors.js';

/** DNS-1123 subdomain (names) and label (namespaces), as Kubernetes validates them. */
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function invalid(path: string, message: string): ApiError {
  return new ApiError(422, 'Invalid', `${path}: ${message}`, [{ path, message }]);
}

function namespaceOf(v: Record<string, unknown>): string {
  const ns = v['namespace'];
  if (typeof ns !== 'string' || ns.length > 63 || !LABEL.test(ns)) throw invalid('namespace', 'must be a namespace name (DNS-1123 label)');
  return ns;
}

/** Validates a `namespace:subscribe` payload; throws 422 with the field path. */
export function parseNamespaceSubscription(v: unknown): Required<NamespaceSubscription> {
  if (!isRecord(v)) throw invalid('', 'the payload must be an object');
  const namespace = namespaceOf(v);
  const raw = v['kinds'];
  if (raw === undefined) return { namespace, kinds: [...RESOURCE_KINDS] };
  if (!Array.isArray(raw) || raw.length === 0) throw invalid('kinds', `must be a non-empty array of ${RESOURCE_KINDS.join(', ')}`);
  const kinds = new Set<ResourceKind>();
  for (const [i, k] of raw.entries()) {
    if (!RESOURCE_KINDS.includes(k as ResourceKind)) throw invalid(`kinds[${i}]`, `must be one of ${RESOURCE_KINDS.join(', ')}`);
    kinds.add(k as ResourceKind);
  }
  return { namespace, kinds: [...kinds] };
}

/** Validates an `execution:subscribe` payload; throws 422 with the field path. */
export function parseExecutionSubscription(v: unknown): Required<ExecutionSubscription> {
  if (!isRecord(v)) throw invalid('', 'the payload must be an object');
  const namespace = namespaceOf(v);
  const name = v['name'];
  if (typeof name !== 'string' || name.length > 253 || !SUBDOMAIN.test(name))
    throw invalid('name', 'must be an object name (DNS-1123 subdomain)');
  const from = v['fromSeq'] ?? 0;
  if (typeof from !== 'number' || !Number.isSafeInteger(from) || from < 0) throw invalid('fromSeq', 'must be a non-negative integer');
  return { namespace, name, fromSeq: from };
}

/** The plural resource name RBAC uses for a kind. */
export const rbacResource = (kind: ResourceKind): 'tofumodules' | 'tofustacks' | 'tofuexecutions' => `tofu${kind}` as const;
