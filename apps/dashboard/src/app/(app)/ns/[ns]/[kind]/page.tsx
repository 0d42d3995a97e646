'use client';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import type { TofuStack } from '@tofu-operator/api-types';
import { ScopeSwitch, useListView } from '../../../../../components/list-filters.tsx';
import { columnsOf, ResourceTable } from '../../../../../components/resource-table.tsx';
import { StackGraphView } from '../../../../../components/stack-graph.tsx';
import { Empty, ErrorState, Loading } from '../../../../../components/states.tsx';
import { useListAcross } from '../../../../../hooks/all-namespaces.ts';
import { useLoadingList, useNamespaces, usePermissions } from '../../../../../hooks/resources.ts';
import { countOf } from '../../../../../lib/owner-state.ts';
import { denied, kindOf, TITLES } from './kinds.ts';

/**
 * The list of modules, stacks or executions of the namespace, live; its search, sort, phase
 * filter and page in the URL. A caller who may list in more than one namespace can switch to all of them.
 */
export default function ListPage() {
  const params = useParams<{ ns: string; kind: string }>();
  const ns = decodeURIComponent(params.ns);
  const kind = kindOf(params.kind);
  const defaultSort = kind === 'executions' ? 'age' : 'name';
  const namespaces = useNamespaces();
  const names = (namespaces.data?.items ?? []).map((n) => n.name);
  // Offered only to a caller the API lists more than this namespace for.
  const acrossAllowed = names.some((n) => n !== ns);
  const sortable = columnsOf(kind, true).flatMap((c) => (c.sort ? [c.id] : []));
  const [view, setView] = useListView(sortable, defaultSort);
  const all = view.all && acrossAllowed;
  // The first page of a big list paints at once; the rest loads behind it (issue 15).
  const { query: own, progress } = useLoadingList(ns, kind);
  const across = useListAcross(names, kind, all);
  const perms = usePermissions(ns);
  const t = TITLES[kind];
  const canCreate = kind !== 'executions' && !!perms.data?.[kind]?.create;
  const list = all
    ? {
        isPending: across.pending && across.items.length === 0,
        isError: false as const,
        data: across.items,
        error: null,
        refetch: own.refetch,
      }
    : own;
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
      {all && (across.failed.length > 0 || across.skipped > 0) && (
        <p className="muted small scope-note" data-testid="scope-note">
          {across.failed.length > 0 && `Not read: ${across.failed.map((f) => `${f.ns} (${f.message})`).join(', ')}. `}
          {across.skipped > 0 && `${countOf(across.skipped, 'more namespace')} not shown; open them one at a time.`}
        </p>
      )}
      {list.isPending ? (
        <Loading what={t.plural} />
      ) : list.isError ? (
        <ErrorState error={list.error} retry={() => void list.refetch()} />
      ) : list.data.length === 0 && !all ? (
        <Empty title={`No ${kind} in ${ns} yet`}>
          {kind === 'modules' && <p className="muted">A module is a git repository of OpenTofu code. Create one to plan it.</p>}
          {kind === 'stacks' && <p className="muted">A stack is an instance of a module with its own overrides.</p>}
          {kind === 'executions' && <p className="muted">Executions appear when a module or stack is planned.</p>}
        </Empty>
      ) : (
        <ResourceTable
          ns={ns}
          kind={kind}
          items={list.data}
          view={{ ...view, all }}
          setView={setView}
          progress={all ? undefined : progress}
        >
          {acrossAllowed && <ScopeSwitch ns={ns} all={all} onChange={(a) => setView({ all: a })} />}
        </ResourceTable>
      )}
      {/* Drawn once every stack is loaded: half a graph would hide edges. */}
      {kind === 'stacks' && !all && !progress && list.data && list.data.length > 0 && (
        <section className="card" aria-labelledby="graph">
          <h2 id="graph">Dependencies</h2>
          <StackGraphView ns={ns} stacks={list.data as TofuStack[]} />
        </section>
      )}
    </>
  );
}
