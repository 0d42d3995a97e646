/**
 * Paging of the lists (issue 15): a list shows one page of its rows; the page and its size live in
 * the URL with the rest of the view. Pure and unit-tested.
 */

/** The page sizes offered; the first page of 10,000 stacks renders as fast as the first of 50. */
export const PAGE_SIZES = [25, 50, 100, 200] as const;
export const DEFAULT_PAGE_SIZE = 50;

/** A page number from the URL: a positive integer, else 1 (never an error). */
export function parsePage(raw: string | null): number {
  if (!raw || !/^\d+$/.test(raw)) return 1;
  const n = Number(raw);
  return n >= 1 && Number.isSafeInteger(n) ? n : 1;
}

/** A page size from the URL: one of PAGE_SIZES, else the default. */
export function parsePageSize(raw: string | null): number {
  const n = Number(raw);
  return (PAGE_SIZES as readonly number[]).includes(n) ? n : DEFAULT_PAGE_SIZE;
}

/** One page of a list, and where it is in the whole. */
export interface PageOf<T> {
  rows: T[];
  /** The page shown, 1-based: the one asked for, or the last there is when it asked for more. */
  page: number;
  /** How many pages there are (at least 1, an empty list has one empty page). */
  pages: number;
  /** 1-based numbers of the first and last row shown; 0 and 0 for an empty list. */
  first: number;
  last: number;
}

/**
 * The rows of page `page` of `size` rows. A page past the end shows the last page without changing
 * the URL, so a reloaded link to page 30 shows page 30 once the rows it needs have loaded.
 */
export function pageOf<T>(rows: readonly T[], page: number, size: number): PageOf<T> {
  const pages = Math.max(1, Math.ceil(rows.length / size));
  const shown = Math.min(Math.max(1, page), pages);
  const start = (shown - 1) * size;
  const slice = rows.slice(start, start + size);
  return { rows: slice, page: shown, pages, first: slice.length ? start + 1 : 0, last: start + slice.length };
}

/** How far a list still loading has come; undefined once everything is loaded. */
export interface LoadProgress {
  loaded: number;
  /** Loaded plus the API's remainingItemCount of the last page read. */
  total: number;
}

/** "Loading stacks: 500 of 10000", for the list's status line. */
export function loadingNote(p: LoadProgress, kind: string): string {
  return `Loading ${kind}: ${p.loaded} of ${p.total}`;
}
