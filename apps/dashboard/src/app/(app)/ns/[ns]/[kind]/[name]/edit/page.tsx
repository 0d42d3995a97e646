'use client';
import { useParams } from 'next/navigation';
import type { TofuModule, TofuStack } from '@tofu-operator/api-types';
import { ResourceForm } from '../../../../../../../components/resource-form.tsx';
import { ErrorState, Loading } from '../../../../../../../components/states.tsx';
import { useItem } from '../../../../../../../hooks/resources.ts';
import { kindOf, TITLES } from '../../kinds.ts';

export default function EditPage() {
  const params = useParams<{ ns: string; kind: string; name: string }>();
  const ns = decodeURIComponent(params.ns);
  const name = decodeURIComponent(params.name);
  const kind = kindOf(params.kind);
  const item = useItem(ns, kind, name);
  if (kind === 'executions') return <ErrorState error={new Error('Executions cannot be edited.')} />;
  return (
    <>
      <h1>
        Edit {TITLES[kind].one} <span className="mono">{name}</span>
      </h1>
      {item.isPending ? (
        <Loading what={name} />
      ) : item.isError ? (
        <ErrorState error={item.error} />
      ) : kind === 'modules' ? (
        <ResourceForm ns={ns} kind="modules" existing={item.data as TofuModule} />
      ) : (
        <ResourceForm ns={ns} kind="stacks" existing={item.data as TofuStack} />
      )}
    </>
  );
}
