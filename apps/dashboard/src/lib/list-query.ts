/**
 * The view of a list kept in its URL (issue 17 item 10): search text, sort column and direction,
 * phase filter, the all-namespaces scope, and the page and its size (issue 15), so a filtered list is a link to share and Back restores
 * it. Parsing, the query string, filtering and sorting are pure and unit-tested.
 */
import type { ResourceKind } from '@tofu-operator/api-contracts';
import type { Phase } from '@tofu-operator/api-types';
import { countOf } from './owner-state.ts';
import { DEFAULT_PAGE_SIZE, parsePage, parsePageSize } from './paging.ts';

/** The phase filters of a list, in display order. */
export const PHASE_FILTERS = [
  { id: 'all', label: 'All' },
  { id: 'running', label: 'Running' },
  { id: 'pending', label: 'Pending / queued' },
  { id: 'succeeded', label: 'Succeeded' },
  { id: 'failed', label: 'Failed' },
] as const;
export type PhaseFilter = (typeof PHASE_FILTERS)[number]['id'];

/** What a list shows: everything that has a default is left out of the URL when it has it. */
export interface ListQuery {
  /** The search text, as typed. */
  q: string;
  /** A column id; the page's default when the URL names none (or one that does not sort). */
  sort: string;
  /** 1 ascending, -1 descending. */
  dir: 1 | -1;
  phase: PhaseFilter;
  /** Every namespace the caller may list, not only the current one. */
  all: boolean;
  /** The page shown, 1-based. */
  page: number;
  /** Rows per page, one of PAGE_SIZES. */
  size: number;
}

/** The query parameters' names. */
export const PARAMS = { q: 'q', sort: 'sort', dir: 'dir', phase: 'phase', all: 'scope', page: 'page', size: 'size' } as const;

/** The list view a URL asks for; anything unknown falls back to the default, never an error. */
export function parseListQuery(params: { get(name: string): string | null }, sortable: readonly string[], defaultSort: string): ListQuery {
  const sort = params.get(PARAMS.sort);
  const phase = params.get(PARAMS.phase)?.toLowerCase();
  return {
    q: params.get(PARAMS.q) ?? '',
    sort: sort && sortable.includes(sort) ? sort : defaultSort,
    dir: params.get(PARAMS.dir) === 'desc' ? -1 : 1,
    phase: PHASE_FILTERS.find((f) => f.id === phase)?.id ?? 'all',
    all: params.get(PARAMS.all) === 'all',
    page: parsePage(params.get(PARAMS.page)),
    size: parsePageSize(params.get(PARAMS.size)),
  };
}

/** The query string of a view ("" for the default view, else "?q=…&sort=…"), defaults left out. */
export function listQueryString(view: Partial<ListQuery>, defaultSort = 'name'): string {
  const p = new URLSearchParams();
  if (view.q) p.set(PARAMS.q, view.q);
  if (view.sort && view.sort !== defaultSort) p.set(PARAMS.sort, view.sort);
  if (view.dir === -1) p.set(PARAMS.dir, 'desc');
  if (view.phase && view.phase !== 'all') p.set(PARAMS.phase, view.phase);
  if (view.all) p.set(PARAMS.all, 'all');
  if (view.size && view.size !== DEFAULT_PAGE_SIZE) p.set(PARAMS.size, String(view.size));
  if (view.page && view.page > 1) p.set(PARAMS.page, String(view.page));
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** The list page of a kind with a view: the overview's counts link here ("3 failed" -> ?phase=failed). */
export function filteredListHref(ns: string, kind: ResourceKind, view: Partial<ListQuery> = {}): string {
  return `/ns/${encodeURIComponent(ns)}/${kind}${listQueryString(view, kind === 'executions' ? 'age' : 'name')}`;
}

/**
 * The filter a row belongs to. `failed` covers a stranded owner (its module gone) too, as the
 * lists show it red; an object without a phase yet waits, so it is pending.
 */
export function phaseFilterOf(phase: Phase | undefined, problem = false): Exclude<PhaseFilter, 'all'> {
  if (problem || phase === 'Failed') return 'failed';
  if (phase === 'Running') return 'running';
  if (phase === 'Succeeded') return 'succeeded';
  return 'pending';
}

/** How many rows each filter keeps ("All" included), for the chips' counts. */
export function filterCounts(filters: readonly Exclude<PhaseFilter, 'all'>[]): Record<PhaseFilter, number> {
  const counts: Record<PhaseFilter, number> = { all: filters.length, running: 0, pending: 0, succeeded: 0, failed: 0 };
  for (const f of filters) counts[f]++;
  return counts;
}

/**
 * Rows sorted by a key, stable (equal keys keep their order, the API's by name). Rows without a
 * key (undefined: a run not finished has no duration) go last in both directions.
 */
export function sortBy<T>(rows: readonly T[], key: (row: T) => string | number | undefined, dir: 1 | -1): T[] {
  return rows
    .map((row, i) => ({ row, i, k: key(row) }))
    .sort((a, b) => {
      if (a.k === undefined || b.k === undefined) return a.k === b.k ? a.i - b.i : a.k === undefined ? 1 : -1;
      return a.k < b.k ? -dir : a.k > b.k ? dir : a.i - b.i;
    })
    .map((x) => x.row);
}

/** The run's duration in ms (start to completion), undefined while it has not finished. */
export function runDuration(status: { startTime?: string; completionTime?: string } | undefined): number | undefined {
  if (!status?.startTime || !status.completionTime) return undefined;
  const ms = Date.parse(status.completionTime) - Date.parse(status.startTime);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

/** At most this many namespaces are read for the all-namespaces view (one list request each). */
export const ALL_NAMESPACES_LIMIT = 50;

const ONE: Record<ResourceKind, string> = { modules: 'module', stacks: 'stack', executions: 'execution' };

/** "module" for 1, "modules" for any other number. */
export function kindNoun(n: number, kind: ResourceKind): string {
  return n === 1 ? ONE[kind] : kind;
}

/** "1 module", "3 modules"; the noun agrees with the number. */
export function kindCount(n: number, kind: ResourceKind): string {
  return countOf(n, ONE[kind], kind);
}

/** What a list says it shows: "5 modules", or "1 of 5 modules" when search or a filter hides some. */
export function shownCount(shown: number, total: number, kind: ResourceKind): string {
  return shown === total ? kindCount(total, kind) : `${shown} of ${kindCount(total, kind)}`;
}
