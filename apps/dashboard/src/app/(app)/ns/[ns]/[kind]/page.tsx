'use client';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import type { TofuStack } from '@tofu-operator/api-types';
import { ResourceTable } from '../../../../../components/resource-table.tsx';
import { StackGraphView } from '../../../../../components/stack-graph.tsx';
import { Empty, ErrorState, Loading } from '../../../../../components/states.tsx';
import { useList, usePermissions } from '../../../../../hooks/resources.ts';
import { denied, kindOf, TITLES } from './kinds.ts';

/** The list of modules, stacks or executions of the namespace, live. */
export default function ListPage() {
  const params = useParams<{ ns: string; kind: string }>();
  const ns = decodeURIComponent(params.ns);
  const kind = kindOf(params.kind);
  const list = useList(ns, kind);
  const perms = usePermissions(ns);
  const t = TITLES[kind];
  const canCreate = kind !== 'executions' && !!perms.data?.[kind]?.create;
  return (
    <>
      <div className="page-head">
        <h1>{t.plural}</h1>
        {kind !== 'executions' &&
          (canCreate ? (
            <Link href={`/ns/${ns}/${kind}/new`} className="btn btn-primary" data-testid="create">
              New {t.one}
            </Link>
          ) : (
            perms.data && (
              <span className="btn btn-primary" aria-disabled="true" title={denied('create', kind, ns)} data-testid="create-disabled">
                New {t.one}
              </span>
            )
          ))}
      </div>
      {perms.data && kind !== 'executions' && !canCreate && <p className="muted small">{denied('create', kind, ns)}</p>}
      {list.isPending ? (
        <Loading what={t.plural} />
      ) : list.isError ? (
        <ErrorState error={list.error} retry={() => void list.refetch()} />
      ) : list.data.length === 0 ? (
        <Empty title={`No ${kind} in ${ns} yet`}>
          {kind === 'modules' && <p className="muted">A module is a git repository of OpenTofu code. Create one to plan it.</p>}
          {kind === 'stacks' && <p className="muted">A stack is an instance of a module with its own overrides.</p>}
          {kind === 'executions' && <p className="muted">Executions appear when a module or stack is planned.</p>}
        </Empty>
      ) : (
        <ResourceTable ns={ns} kind={kind} items={list.data} initialSort={kind === 'executions' ? 'age' : 'name'} />
      )}
      {kind === 'stacks' && list.data && list.data.length > 0 && (
        <section className="card" aria-labelledby="graph">
          <h2 id="graph">Dependencies</h2>
          <StackGraphView ns={ns} stacks={list.data as TofuStack[]} />
        </section>
      )}
    </>
  );
}
