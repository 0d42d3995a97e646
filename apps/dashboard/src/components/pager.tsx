'use client';
// The page controls of a list (issue 15): first, previous, next, last, and the page size.
import type { ResourceKind } from '@tofu-operator/api-contracts';
import { PAGE_SIZES, type PageOf } from '../lib/paging.ts';
import './list-filters.css';

/**
 * Buttons with labels (a screen reader says "Next page"), the current page announced when it
 * changes, and the rows shown; all reachable with Tab and pressed with Enter or Space. A button that
 * leads nowhere is disabled.
 */
export function Pager({
  kind,
  page,
  total,
  size,
  onPage,
  onSize,
}: {
  kind: ResourceKind;
  page: PageOf<unknown>;
  /** Rows in all pages. */
  total: number;
  size: number;
  onPage: (page: number) => void;
  onSize: (size: number) => void;
}) {
  const button = (label: string, text: string, to: number, disabled: boolean, testId: string) => (
    <button type="button" className="btn btn-small" aria-label={label} disabled={disabled} onClick={() => onPage(to)} data-testid={testId}>
      <span aria-hidden="true">{text}</span>
    </button>
  );
  const atStart = page.page <= 1;
  const atEnd = page.page >= page.pages;
  return (
    <nav className="pager" aria-label={`Pages of ${kind}`} data-testid="pager">
      {button('First page', '«', 1, atStart, 'page-first')}
      {button('Previous page', '‹', page.page - 1, atStart, 'page-prev')}
      <span className="pager-status" aria-live="polite" aria-atomic="true" data-testid="page-status">
        Page {page.page} of {page.pages}
        <span className="muted">
          {' '}
          · rows {page.first}–{page.last} of {total}
        </span>
      </span>
      {button('Next page', '›', page.page + 1, atEnd, 'page-next')}
      {button('Last page', '»', page.pages, atEnd, 'page-last')}
      <label className="pager-size">
        Rows per page{' '}
        <select value={size} onChange={(e) => onSize(Number(e.target.value))} data-testid="page-size">
          {PAGE_SIZES.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
    </nav>
  );
}
