'use client';
import { useRouter } from 'next/navigation';
import type { ReactNode } from 'react';
import type { ResourceKind } from '@tofu-operator/api-contracts';
import { useDelete } from '../hooks/resources.ts';
import { TypedConfirm } from './typed-confirm.tsx';

/** A delete button that asks first, with the object's name typed (see TypedConfirm). */
export function ConfirmDelete({
  ns,
  kind,
  name,
  what,
  disabledReason,
  consequence,
  children,
}: {
  ns: string;
  kind: ResourceKind;
  name: string;
  what: string;
  disabledReason?: string | undefined;
  /** What deleting does beyond the object itself (e.g. a destroy of its resources), said in the dialog. */
  consequence?: string | undefined;
  /** More to say in the dialog (a module's stacks that would be left without it). */
  children?: ReactNode;
}) {
  const del = useDelete(ns, kind);
  const router = useRouter();
  return (
    <TypedConfirm
      id="del"
      label="Delete"
      name={name}
      title={`Delete ${what} ${name}?`}
      pending={del.isPending}
      pendingLabel="Deleting…"
      error={del.error}
      disabledReason={disabledReason}
      onConfirm={() => del.mutate(name, { onSuccess: () => router.push(`/ns/${ns}/${kind}`) })}
    >
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
      {children}
    </TypedConfirm>
  );
}
