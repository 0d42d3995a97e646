'use client';
import { useRef, useState, type ReactNode } from 'react';
import { typedConfirmationMatches } from '../lib/confirm.ts';

/**
 * A danger button that asks first: a modal dialog (focus trapped, Escape cancels) whose confirm
 * button stays disabled until the object's name is typed exactly. Delete and Destroy share it.
 */
export function TypedConfirm({
  id,
  label,
  name,
  title,
  children,
  pending,
  pendingLabel,
  error,
  disabledReason,
  onConfirm,
}: {
  /** Prefix of the element ids and test ids ("delete", "destroy"). */
  id: string;
  /** The button's words, also on the dialog's confirm button. */
  label: string;
  /** The name to type. */
  name: string;
  title: ReactNode;
  /** What the action does, said in the dialog. */
  children: ReactNode;
  pending: boolean;
  pendingLabel: string;
  error?: Error | null | undefined;
  disabledReason?: string | undefined;
  onConfirm: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [typed, setTyped] = useState('');
  return (
    <>
      <button
        type="button"
        className="btn btn-danger"
        data-testid={id}
        disabled={!!disabledReason}
        title={disabledReason}
        aria-describedby={disabledReason ? `${id}-reason-${name}` : undefined}
        onClick={() => dialog.current?.showModal()}
      >
        {label}
      </button>
      {disabledReason && (
        <span id={`${id}-reason-${name}`} className="visually-hidden">
          {disabledReason}
        </span>
      )}
      <dialog ref={dialog} className="dialog" aria-labelledby={`${id}-title-${name}`} data-testid={`${id}-dialog`}>
        <form
          method="dialog"
          onSubmit={(e) => {
            e.preventDefault();
            if (typedConfirmationMatches(typed, name)) onConfirm();
          }}
        >
          <h2 id={`${id}-title-${name}`}>{title}</h2>
          {children}
          <label className="field">
            <span>
              Type <strong>{name}</strong> to confirm
            </span>
            <input value={typed} onChange={(e) => setTyped(e.target.value)} autoFocus data-testid={`${id}-typed`} />
          </label>
          {error && (
            <p className="inline-error" role="alert">
              {error.message}
            </p>
          )}
          <div className="actions">
            <button type="button" className="btn" onClick={() => dialog.current?.close()}>
              Cancel
            </button>
            <button
              type="submit"
              className="btn btn-danger"
              data-testid={`${id}-confirm`}
              disabled={!typedConfirmationMatches(typed, name) || pending}
            >
              {pending ? pendingLabel : label}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
