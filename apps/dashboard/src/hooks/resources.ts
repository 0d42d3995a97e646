'use client';
/** Data hooks: REST reads into the query cache, kept live by the namespace's socket events. */
import { useEffect } from 'react';
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import {
  apiPaths,
  ClientEvents,
  ServerEvents,
  type ApproveRequest,
  type NamespaceList,
  type PlanDiffResponse,
  type Permissions,
  type PlannableKind,
  type PlanRequest,
  type PlanResponse,
  type ResourceEvent,
  type ResourceKind,
  type ResourceTypes,
  type SubscriptionEndedEvent,
} from '@tofu-operator/api-contracts';
import type { TofuExecution } from '@tofu-operator/api-types';
import { applyEvents } from '../lib/apply-event.ts';
import { eventOverlay } from '../lib/event-overlay.ts';
import { KIND_NAMES } from '../lib/routes.ts';
import { api, ApiError, keys } from './api.ts';
import { loadList, useListProgress } from './list-loading.ts';
import { getSocket, setNamespaceRefused, useNamespaceIsLive } from './socket.ts';
import { notify } from './toast.ts';

/** "Module web", for confirmations. */
const named = (kind: ResourceKind, name: string) => `${KIND_NAMES[kind].one[0]!.toUpperCase()}${KIND_NAMES[kind].one.slice(1)} ${name}`;

/** How often lists are re-read while live updates are unavailable. */
export const POLL_MS = 5000;

export function useNamespaces() {
  return useQuery({ queryKey: keys.namespaces(), queryFn: ({ signal }) => api<NamespaceList>(apiPaths.namespaces(), { signal }) });
}

export function usePermissions(ns: string) {
  return useQuery({
    queryKey: keys.permissions(ns),
    queryFn: ({ signal }) => api<Permissions>(apiPaths.permissions(ns), { signal }),
    staleTime: 60_000,
  });
}

/**
 * Every object of a kind in the namespace as it loads, sorted by name, patched live by
 * NamespaceLive: the first page of a big list comes at once, `progress` says how much of the rest
 * is still being read (undefined once complete).
 */
export function useLoadingList<K extends ResourceKind>(ns: string, kind: K) {
  const qc = useQueryClient();
  const live = useNamespaceIsLive(ns);
  const query = useQuery({
    queryKey: keys.list(ns, kind),
    queryFn: ({ signal }) => loadList(qc, ns, kind, signal),
    refetchInterval: live ? false : POLL_MS,
  });
  return { query, progress: useListProgress(ns, kind) };
}

/**
 * Every object of a kind in the namespace, sorted by name, patched live by NamespaceLive; pending
 * until the whole list is read (counts, pickers and graphs need all of it).
 */
export function useList<K extends ResourceKind>(ns: string, kind: K) {
  const { query, progress } = useLoadingList(ns, kind);
  if (!progress) return query;
  return { ...query, data: undefined, isPending: true, isSuccess: false, status: 'pending' } as unknown as typeof query;
}

/** Reads one object; an event of it that arrived during the read wins over the answer (EventOverlay). */
function readItem<K extends ResourceKind>(ns: string, kind: K, name: string, signal: AbortSignal): Promise<ResourceTypes[K]> {
  return eventOverlay.read(async (since) => {
    const got = eventOverlay.item(since, ns, kind, name, await api<ResourceTypes[K]>(apiPaths.item(ns, kind, name), { signal }));
    if ('deleted' in got) throw new ApiError({ status: 404, reason: 'NotFound', message: `${KIND_NAMES[kind].one} ${name} was deleted` });
    return got;
  });
}

/** One object; seeded from the list when it is cached. `enabled: false` (e.g. no name yet) reads nothing. */
export function useItem<K extends ResourceKind>(ns: string, kind: K, name: string, enabled = true) {
  const qc = useQueryClient();
  const live = useNamespaceIsLive(ns);
  return useQuery({
    enabled,
    queryKey: keys.item(ns, kind, name),
    queryFn: ({ signal }) => readItem(ns, kind, name, signal),
    initialData: () => qc.getQueryData<ResourceTypes[K][]>(keys.list(ns, kind))?.find((o) => o.metadata.name === name),
    refetchInterval: live ? false : POLL_MS,
    retry: (count, err) => count < 2 && !(err instanceof Error && 'status' in err && (err as { status: number }).status === 404),
  });
}

/** Applies a burst of resource events to the cached lists and items of the namespace. */
export function patchCache(qc: QueryClient, ns: string, events: readonly ResourceEvent[]): void {
  const byKind = new Map<ResourceKind, ResourceEvent[]>();
  for (const e of events) {
    if (e.namespace !== ns) continue;
    byKind.set(e.kind, [...(byKind.get(e.kind) ?? []), e]);
    const itemKey = keys.item(ns, e.kind, e.name);
    if (e.type === 'DELETED') qc.removeQueries({ queryKey: itemKey, exact: true });
    else if (qc.getQueryData(itemKey) !== undefined) qc.setQueryData(itemKey, e.object);
  }
  for (const [kind, evs] of byKind) {
    qc.setQueryData<{ metadata: { name?: string } }[]>(keys.list(ns, kind), (old) => (old ? applyEvents(old, evs) : old));
  }
}

/**
 * Subscribes the page's socket to the namespace's events while mounted: events are applied in
 * batches (one render per animation frame); after a reconnect the subscription is renewed and every
 * list refetched, so what happened while disconnected is caught up.
 */
export function useNamespaceLive(ns: string): void {
  const qc = useQueryClient();
  useEffect(() => {
    const socket = getSocket();
    let pending: ResourceEvent[] = [];
    let frame: number | undefined;
    let connectedBefore = socket.connected;
    const flush = () => {
      frame = undefined;
      const batch = pending;
      pending = [];
      patchCache(qc, ns, batch);
    };
    const onResource = (e: ResourceEvent) => {
      if (e.namespace !== ns) return;
      // Recorded on arrival (not at the frame's flush): a REST read in flight must not answer over it.
      eventOverlay.record(e);
      pending.push(e);
      frame ??= requestAnimationFrame(flush);
    };
    const subscribeNs = () => {
      socket.emit(ClientEvents.subscribeNamespace, { namespace: ns }, (ack) => {
        // Refused (e.g. no `watch` permission): the lists of the namespace poll instead.
        setNamespaceRefused(ns, ack.ok ? undefined : ack.error.message);
        // Objects read before the subscription took effect may have changed before it did (no event
        // came for that): read them again now. Cheap (one object each); lists are re-read on reconnects.
        if (ack.ok) void qc.invalidateQueries({ queryKey: ['item', ns] });
      });
    };
    const onConnect = () => {
      subscribeNs();
      if (connectedBefore) void qc.invalidateQueries({ queryKey: keys.namespace(ns) });
      connectedBefore = true;
    };
    // The server ended the namespace subscription (access checked again and refused): the lists
    // poll instead, and show the refusal their next read gets.
    const onEnded = (e: SubscriptionEndedEvent) => {
      if (e.namespace !== ns || e.name !== undefined) return;
      setNamespaceRefused(ns, e.error.message);
      void qc.invalidateQueries({ queryKey: keys.namespace(ns) });
    };
    socket.on(ServerEvents.resource, onResource);
    socket.on(ServerEvents.subscriptionEnded, onEnded);
    socket.on('connect', onConnect);
    if (socket.connected) subscribeNs();
    return () => {
      socket.off(ServerEvents.resource, onResource);
      socket.off(ServerEvents.subscriptionEnded, onEnded);
      socket.off('connect', onConnect);
      if (frame !== undefined) cancelAnimationFrame(frame);
      if (socket.connected) socket.emit(ClientEvents.unsubscribeNamespace, { namespace: ns }, () => undefined);
    };
  }, [ns, qc]);
}

/** Starts a plan; answers the new execution (201) or throws ApiError (409 carries `running`). */
export function usePlan(ns: string, kind: PlannableKind) {
  return useMutation({
    mutationFn: (name: string) => api<PlanResponse>(apiPaths.plan(ns, kind, name), { method: 'POST' }),
  });
}

/** Requests a destroy plan (`{"destroy": true}`); answers it like usePlan. */
export function useDestroyPlan(ns: string, kind: PlannableKind) {
  return useMutation({
    mutationFn: (name: string) =>
      api<PlanResponse>(apiPaths.plan(ns, kind, name), { method: 'POST', body: { destroy: true } satisfies PlanRequest }),
  });
}

export function useDelete(ns: string, kind: ResourceKind) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => api<unknown>(apiPaths.item(ns, kind, name), { method: 'DELETE' }),
    onSuccess: (_r, name) => {
      qc.setQueryData<{ metadata: { name?: string } }[]>(keys.list(ns, kind), (old) => old?.filter((o) => o.metadata.name !== name));
      qc.removeQueries({ queryKey: keys.item(ns, kind, name) });
      notify(`${named(kind, name)} deleted`);
    },
  });
}

/** Creates (POST) or updates (PUT) a module or stack; the answer goes into the cache. */
export function useSave<K extends 'modules' | 'stacks'>(ns: string, kind: K) {
  const qc = useQueryClient();
  return useMutation({
    // The answer is the object right after the write; an event of it that came meanwhile (its status
    // written by the operator) is at least as new, or followed by the write's own event.
    mutationFn: (v: { name: string; isNew: boolean; body: unknown }) =>
      eventOverlay.read(async (since) => {
        const saved = await (v.isNew
          ? api<ResourceTypes[K]>(apiPaths.list(ns, kind), { method: 'POST', body: v.body })
          : api<ResourceTypes[K]>(apiPaths.item(ns, kind, v.name), { method: 'PUT', body: v.body }));
        const got = eventOverlay.item(since, ns, kind, saved.metadata.name ?? v.name, saved);
        return 'deleted' in got ? saved : got;
      }),
    onSuccess: (obj, v) => {
      const name = obj.metadata.name ?? '';
      qc.setQueryData(keys.item(ns, kind, name), obj);
      patchCache(qc, ns, [{ kind, type: 'MODIFIED', namespace: ns, name, object: obj } as ResourceEvent]);
      notify(`${named(kind, name)} ${v.isNew ? 'created' : 'saved'}`);
    },
  });
}

const isStatus = (err: unknown, status: number) => err instanceof Error && 'status' in err && (err as { status: number }).status === status;

/**
 * The masked per-resource diff of a plan execution (stored once when the plan finishes, so it is read
 * once). `enabled` only for a finished plan; a 404 (none stored) is not retried.
 */
export function usePlanDiff(ns: string, name: string, enabled: boolean) {
  return useQuery({
    enabled,
    queryKey: keys.planDiff(ns, name),
    queryFn: ({ signal }) => api<PlanDiffResponse>(apiPaths.planDiff(ns, name), { signal }),
    staleTime: Infinity,
    retry: (count, err) => count < 2 && !isStatus(err, 404) && !isStatus(err, 403),
  });
}

/**
 * Approves a plan by the digest the reviewer saw: answers the apply execution (201). The API answers
 * 422 when the digest is not the plan's, 409 when the plan may not be approved (any more).
 */
export function useApprove(ns: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { name: string } & ApproveRequest) =>
      api<TofuExecution>(apiPaths.approve(ns, v.name), { method: 'POST', body: { planDigest: v.planDigest } satisfies ApproveRequest }),
    onSuccess: (apply, v) => {
      void qc.invalidateQueries({ queryKey: keys.item(ns, 'executions', v.name) });
      if (apply.metadata.name) qc.setQueryData(keys.item(ns, 'executions', apply.metadata.name), apply);
    },
  });
}

/** Rejects a plan by its digest (200); the plan is never applied. */
export function useReject(ns: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { name: string } & ApproveRequest) =>
      api<unknown>(apiPaths.reject(ns, v.name), { method: 'POST', body: { planDigest: v.planDigest } satisfies ApproveRequest }),
    onSuccess: (_r, v) => void qc.invalidateQueries({ queryKey: keys.item(ns, 'executions', v.name) }),
  });
}
