'use client';
/**
 * The all-namespaces view of a list: the API has no cluster-wide list route, so the dashboard reads
 * the kind in each namespace GET /api/v1/namespaces names for the caller (those where it may list
 * our kinds), at most ALL_NAMESPACES_LIMIT of them, into the same cache entries as each namespace's
 * own list. Namespaces other than the open one have no live subscription, so they are re-read.
 */
import { useQueries } from '@tanstack/react-query';
import type { ResourceKind, ResourceTypes } from '@tofu-operator/api-contracts';
import { ALL_NAMESPACES_LIMIT } from '../lib/list-query.ts';
import { keys, listAll } from './api.ts';
import { POLL_MS } from './resources.ts';

/** What the fan-out read: the rows of every namespace read, and the namespaces it could not read. */
export interface AcrossNamespaces<K extends ResourceKind> {
  items: ResourceTypes[K][];
  pending: boolean;
  failed: { ns: string; message: string }[];
  /** Namespaces left out by the limit. */
  skipped: number;
}

export function useListAcross<K extends ResourceKind>(namespaces: readonly string[], kind: K, enabled: boolean): AcrossNamespaces<K> {
  const read = namespaces.slice(0, ALL_NAMESPACES_LIMIT);
  return useQueries({
    queries: read.map((ns) => ({
      queryKey: keys.list(ns, kind),
      queryFn: ({ signal }: { signal: AbortSignal }) => listAll(ns, kind, signal),
      refetchInterval: POLL_MS,
      enabled,
    })),
    combine: (results) => ({
      items: results.flatMap((r) => r.data ?? []),
      pending: results.some((r) => r.isPending),
      failed: results.flatMap((r, i) => (r.isError ? [{ ns: read[i]!, message: r.error.message }] : [])),
      skipped: Math.max(0, namespaces.length - read.length),
    }),
  });
}
