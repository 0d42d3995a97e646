'use client';
import { useParams } from 'next/navigation';
import { ExecutionDetail } from '../../../../../../components/execution-detail.tsx';
import { OwnerDetail } from '../../../../../../components/owner-detail.tsx';
import { kindOf } from '../kinds.ts';

export default function DetailPage() {
  const params = useParams<{ ns: string; kind: string; name: string }>();
  const ns = decodeURIComponent(params.ns);
  const name = decodeURIComponent(params.name);
  const kind = kindOf(params.kind);
  return kind === 'executions' ? <ExecutionDetail ns={ns} name={name} /> : <OwnerDetail ns={ns} kind={kind} name={name} />;
}
