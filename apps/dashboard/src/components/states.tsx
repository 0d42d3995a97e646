import type { ReactNode } from 'react';
import { ApiError } from '../hooks/api.ts';
import { missingObject } from '../lib/routes.ts';
import { MissingObjectHere } from './not-found-state.tsx';

/** A list or page still loading: a skeleton the size of what comes, announced to screen readers. */
export function Loading({ what, rows = 5 }: { what: string; rows?: number }) {
  return (
    <div className="skeleton" role="status" aria-live="polite" aria-label={`Loading ${what}`}>
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className="skeleton-row" />
      ))}
    </div>
  );
}

/** Nothing to show yet, with what to do about it. */
export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty" role="status">
      <p className="empty-title">{title}</p>
      {children}
    </div>
  );
}

/**
 * A failed read: what the API said, and a retry. The API's 404 for the object itself (deleted, or
 * never there) is the branded "not found" state with the way back to its list instead: retrying
 * cannot bring it back.
 */
export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  const status = error instanceof ApiError ? error.status : undefined;
  const missing = status === 404 && error instanceof Error ? missingObject(error.message) : undefined;
  if (missing) return <MissingObjectHere kind={missing.kind} name={missing.name} />;
  const title =
    status === 403
      ? 'Not allowed'
      : status === 404
        ? 'Not found'
        : status === 0
          ? 'The dashboard server is not reachable'
          : 'Something went wrong';
  return (
    <div className="error-state" role="alert">
      <p className="error-title">{title}</p>
      <p>{error instanceof Error ? error.message : String(error)}</p>
      {retry && (
        <button type="button" className="btn" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}
