'use client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import type { PlannableKind } from '@tofu-operator/api-contracts';
import { ApiError } from '../hooks/api.ts';
import { useDestroyPlan, usePermissions } from '../hooks/resources.ts';
import { TypedConfirm } from './typed-confirm.tsx';

/**
 * Requests a destroy plan of a module or stack (`POST …/plan {"destroy": true}`) once its name is
 * typed, and opens that plan. Shown only to whoever may plan it (the same RBAC check as Plan); the
 * plan waits for approval like any other unless autoApply is on. Disabled with `blockedReason` for an
 * owner that cannot run (its module is gone: the plan would wait for it forever).
 */
export function DestroyButton({
  ns,
  kind,
  name,
  autoApply,
  blockedReason,
}: {
  ns: string;
  kind: PlannableKind;
  name: string;
  autoApply: boolean;
  /** Why no destroy can run now (a stack whose module is gone): the button is disabled, saying so. */
  blockedReason?: string | undefined;
}) {
  const perms = usePermissions(ns);
  const destroy = useDestroyPlan(ns, kind);
  const router = useRouter();
  if (!perms.data?.[kind]?.plan) return null;
  const err = destroy.error;
  const running = err instanceof ApiError && err.status === 409 ? err.body.running : undefined;
  const what = kind === 'modules' ? 'module' : 'stack';
  return (
    <TypedConfirm
      id="destroy"
      label="Destroy"
      name={name}
      title={`Destroy everything ${what} ${name} manages?`}
      pending={destroy.isPending}
      pendingLabel="Planning the destroy…"
      error={running ? undefined : err}
      disabledReason={blockedReason}
      onConfirm={() =>
        destroy.mutate(name, {
          onSuccess: (r) => {
            if (r.execution?.metadata.name) router.push(`/ns/${ns}/executions/${r.execution.metadata.name}`);
          },
        })
      }
    >
      <p>
        This plans the destruction of every resource in the {what}&apos;s state (<code>tofu plan -destroy</code>).{' '}
        {autoApply
          ? 'autoApply is on: the destroy runs as soon as the plan has succeeded.'
          : 'The plan waits for approval; approving it destroys the resources.'}{' '}
        The {what} and its state stay: its next plan creates them again.
      </p>
      {running && (
        <p className="inline-note" role="alert">
          A run is in progress:{' '}
          <Link href={`/ns/${running.namespace}/executions/${running.name}`} data-testid="destroy-running">
            {running.name}
          </Link>
        </p>
      )}
      {destroy.data && !destroy.data.execution && (
        <p className="inline-note">Destroy requested at {destroy.data.requestedAt}; the plan starts when the operator picks it up.</p>
      )}
    </TypedConfirm>
  );
}
