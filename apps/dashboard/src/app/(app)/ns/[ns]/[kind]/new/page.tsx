'use client';
import { useParams, useSearchParams } from 'next/navigation';
import { ResourceForm } from '../../../../../../components/resource-form.tsx';
import { ErrorState } from '../../../../../../components/states.tsx';
import { usePermissions } from '../../../../../../hooks/resources.ts';
import { denied, kindOf, TITLES } from '../kinds.ts';

export default function NewPage() {
  const params = useParams<{ ns: string; kind: string }>();
  const ns = decodeURIComponent(params.ns);
  const kind = kindOf(params.kind);
  const module = useSearchParams().get('module') ?? undefined;
  const perms = usePermissions(ns);
  if (kind === 'executions') return <ErrorState error={new Error('Executions are created by planning a module or stack.')} />;
  return (
    <>
      <h1>New {TITLES[kind].one}</h1>
      {perms.data && !perms.data[kind]?.create && <p className="inline-error">{denied('create', kind, ns)}</p>}
      {kind === 'modules' ? <ResourceForm ns={ns} kind="modules" /> : <ResourceForm ns={ns} kind="stacks" defaultModule={module} />}
    </>
  );
}
