'use client';
import { useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { ResourceKind } from '@tofu-operator/api-contracts';
import { matches } from '../lib/format.ts';
import { tableMinWidth } from '../lib/table-layout.ts';
import { COLUMNS, type Row } from './resource-columns.tsx';

const ROW_HEIGHT = 44;

/**
 * A searchable, sortable list of modules, stacks or executions. Rows are virtualised, so thousands
 * of objects stay fast; the table is a grid with ARIA roles and each name is a link (keyboard: Tab).
 */
export function ResourceTable({
  ns,
  kind,
  items,
  initialSort = 'name',
}: {
  ns: string;
  kind: ResourceKind;
  items: Row[];
  initialSort?: string;
}) {
  const columns = COLUMNS[kind];
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState<{ id: string; dir: 1 | -1 }>({ id: initialSort, dir: 1 });
  const scroller = useRef<HTMLDivElement>(null);

  const rows = useMemo(() => {
    const filtered = items.filter((o) =>
      matches(
        columns.flatMap((c) => c.search?.(o) ?? []),
        query,
      ),
    );
    const col = columns.find((c) => c.id === sort.id);
    if (!col?.sort || (col.id === 'name' && sort.dir === 1)) return filtered; // the API's order is by name
    const key = col.sort;
    return filtered
      .map((o) => ({ o, k: key(o) }))
      .sort((a, b) => (a.k < b.k ? -sort.dir : a.k > b.k ? sort.dir : 0))
      .map((x) => x.o);
  }, [items, columns, query, sort]);

  const virtual = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const template = columns.map((c) => c.width).join(' ');

  return (
    <div className="table-wrap">
      <div className="table-tools">
        <label className="search">
          <span className="visually-hidden">Search {kind}</span>
          <input type="search" placeholder={`Search ${kind}…`} value={query} onChange={(e) => setQuery(e.target.value)} />
        </label>
        <span className="muted" aria-live="polite">
          {rows.length === items.length ? `${items.length} ${kind}` : `${rows.length} of ${items.length} ${kind}`}
        </span>
      </div>
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
                  onClick={() => setSort((s) => ({ id: c.id, dir: s.id === c.id ? (-s.dir as 1 | -1) : 1 }))}
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
              No {kind} match “{query}”.
            </div>
          ) : (
            <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
              {virtual.getVirtualItems().map((v) => {
                const o = rows[v.index]!;
                return (
                  <div
                    key={o.metadata.name}
                    className="tr"
                    role="row"
                    aria-rowindex={v.index + 2}
                    data-name={o.metadata.name}
                    style={{
                      gridTemplateColumns: template,
                      position: 'absolute',
                      top: 0,
                      left: 0,
                      right: 0,
                      height: ROW_HEIGHT,
                      transform: `translateY(${v.start}px)`,
                    }}
                  >
                    {columns.map((c) => (
                      <div role="cell" key={c.id} className={`td td-${c.id}`}>
                        {c.cell(o, ns)}
                      </div>
                    ))}
                  </div>
                );
              })}
            </div>
          )}
        </div>
      </div>
    </div>
  );
}
