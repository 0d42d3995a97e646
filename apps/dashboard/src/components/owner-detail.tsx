'use client';
import Link from 'next/link';
import type { PlannableKind } from '@tofu-operator/api-contracts';
import type { TofuStack } from '@tofu-operator/api-types';
import { useItem, useList, usePermissions } from '../hooks/resources.ts';
import { actionLabel, effectiveAutoApply } from '../lib/approval.ts';
import { age, duration, executionsOf, queuedAt } from '../lib/format.ts';
import { countOf, ownerProblem, planBlock, stacksUsing } from '../lib/owner-state.ts';
import { breadcrumbTrail } from '../lib/page-nav.ts';
import { shortDigest } from '../lib/plan-diff-model.ts';
import { Breadcrumbs } from './breadcrumbs.tsx';
import { Conditions } from './conditions.tsx';
import { ConfirmDelete } from './confirm-delete.tsx';
import { DestroyButton } from './destroy-button.tsx';
import { EffectiveTemplate } from './effective-template.tsx';
import { OwnerInputs } from './owner-inputs.tsx';
import { DriftSection, SourceSection } from './owner-continuous.tsx';
import { OwnerPhaseBadge, PhaseBadge } from './phase-badge.tsx';
import { PlanButton } from './plan-button.tsx';
import { SpecView } from './spec-view.tsx';
import { Empty, ErrorState, Loading } from './states.tsx';
import { Summary } from './summary.tsx';
import { YamlView } from './yaml-view.tsx';

/** A module's or stack's page: spec, conditions, last run, history, YAML, and Plan / Edit / Destroy / Delete. */
export function OwnerDetail({ ns, kind, name }: { ns: string; kind: PlannableKind; name: string }) {
  const item = useItem(ns, kind, name);
  const executions = useList(ns, 'executions');
  const perms = usePermissions(ns);
  const rbac = kind === 'modules' ? 'tofumodules' : 'tofustacks';
  // A stack's autoApply, backend and encryption fall back to its module's.
  const moduleName = kind === 'stacks' ? ((item.data as TofuStack | undefined)?.spec.moduleRef.name ?? '') : '';
  const module = useItem(ns, 'modules', moduleName, moduleName !== '');
  const stacks = useList(ns, 'stacks');
  if (item.isPending) return <Loading what={name} />;
  if (item.isError) return <ErrorState error={item.error} retry={() => void item.refetch()} />;
  const o = item.data;
  const history = executionsOf(executions.data ?? [], kind, name);
  const last = o.status?.lastExecution;
  const p = perms.data?.[kind];
  const pending = o.status?.pendingPlan;
  const autoApply = effectiveAutoApply(o, module.data);
  const mod = module.data;
  const problem = ownerProblem(o);
  const usedBy = kind === 'modules' && stacks.data ? stacksUsing(stacks.data, name) : undefined;
  const settings = {
    autoApply: autoApply ? 'on' : 'off',
    deletionPolicy: o.spec.deletionPolicy ?? 'Orphan',
    backend: o.spec.backend ?? (kind === 'stacks' ? mod?.spec.backend : undefined) ?? 'Operator',
  };
  // Shown above with their effective values; the rest of the spec as it is.
  // Inputs, outputs and dependencies have their own sections below.
  const { autoApply: _a, deletionPolicy: _d, backend: _b, variables: _v, varsFrom: _vf, varFiles: _f, ...restOfSpec } = o.spec;
  const fromModule = (field: 'autoApply' | 'backend') => kind === 'stacks' && o.spec[field] === undefined && mod?.spec[field] !== undefined;
  // A stranded stack runs nothing: no apply of its waiting plan, no destroy (they would wait forever).
  const stranded = problem ? `${problem.reason}: ${problem.message}` : undefined;
  return (
    <>
      <Breadcrumbs trail={breadcrumbTrail(ns, kind, name)} />
      <div className="page-head">
        <h1>
          <span className="muted">{kind === 'modules' ? 'Module' : 'Stack'}</span> <span data-testid="title">{name}</span>{' '}
          <OwnerPhaseBadge owner={o} />
        </h1>
        <div className="actions">
          <PlanButton ns={ns} kind={kind} name={name} block={planBlock(kind, name, o, executions.data ?? [])} />
          {pending && !autoApply && !stranded && (
            <Link className="btn btn-primary" href={`/ns/${ns}/executions/${pending.name}`} data-testid="apply-now">
              Apply now
            </Link>
          )}
          {p?.update ? (
            <Link className="btn" href={`/ns/${ns}/${kind}/${name}/edit`}>
              Edit
            </Link>
          ) : (
            <span className="btn" aria-disabled="true" title={`Your token may not update ${rbac} in ${ns}`}>
              Edit
            </span>
          )}
          {kind === 'modules' && perms.data?.stacks?.create && (
            <Link className="btn" href={`/ns/${ns}/stacks/new?module=${encodeURIComponent(name)}`}>
              New stack
            </Link>
          )}
          <DestroyButton ns={ns} kind={kind} name={name} autoApply={autoApply} blockedReason={stranded && `Cannot destroy: ${stranded}`} />
          <ConfirmDelete
            ns={ns}
            kind={kind}
            name={name}
            what={kind === 'modules' ? 'module' : 'stack'}
            disabledReason={p?.delete ? undefined : `Your token may not delete ${rbac} in ${ns}`}
            consequence={
              settings.deletionPolicy === 'Destroy'
                ? `deletionPolicy is Destroy: deleting plans the destruction of everything it manages, ${autoApply ? 'applies it at once (autoApply)' : 'waits for that plan to be approved'}, and removes its state before it goes.`
                : 'deletionPolicy is Orphan: the resources it manages and its state are left as they are.'
            }
          >
            {usedBy && usedBy.length > 0 && (
              <div className="inline-error" data-testid="delete-used-by">
                <p>
                  Used by {countOf(usedBy.length, 'stack')}: they stay, cannot plan and show ModuleNotFound until a module named {name}{' '}
                  exists again.
                </p>
                <ul>
                  {usedBy.map((s) => (
                    <li key={s}>{s}</li>
                  ))}
                </ul>
              </div>
            )}
          </ConfirmDelete>
        </div>
      </div>
      {problem && (
        <p className="form-error" role="status" data-testid="owner-problem">
          <strong>{problem.reason}</strong>: {problem.message}. Nothing runs until it exists again (or this stack names another module).
        </p>
      )}
      {usedBy && (
        <p className="muted small" data-testid="used-by">
          {usedBy.length === 0 ? (
            'Used by no stacks.'
          ) : (
            <>
              Used by {countOf(usedBy.length, 'stack')}:{' '}
              {usedBy.map((s, i) => (
                <span key={s}>
                  {i > 0 && ', '}
                  <Link href={`/ns/${ns}/stacks/${s}`}>{s}</Link>
                </span>
              ))}
            </>
          )}
        </p>
      )}
      {perms.data && !p?.plan && (
        <p className="muted small">
          Plan is not offered: your token may not patch {rbac} in {ns} (Kubernetes RBAC). Neither is Destroy.
        </p>
      )}
      {pending && (
        <section className="card pending-plan" aria-labelledby="pending" data-testid="pending-plan">
          <h2 id="pending">
            <span className="badge badge-awaiting">Awaiting approval</span>
          </h2>
          <p>
            Plan <Link href={`/ns/${ns}/executions/${pending.name}`}>{pending.name}</Link>{' '}
            <code className="mono" title={pending.digest}>
              {shortDigest(pending.digest)}
            </code>
          </p>
          <Summary summary={pending.summary} />
          {stranded && (
            <p className="inline-note" data-testid="pending-stranded">
              Cannot be applied: {stranded}
            </p>
          )}
          <p>
            <Link className="btn" href={`/ns/${ns}/executions/${pending.name}`} data-testid="review-pending">
              {perms.data?.executions?.approve && !stranded ? 'Review and approve' : 'Review'}
            </Link>
          </p>
        </section>
      )}
      <div className="two-col">
        <SourceSection owner={o} module={mod} />
        <DriftSection ns={ns} kind={kind} owner={o} module={mod} />
      </div>
      <div className="two-col">
        <section className="card" aria-labelledby="last">
          <h2 id="last">Last execution</h2>
          {last ? (
            <div>
              <p>
                <PhaseBadge phase={last.phase} /> <Link href={`/ns/${ns}/executions/${last.name}`}>{last.name}</Link>
              </p>
              <Summary summary={last.summary} />
              {last.message && last.message !== last.summary?.text && <p className="pre-wrap">{last.message}</p>}
            </div>
          ) : (
            <Empty title="Not planned yet" />
          )}
        </section>
        <section className="card" aria-labelledby="spec">
          <h2 id="spec">Spec</h2>
          <dl className="spec apply-settings" data-testid="apply-settings">
            <div className="spec-row">
              <dt>autoApply</dt>
              <dd className="mono" data-testid="auto-apply">
                {settings.autoApply}
                {fromModule('autoApply') && <span className="muted"> (from module {mod?.metadata.name})</span>}
              </dd>
            </div>
            <div className="spec-row">
              <dt>deletionPolicy</dt>
              <dd className="mono" data-testid="deletion-policy">
                {settings.deletionPolicy}
              </dd>
            </div>
            <div className="spec-row">
              <dt>backend</dt>
              <dd className="mono" data-testid="backend">
                {settings.backend}
                {fromModule('backend') && <span className="muted"> (from module {mod?.metadata.name})</span>}
              </dd>
            </div>
          </dl>
          <SpecView value={restOfSpec} />
        </section>
      </div>
      <OwnerInputs ns={ns} owner={o} module={mod} />
      {kind === 'stacks' && <EffectiveTemplate ns={ns} stack={o as TofuStack} module={mod} />}
      <section className="card" aria-labelledby="conds">
        <h2 id="conds">Conditions</h2>
        <Conditions conditions={o.status?.conditions} />
      </section>
      <section className="card" aria-labelledby="history">
        <h2 id="history">Execution history</h2>
        {executions.isPending ? (
          <Loading what="executions" rows={3} />
        ) : history.length === 0 ? (
          <Empty title="No executions" />
        ) : (
          <div className="table-scroll">
            <table className="history" data-testid="history">
              <thead>
                <tr>
                  <th scope="col">Execution</th>
                  <th scope="col">Action</th>
                  <th scope="col">Phase</th>
                  <th scope="col">Result</th>
                  <th scope="col">Duration</th>
                  <th scope="col">Queued</th>
                </tr>
              </thead>
              <tbody>
                {history.map((e) => (
                  <tr key={e.metadata.name}>
                    <th scope="row">
                      <Link href={`/ns/${ns}/executions/${e.metadata.name}`}>{e.metadata.name}</Link>
                    </th>
                    <td>{actionLabel(e)}</td>
                    <td>
                      <PhaseBadge phase={e.status?.phase} />
                    </td>
                    <td className="truncate">{e.status?.apply?.text ?? e.status?.summary?.text ?? e.status?.message}</td>
                    <td>
                      {e.status?.startTime && e.status.completionTime
                        ? duration(Date.parse(e.status.completionTime) - Date.parse(e.status.startTime))
                        : '—'}
                    </td>
                    <td>{age(queuedAt(e))} ago</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <YamlView object={o} kind={kind === 'modules' ? 'module' : 'stack'} />
    </>
  );
}
