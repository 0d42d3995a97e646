'use client';
import { dismiss, useToast } from '../hooks/toast.ts';

/**
 * The confirmation after a create, save or delete, in a polite live region that is always in the page
 * (a region added together with its text is not announced by every screen reader).
 */
export function LiveToast() {
  const toast = useToast();
  return (
    <div className="toast-region" role="status" aria-live="polite" aria-atomic="true">
      {toast && (
        <p className="toast" key={toast.id} data-testid="toast">
          <span>{toast.text}</span>{' '}
          <button type="button" className="btn btn-quiet btn-small" onClick={dismiss} aria-label="Dismiss">
            ×
          </button>
        </p>
      )}
    </div>
  );
}
