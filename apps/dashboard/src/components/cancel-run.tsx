'use client';
import { useRef } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiPaths } from '@tofu-operator/api-contracts';
import type { TofuExecution } from '@tofu-operator/api-types';
import { api, keys } from '../hooks/api.ts';

/**
 * POST …/executions/{name}/cancel; then the execution is read again. Its answer is not put into the
 * cache: the operator records the cancel within milliseconds, and the socket's event with the final
 * status can arrive before this answer, which would then overwrite it with the older "Running".
 */
function useCancelRun(ns: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => api<TofuExecution>(apiPaths.cancel(ns, name), { method: 'POST' }),
    onSuccess: (_e, name) => qc.invalidateQueries({ queryKey: keys.item(ns, 'executions', name) }),
  });
}

/**
 * Cancel of a run in progress, confirmed in a modal dialog (Escape or "Keep running" closes it). The
 * operator deletes the run's Job, which stops the runner pod, and records the run Failed/Cancelled.
 * Disabled with the reason for a token that may not `patch` executions.
 */
export function CancelRun({ ns, name, disabledReason }: { ns: string; name: string; disabledReason?: string | undefined }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useCancelRun(ns);
  return (
    <>
      <button
        type="button"
        className="btn btn-danger"
        data-testid="cancel-run"
        disabled={!!disabledReason}
        title={disabledReason}
        onClick={() => dialog.current?.showModal()}
      >
        Cancel run
      </button>
      <dialog
        ref={dialog}
        className="dialog"
        aria-labelledby="cancel-run-title"
        aria-describedby="cancel-run-body"
        data-testid="cancel-dialog"
      >
        <form
          method="dialog"
          onSubmit={(ev) => {
            ev.preventDefault();
            cancel.mutate(name, { onSuccess: () => dialog.current?.close() });
          }}
        >
          <h2 id="cancel-run-title">Cancel run {name}?</h2>
          <p id="cancel-run-body">
            Its Job is deleted, which stops the runner at once: tofu is interrupted where it is. The run ends Failed (Cancelled) and is not
            run again; plan again to start a new run.
          </p>
          {cancel.error && (
            <p className="inline-error" role="alert" data-testid="cancel-error">
              {cancel.error.message}
            </p>
          )}
          <div className="actions">
            <button type="button" className="btn" onClick={() => dialog.current?.close()} autoFocus>
              Keep running
            </button>
            <button type="submit" className="btn btn-danger" disabled={cancel.isPending} data-testid="cancel-confirm">
              {cancel.isPending ? 'Cancelling…' : 'Cancel run'}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
