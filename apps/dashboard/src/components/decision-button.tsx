'use client';
import { useRef } from 'react';

const TEXT = {
  approve: {
    button: 'Approve',
    busy: 'Approving…',
    title: 'Approve plan',
    body: 'Approving starts an apply of exactly this saved plan. The apply refuses a plan file with any other digest.',
    cls: 'btn-primary',
  },
  reject: {
    button: 'Reject',
    busy: 'Rejecting…',
    title: 'Reject plan',
    body: 'A rejected plan is never applied. Plan again to get a new one.',
    cls: 'btn-danger',
  },
} as const;

/**
 * Approve or Reject of a plan, confirmed in a modal dialog (focus trapped, Escape cancels) that shows
 * the full digest the decision names: the one of the plan the reviewer read.
 */
export function DecisionButton({
  decision,
  name,
  digest,
  summary,
  pending,
  error,
  onConfirm,
}: {
  decision: 'approve' | 'reject';
  name: string;
  digest: string;
  summary?: string | undefined;
  pending: boolean;
  error?: string | undefined;
  /** Sends the decision; calls `close` once it succeeded (the dialog stays open on an error, showing it). */
  onConfirm: (close: () => void) => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const t = TEXT[decision];
  const id = `${decision}-${name}`;
  return (
    <>
      <button type="button" className={`btn ${t.cls}`} data-testid={decision} onClick={() => dialog.current?.showModal()}>
        {t.button}
      </button>
      <dialog
        ref={dialog}
        className="dialog"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-body`}
        data-testid={`${decision}-dialog`}
      >
        <form
          method="dialog"
          onSubmit={(e) => {
            e.preventDefault();
            onConfirm(() => dialog.current?.close());
          }}
        >
          <h2 id={`${id}-title`}>
            {t.title} {name}?
          </h2>
          <p id={`${id}-body`}>{t.body}</p>
          {summary && <p className="mono">{summary}</p>}
          <div>
            <span className="muted small">Plan digest</span>
            <code className="mono digest-full" data-testid="dialog-digest">
              {digest}
            </code>
          </div>
          {error && (
            <p className="inline-error" role="alert" data-testid={`${decision}-error`}>
              {error}
            </p>
          )}
          <div className="actions">
            <button type="button" className="btn" onClick={() => dialog.current?.close()} autoFocus>
              Cancel
            </button>
            <button type="submit" className={`btn ${t.cls}`} disabled={pending} data-testid={`${decision}-confirm`}>
              {pending ? t.busy : t.button}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
