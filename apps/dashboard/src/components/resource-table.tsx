'use client';
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { ResourceKind } from '@tofu-operator/api-contracts';
import { matches } from '../lib/format.ts';
import { filterCounts, shownCount, sortBy, type ListQuery } from '../lib/list-query.ts';
import { loadingNote, pageOf, PAGE_SIZES, type LoadProgress } from '../lib/paging.ts';
import { tableMinWidth } from '../lib/table-layout.ts';
import { PhaseChips } from './list-filters.tsx';
import { Pager } from './pager.tsx';
import { COLUMNS, namespaceCol, rowFilter, type Column, type Row } from './resource-columns.tsx';

/** The columns of a kind's list; the all-namespaces view starts with the namespace. */
export function columnsOf(kind: ResourceKind, all: boolean): Column[] {
  return all ? [namespaceCol, ...COLUMNS[kind]] : COLUMNS[kind];
}

/**
 * A searchable, sortable, filterable list of modules, stacks or executions. Search, sort and the
 * phase filter live in the URL (`view`, from useListView), so the view is a link and Back restores
 * it, and so do the page and its size: the table shows one page of what the search and filter keep
 * (issue 15), so 10,000 objects render as fast as 50 and every row of the page is in the DOM for
 * screen readers and find-in-page. While a big list is still loading
 * (`progress`), search, filter and sort work on what has loaded, and the list says so. The table is
 * a grid with ARIA roles and each name is a link (keyboard: Tab). In the all-namespaces view each
 * row links into its own namespace.
 */
export function ResourceTable({
  ns,
  kind,
  items,
  view,
  setView,
  progress,
  children,
}: {
  ns: string;
  kind: ResourceKind;
  items: Row[];
  view: ListQuery;
  setView: (change: Partial<ListQuery>, how?: 'push' | 'replace') => void;
  /** How much of the list has loaded while the rest is still read; undefined when complete. */
  progress?: LoadProgress | undefined;
  /** More controls next to the phase filter (the namespace scope). */
  children?: ReactNode;
}) {
  const columns = columnsOf(kind, view.all);
  // The box follows what is typed at once; the URL (replaced, not pushed) follows the box, and the
  // box follows the URL when Back or a link changes it.
  const [query, setQuery] = useState(view.q);
  const written = useRef(view.q);
  useEffect(() => {
    if (view.q !== written.current) setQuery((written.current = view.q));
  }, [view.q]);
  const sort = { id: view.sort, dir: view.dir };
  const scroller = useRef<HTMLDivElement>(null);

  const searched = useMemo(
    () =>
      items.filter((o) =>
        matches(
          columns.flatMap((c) => c.search?.(o) ?? []),
          query,
        ),
      ),
    [items, columns, query],
  );
  const counts = useMemo(() => filterCounts(searched.map((o) => rowFilter(kind, o))), [searched, kind]);
  const rows = useMemo(() => {
    const filtered = view.phase === 'all' ? searched : searched.filter((o) => rowFilter(kind, o) === view.phase);
    const col = columns.find((c) => c.id === view.sort);
    // One namespace's list comes sorted by name from the API.
    if (!col?.sort || (col.id === 'name' && view.dir === 1 && !view.all)) return filtered;
    return sortBy(filtered, col.sort, view.dir);
  }, [searched, columns, kind, view.phase, view.sort, view.dir, view.all]);

  const paged = useMemo(() => pageOf(rows, view.page, view.size), [rows, view.page, view.size]);
  // A new page starts at its top.
  // A block body: scrollTo returns a promise in current Chromium, which React would take for a cleanup.
  useEffect(() => {
    if (scroller.current) scroller.current.scrollTop = 0;
  }, [paged.page, view.size]);

  const template = columns.map((c) => c.width).join(' ');

  return (
    <div className="table-wrap">
      <div className="list-controls">
        <PhaseChips value={view.phase} counts={counts} onChange={(phase) => setView({ phase })} />
        {children}
      </div>
      <div className="table-tools">
        <label className="search">
          <span className="visually-hidden">Search {kind}</span>
          <input
            type="search"
            placeholder={`Search ${kind}…`}
            value={query}
            onChange={(e) => {
              setQuery((written.current = e.target.value));
              setView({ q: e.target.value }, 'replace');
            }}
          />
        </label>
        <span className="muted" aria-live="polite" data-testid="shown-count">
          {shownCount(rows.length, items.length, kind)}
        </span>
      </div>
      {progress && (
        <div className="list-loading muted" role="status" data-testid="list-loading">
          <progress max={progress.total} value={progress.loaded} aria-hidden="true" />
          {loadingNote(progress, kind)}; search and filters cover the loaded ones.
        </div>
      )}
      <div
        className="table"
        role="table"
        aria-label={kind}
        aria-rowcount={rows.length + 1}
        // Narrower than its columns (a phone), the table scrolls sideways inside its card.
        style={{ ['--table-min' as string]: tableMinWidth(columns.map((c) => c.width)) }}
      >
        <div className="tr th" role="row" style={{ gridTemplateColumns: template }}>
          {columns.map((c) => (
            <div role="columnheader" key={c.id} aria-sort={sort.id === c.id ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none'}>
              {c.sort ? (
                <button
                  type="button"
                  className="sort"
                  onClick={() => setView({ sort: c.id, dir: sort.id === c.id ? (-sort.dir as 1 | -1) : 1 })}
                >
                  {c.title} <span aria-hidden="true">{sort.id === c.id ? (sort.dir === 1 ? '▲' : '▼') : '↕'}</span>
                </button>
              ) : (
                c.title
              )}
            </div>
          ))}
        </div>
        <div className="tbody" ref={scroller} data-testid={`${kind}-rows`}>
          {rows.length === 0 ? (
            <div className="empty-row">
              {query ? `No ${kind} match “${query}”` : `No ${kind}`}
              {view.phase !== 'all' ? ` in the filter ${view.phase}` : ''}
              {progress ? ' yet (still loading)' : ''}.
            </div>
          ) : (
            paged.rows.map((o, i) => {
              const rowNs = o.metadata.namespace ?? ns;
              return (
                <div
                  key={`${rowNs}/${o.metadata.name}`}
                  className="tr"
                  role="row"
                  aria-rowindex={paged.first + i + 1}
                  data-name={o.metadata.name}
                  data-namespace={rowNs}
                  style={{ gridTemplateColumns: template }}
                >
                  {columns.map((c) => (
                    <div role="cell" key={c.id} className={`td td-${c.id}`}>
                      {c.cell(o, rowNs)}
                    </div>
                  ))}
                </div>
              );
            })
          )}
        </div>
      </div>
      {rows.length > PAGE_SIZES[0] && (
        <Pager
          kind={kind}
          page={paged}
          total={rows.length}
          size={view.size}
          onPage={(page) => setView({ page })}
          onSize={(size) => setView({ size })}
        />
      )}
    </div>
  );
}
