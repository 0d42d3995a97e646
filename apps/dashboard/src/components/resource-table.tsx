'use client';
import Link from 'next/link';
import { useMemo, useRef, useState, type ReactNode } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { ResourceKind, ResourceTypes } from '@tofu-operator/api-contracts';
import type { LastExecution, TofuExecution, TofuModule, TofuStack } from '@tofu-operator/api-types';
import { actionLabel, AWAITING_APPROVAL } from '../lib/approval.ts';
import { age, displayPhase, duration, matches, PHASES, queuedAt } from '../lib/format.ts';
import { PhaseBadge } from './phase-badge.tsx';

type Row = ResourceTypes[ResourceKind];

interface Column {
  id: string;
  title: string;
  width: string;
  cell: (o: Row, ns: string) => ReactNode;
  sort?: (o: Row) => string | number;
  search?: (o: Row) => (string | undefined)[];
}

function lastExecution(ns: string, l: LastExecution | undefined): ReactNode {
  if (!l) return <span className="muted">never run</span>;
  return (
    <Link href={`/ns/${ns}/executions/${l.name}`} className="last-exec">
      <PhaseBadge phase={l.phase} /> <span className="truncate">{l.summary?.text ?? l.message ?? l.name}</span>
    </Link>
  );
}

const nameCol = (kind: ResourceKind): Column => ({
  id: 'name',
  title: 'Name',
  width: 'minmax(12rem, 2fr)',
  cell: (o, ns) => (
    <Link href={`/ns/${ns}/${kind}/${o.metadata.name}`} className="row-link">
      {o.metadata.name}
    </Link>
  ),
  sort: (o) => o.metadata.name ?? '',
  search: (o) => [o.metadata.name],
});
const phaseCol: Column = {
  id: 'phase',
  title: 'Phase',
  width: '8.5rem',
  cell: (o) => <PhaseBadge phase={o.status?.phase} />,
  sort: (o) => PHASES.indexOf(displayPhase(o.status?.phase)),
  search: (o) => [o.status?.phase],
};
/** The badge of an owner whose status.pendingPlan names a plan waiting for approval, linking to it. */
function awaiting(ns: string, o: TofuModule | TofuStack): ReactNode {
  const p = o.status?.pendingPlan;
  if (!p) return null;
  return (
    <Link
      href={`/ns/${ns}/executions/${p.name}`}
      className="badge badge-awaiting"
      data-testid="awaiting-approval"
      title={`Plan ${p.name} waits for approval`}
    >
      Awaiting approval
    </Link>
  );
}

/** The phase, and "Awaiting approval" for an owner with a waiting plan. */
const ownerPhaseCol: Column = {
  ...phaseCol,
  width: 'minmax(8.5rem, 1.4fr)',
  cell: (o, ns) => (
    <span className="phase-cell">
      <PhaseBadge phase={o.status?.phase} /> {awaiting(ns, o as TofuModule | TofuStack)}
    </span>
  ),
  search: (o) => [o.status?.phase, (o as TofuModule).status?.pendingPlan ? 'awaiting approval' : undefined],
};

const ageCol: Column = {
  id: 'age',
  title: 'Age',
  width: '5rem',
  cell: (o) => <time dateTime={o.metadata.creationTimestamp}>{age(o.metadata.creationTimestamp)}</time>,
  // Newest first when sorted ascending by "age".
  sort: (o) => -Date.parse(o.metadata.creationTimestamp ?? '0'),
};

const COLUMNS: Record<ResourceKind, Column[]> = {
  modules: [
    nameCol('modules'),
    ownerPhaseCol,
    {
      id: 'source',
      title: 'Source',
      width: 'minmax(12rem, 3fr)',
      cell: (o) => {
        const s = (o as TofuModule).spec.source;
        return (
          <span className="truncate mono" title={s.repository}>
            {s.repository}
            {s.revision ? `@${s.revision}` : ''} {s.workdir && s.workdir !== '.' ? `(${s.workdir})` : ''}
          </span>
        );
      },
      search: (o) => [(o as TofuModule).spec.source.repository, (o as TofuModule).spec.source.revision],
    },
    {
      id: 'last',
      title: 'Last execution',
      width: 'minmax(14rem, 3fr)',
      cell: (o, ns) => lastExecution(ns, (o as TofuModule).status?.lastExecution),
    },
    ageCol,
  ],
  stacks: [
    nameCol('stacks'),
    ownerPhaseCol,
    {
      id: 'module',
      title: 'Module',
      width: 'minmax(10rem, 2fr)',
      cell: (o, ns) => {
        const m = (o as TofuStack).spec.moduleRef.name;
        return <Link href={`/ns/${ns}/modules/${m}`}>{m}</Link>;
      },
      sort: (o) => (o as TofuStack).spec.moduleRef.name,
      search: (o) => [(o as TofuStack).spec.moduleRef.name],
    },
    {
      id: 'last',
      title: 'Last execution',
      width: 'minmax(14rem, 3fr)',
      cell: (o, ns) => lastExecution(ns, (o as TofuStack).status?.lastExecution),
    },
    ageCol,
  ],
  executions: [
    nameCol('executions'),
    {
      ...phaseCol,
      width: 'minmax(8.5rem, 1.4fr)',
      cell: (o) => {
        const e = o as TofuExecution;
        const waits = !e.status?.approval && e.status?.conditions?.some((c) => c.type === AWAITING_APPROVAL && c.status === 'True');
        return (
          <span className="phase-cell">
            <PhaseBadge phase={e.status?.phase} />{' '}
            {waits && (
              <span className="badge badge-awaiting" data-testid="awaiting-approval">
                Awaiting approval
              </span>
            )}
            {e.status?.approval && e.status.approval.state !== 'Approved' && (
              <span className="badge" data-testid="decision">
                {e.status.approval.state}
              </span>
            )}
          </span>
        );
      },
    },
    {
      id: 'action',
      title: 'Action',
      width: '7.5rem',
      cell: (o) => <span data-testid="action">{actionLabel(o as TofuExecution)}</span>,
      sort: (o) => actionLabel(o as TofuExecution),
      search: (o) => [actionLabel(o as TofuExecution)],
    },
    {
      id: 'owner',
      title: 'For',
      width: 'minmax(10rem, 2fr)',
      cell: (o, ns) => {
        const e = o as TofuExecution;
        const [k, n] = e.spec.stackRef ? ['stacks', e.spec.stackRef.name] : ['modules', e.spec.moduleRef?.name];
        return n ? <Link href={`/ns/${ns}/${k}/${n}`}>{`${k === 'stacks' ? 'stack' : 'module'} ${n}`}</Link> : '—';
      },
      search: (o) => [(o as TofuExecution).spec.stackRef?.name, (o as TofuExecution).spec.moduleRef?.name],
    },
    {
      id: 'summary',
      title: 'Result',
      width: 'minmax(14rem, 3fr)',
      cell: (o) => {
        const s = (o as TofuExecution).status;
        return <span className="truncate">{s?.apply?.text ?? s?.summary?.text ?? s?.message ?? ''}</span>;
      },
    },
    {
      id: 'duration',
      title: 'Duration',
      width: '6rem',
      cell: (o) => {
        const s = (o as TofuExecution).status;
        return s?.startTime && s.completionTime ? duration(Date.parse(s.completionTime) - Date.parse(s.startTime)) : '—';
      },
    },
    { ...ageCol, sort: (o) => -Date.parse(queuedAt(o as TofuExecution) ?? '0') },
  ],
};

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
      <div className="table" role="table" aria-label={kind} aria-rowcount={rows.length + 1}>
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
