'use client';
// A list's view in its URL (search, sort, phase filter, scope, page), and the phase filter's chips.
import { usePathname, useSearchParams } from 'next/navigation';
import { useCallback, useMemo } from 'react';
import './list-filters.css';
import { listQueryString, parseListQuery, PHASE_FILTERS, type ListQuery, type PhaseFilter } from '../lib/list-query.ts';

/**
 * The view the URL asks for and a setter that writes it back. A new sort, filter or scope is a new
 * history entry (Back undoes it); typing a search replaces the current one, so Back does not step
 * through every keystroke. Any change but the page itself starts again at page 1 (a new search, sort
 * or page size has its own first page). The history API keeps Next's router in step without a
 * server round trip.
 */
export function useListView(
  sortable: readonly string[],
  defaultSort: string,
): [ListQuery, (change: Partial<ListQuery>, how?: 'push' | 'replace') => void] {
  const params = useSearchParams();
  const path = usePathname();
  // The ids as one string, so a new array with the same ids does not make a new view.
  const ids = sortable.join(',');
  const view = useMemo(() => parseListQuery(params, ids.split(','), defaultSort), [params, ids, defaultSort]);
  const setView = useCallback(
    (change: Partial<ListQuery>, how: 'push' | 'replace' = 'push') => {
      const next = { ...view, page: 1, ...change };
      const url = path + listQueryString(next, defaultSort);
      if (how === 'replace') window.history.replaceState(null, '', url);
      else window.history.pushState(null, '', url);
    },
    [path, view, defaultSort],
  );
  return [view, setView];
}

/** All, Running, Pending / queued, Succeeded, Failed: radio-like toggle buttons with their counts. */
export function PhaseChips({
  value,
  counts,
  onChange,
}: {
  value: PhaseFilter;
  counts: Record<PhaseFilter, number>;
  onChange: (f: PhaseFilter) => void;
}) {
  return (
    <div className="chips" role="group" aria-label="Filter by phase" data-testid="phase-filter">
      {PHASE_FILTERS.map((f) => (
        <button
          key={f.id}
          type="button"
          className={`chip chip-${f.id}`}
          aria-pressed={value === f.id}
          data-filter={f.id}
          onClick={() => onChange(f.id)}
        >
          {f.label} <span className="chip-count">{counts[f.id]}</span>
        </button>
      ))}
    </div>
  );
}

/** This namespace / All namespaces, only for a caller who may list in more than one namespace. */
export function ScopeSwitch({ all, ns, onChange }: { all: boolean; ns: string; onChange: (all: boolean) => void }) {
  return (
    <div className="chips" role="group" aria-label="Namespaces" data-testid="scope">
      <button type="button" className="chip" aria-pressed={!all} onClick={() => onChange(false)}>
        {ns}
      </button>
      <button type="button" className="chip" aria-pressed={all} onClick={() => onChange(true)} data-testid="scope-all">
        All namespaces
      </button>
    </div>
  );
}
