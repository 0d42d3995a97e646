'use client';
/**
 * A namespace's list, read in the API's pages (issue 15). The first read of a list returns its
 * first page (FIRST_PAGE objects) as soon as it arrives (the list paints it) and, after that paint,
 * reads the rest in the background into the same cache entry, page by page; how far it has come is
 * kept here for the list's "Loading stacks: 500 of 10000". A read of a list already cached (a reconnect, polling) reads it whole
 * before replacing it, so a list on screen never shrinks to one page; it also ends a background
 * read still under way.
 */
import { useSyncExternalStore } from 'react';
import type { QueryClient } from '@tanstack/react-query';
import type { ListResponse, ResourceKind, ResourceTypes } from '@tofu-operator/api-contracts';
import { mergeByName } from '../lib/apply-event.ts';
import { eventOverlay } from '../lib/event-overlay.ts';
import type { LoadProgress } from '../lib/paging.ts';
import { keys, listAll, listPage } from './api.ts';

/**
 * The first read asks for this many: two screens of rows (the default page has 50) come and paint
 * sooner than 500 would; the rest comes in the API's pages of 500 (LIST_PAGE).
 */
export const FIRST_PAGE = 100;

/**
 * Resolves once the browser painted what is committed now (two frames), or after 250 ms in a tab
 * that does not paint (hidden: no animation frames there).
 */
const afterPaint = () =>
  new Promise<void>((resolve) => {
    requestAnimationFrame(() => requestAnimationFrame(() => resolve()));
    setTimeout(resolve, 250);
  });

const progress = new Map<string, LoadProgress>();
/** Each read of a list gets the next number: a background read stops when a newer read started. */
const generation = new Map<string, number>();
const listeners = new Set<() => void>();
const idOf = (ns: string, kind: ResourceKind) => `${ns}\u0000${kind}`;

function setProgress(id: string, p: LoadProgress | undefined): void {
  if (p) progress.set(id, p);
  else if (!progress.delete(id)) return;
  for (const l of listeners) l();
}

function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** How far the list's background read has come; undefined when it is complete (or not read yet). */
export function useListProgress(ns: string, kind: ResourceKind): LoadProgress | undefined {
  const id = idOf(ns, kind);
  return useSyncExternalStore(
    subscribe,
    () => progress.get(id),
    () => undefined,
  );
}

/** The query function of a namespace's list (see the file comment). */
export async function loadList<K extends ResourceKind>(
  qc: QueryClient,
  ns: string,
  kind: K,
  signal: AbortSignal,
): Promise<ResourceTypes[K][]> {
  const id = idOf(ns, kind);
  const gen = (generation.get(id) ?? 0) + 1;
  generation.set(id, gen);
  if (qc.getQueryData(keys.list(ns, kind)) !== undefined) {
    try {
      return await eventOverlay.read(async (since) => eventOverlay.list(since, ns, kind, await listAll(ns, kind, signal)));
    } finally {
      // Complete, or failed: then the list shows the error, not a read that no longer goes on.
      if (generation.get(id) === gen) setProgress(id, undefined);
    }
  }
  const first = await eventOverlay.read(async (since) => {
    const page = await listPage(ns, kind, undefined, signal, FIRST_PAGE);
    return { ...page, items: eventOverlay.list(since, ns, kind, page.items) };
  });
  const cont = first.metadata.continue || undefined;
  if (cont) {
    setProgress(id, { loaded: first.items.length, total: first.items.length + (first.metadata.remainingItemCount ?? 0) });
    void readRest(qc, ns, kind, cont, gen);
  } else if (generation.get(id) === gen) setProgress(id, undefined);
  return first.items;
}

/**
 * Reads the pages after the first into the cached list. Stops when a newer read of the list began
 * or the list left the cache; on an error, reads the whole list again (the list shows the error if
 * that fails too). A newer read clears the progress itself when it ends.
 */
async function readRest<K extends ResourceKind>(qc: QueryClient, ns: string, kind: K, cont: string, gen: number): Promise<void> {
  const id = idOf(ns, kind);
  const key = keys.list(ns, kind);
  const stale = () => {
    if (generation.get(id) !== gen) return true;
    if (qc.getQueryCache().find({ queryKey: key, exact: true })) return false;
    setProgress(id, undefined);
    return true;
  };
  let next: string | undefined = cont;
  try {
    // The first page paints before anything else competes for the main thread.
    await afterPaint();
    while (next) {
      const page: ListResponse<ResourceTypes[K]> = await eventOverlay.read(async (since) => {
        const p = await listPage(ns, kind, next);
        return { ...p, items: eventOverlay.list(since, ns, kind, p.items) };
      });
      if (stale()) return;
      // The first page is in the cache by now: this page's request took at least one network round trip.
      const merged = mergeByName(qc.getQueryData<ResourceTypes[K][]>(key) ?? [], page.items);
      qc.setQueryData(key, merged);
      next = page.metadata.continue || undefined;
      setProgress(id, next ? { loaded: merged.length, total: merged.length + (page.metadata.remainingItemCount ?? 0) } : undefined);
    }
  } catch {
    if (stale()) return;
    // A newer read (this one) takes over: it reads the list whole, the cached part stays shown meanwhile.
    void qc.refetchQueries({ queryKey: key, exact: true });
  }
}
