'use client';
import { useRef, useState } from 'react';
import { useRouter } from 'next/navigation';
import type { ResourceKind } from '@tofu-operator/api-contracts';
import { useDelete } from '../hooks/resources.ts';

/** A delete button that asks first (a modal dialog: focus trapped, Escape cancels). */
export function ConfirmDelete({
  ns,
  kind,
  name,
  what,
  disabledReason,
  consequence,
}: {
  ns: string;
  kind: ResourceKind;
  name: string;
  what: string;
  disabledReason?: string | undefined;
  /** What deleting does beyond the object itself (e.g. a destroy of its resources), said in the dialog. */
  consequence?: string | undefined;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const del = useDelete(ns, kind);
  const router = useRouter();
  const [typed, setTyped] = useState('');
  return (
    <>
      <button
        type="button"
        className="btn btn-danger"
        disabled={!!disabledReason}
        title={disabledReason}
        aria-describedby={disabledReason ? `del-reason-${name}` : undefined}
        onClick={() => dialog.current?.showModal()}
      >
        Delete
      </button>
      {disabledReason && (
        <span id={`del-reason-${name}`} className="visually-hidden">
          {disabledReason}
        </span>
      )}
      <dialog ref={dialog} className="dialog" aria-labelledby={`del-title-${name}`}>
        <form
          method="dialog"
          onSubmit={(e) => {
            e.preventDefault();
            del.mutate(name, { onSuccess: () => router.push(`/ns/${ns}/${kind}`) });
          }}
        >
          <h2 id={`del-title-${name}`}>
            Delete {what} {name}?
          </h2>
          <p>
            {kind === 'executions'
              ? 'The execution, its Job and its pod are deleted.'
              : `Its executions, their Jobs and pods are deleted with it. This cannot be undone.`}
          </p>
          {consequence && (
            <p className="inline-note" data-testid="delete-consequence">
              {consequence}
            </p>
          )}
          <label className="field">
            <span>
              Type <strong>{name}</strong> to confirm
            </span>
            <input value={typed} onChange={(e) => setTyped(e.target.value)} autoFocus />
          </label>
          {del.error && (
            <p className="inline-error" role="alert">
              {del.error.message}
            </p>
          )}
          <div className="actions">
            <button type="button" className="btn" onClick={() => dialog.current?.close()}>
              Cancel
            </button>
            <button type="submit" className="btn btn-danger" disabled={typed !== name || del.isPending}>
              {del.isPending ? 'Deleting…' : 'Delete'}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
