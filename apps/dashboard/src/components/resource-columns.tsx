// The columns of the module, stack and execution lists: cells, sort keys and searched text.
import Link from 'next/link';
import type { ReactNode } from 'react';
import type { ResourceKind, ResourceTypes } from '@tofu-operator/api-contracts';
import type { LastExecution, TofuExecution, TofuModule, TofuStack } from '@tofu-operator/api-types';
import { actionLabel, AWAITING_APPROVAL } from '../lib/approval.ts';
import { age, displayPhase, duration, PHASES, queuedAt } from '../lib/format.ts';
import { ownerProblem } from '../lib/owner-state.ts';
import { driftBadge } from '../lib/continuous.ts';
import { CommitCell, DriftCell } from './drift-badge.tsx';
import { OwnerPhaseBadge, PhaseBadge } from './phase-badge.tsx';
import { PurposeBadge, RunPhaseBadge } from './queue-badge.tsx';

/** A row of any of the three lists. */
export type Row = ResourceTypes[ResourceKind];

/** One column: its cell, and optionally its sort key and the text search looks at. */
export interface Column {
  id: string;
  title: string;
  width: string;
  cell: (o: Row, ns: string) => ReactNode;
  sort?: (o: Row) => string | number;
  search?: (o: Row) => (string | undefined)[];
}

function lastExecution(ns: string, l: LastExecution | undefined): ReactNode {
  if (!l) return <span className="muted">never run</span>;
  return (
    <Link href={`/ns/${ns}/executions/${l.name}`} className="last-exec">
      <PhaseBadge phase={l.phase} /> <span className="truncate">{l.summary?.text ?? l.message ?? l.name}</span>
    </Link>
  );
}

const nameCol = (kind: ResourceKind): Column => ({
  id: 'name',
  title: 'Name',
  width: 'minmax(12rem, 2fr)',
  cell: (o, ns) => (
    <Link href={`/ns/${ns}/${kind}/${o.metadata.name}`} className="row-link">
      {o.metadata.name}
    </Link>
  ),
  sort: (o) => o.metadata.name ?? '',
  search: (o) => [o.metadata.name],
});
const phaseCol: Column = {
  id: 'phase',
  title: 'Phase',
  width: '8.5rem',
  cell: (o) => <PhaseBadge phase={o.status?.phase} />,
  sort: (o) => PHASES.indexOf(displayPhase(o.status?.phase)),
  search: (o) => [o.status?.phase],
};
/** The badge of an owner whose status.pendingPlan names a plan waiting for approval, linking to it. */
function awaiting(ns: string, o: TofuModule | TofuStack): ReactNode {
  const p = o.status?.pendingPlan;
  if (!p) return null;
  return (
    <Link
      href={`/ns/${ns}/executions/${p.name}`}
      className="badge badge-awaiting"
      data-testid="awaiting-approval"
      title={`Plan ${p.name} waits for approval`}
    >
      Awaiting approval
    </Link>
  );
}

/**
 * The phase (or, for a stack whose module is gone, that reason in red, sorted with the failures),
 * and "Awaiting approval" for an owner with a waiting plan.
 */
const ownerPhaseCol: Column = {
  ...phaseCol,
  width: 'minmax(8.5rem, 1.4fr)',
  cell: (o, ns) => (
    <span className="phase-cell">
      <OwnerPhaseBadge owner={o} /> {awaiting(ns, o as TofuModule | TofuStack)}
    </span>
  ),
  sort: (o) => PHASES.indexOf(ownerProblem(o) ? 'Failed' : displayPhase(o.status?.phase)),
  search: (o) => [o.status?.phase, ownerProblem(o)?.reason, (o as TofuModule).status?.pendingPlan ? 'awaiting approval' : undefined],
};

/** Drifted / No drift and the last check time; drifted owners first when sorted ascending. */
const driftCol: Column = {
  id: 'drift',
  title: 'Drift',
  width: 'minmax(9rem, 1.2fr)',
  cell: (o) => <DriftCell owner={o as TofuModule | TofuStack} />,
  sort: (o) => ['drifted', 'unchecked', 'clean', undefined].indexOf(driftBadge(o as TofuModule | TofuStack)),
  search: (o) => {
    const d = driftBadge(o as TofuModule | TofuStack);
    return [d === 'drifted' ? 'drifted' : d === 'clean' ? 'no drift' : undefined];
  },
};
/** The commit last planned (status.source.commit). */
const commitCol: Column = {
  id: 'commit',
  title: 'Commit',
  width: '6.5rem',
  cell: (o) => <CommitCell owner={o as TofuModule | TofuStack} />,
  search: (o) => [(o as TofuModule).status?.source?.commit],
};

const ageCol: Column = {
  id: 'age',
  title: 'Age',
  width: '5rem',
  cell: (o) => <time dateTime={o.metadata.creationTimestamp}>{age(o.metadata.creationTimestamp)}</time>,
  // Newest first when sorted ascending by "age".
  sort: (o) => -Date.parse(o.metadata.creationTimestamp ?? '0'),
};

/** The columns of each list, in display order. */
export const COLUMNS: Record<ResourceKind, Column[]> = {
  modules: [
    nameCol('modules'),
    ownerPhaseCol,
    {
      id: 'source',
      title: 'Source',
      width: 'minmax(12rem, 3fr)',
      cell: (o) => {
        const s = (o as TofuModule).spec.source;
        return (
          <span className="truncate mono" title={s.repository}>
            {s.repository}
            {s.revision ? `@${s.revision}` : ''} {s.workdir && s.workdir !== '.' ? `(${s.workdir})` : ''}
          </span>
        );
      },
      search: (o) => [(o as TofuModule).spec.source.repository, (o as TofuModule).spec.source.revision],
    },
    {
      id: 'last',
      title: 'Last execution',
      width: 'minmax(14rem, 3fr)',
      cell: (o, ns) => lastExecution(ns, (o as TofuModule).status?.lastExecution),
    },
    commitCol,
    driftCol,
    ageCol,
  ],
  stacks: [
    nameCol('stacks'),
    ownerPhaseCol,
    {
      id: 'module',
      title: 'Module',
      width: 'minmax(10rem, 2fr)',
      cell: (o, ns) => {
        const m = (o as TofuStack).spec.moduleRef.name;
        return <Link href={`/ns/${ns}/modules/${m}`}>{m}</Link>;
      },
      sort: (o) => (o as TofuStack).spec.moduleRef.name,
      search: (o) => [(o as TofuStack).spec.moduleRef.name],
    },
    {
      id: 'last',
      title: 'Last execution',
      width: 'minmax(14rem, 3fr)',
      cell: (o, ns) => lastExecution(ns, (o as TofuStack).status?.lastExecution),
    },
    commitCol,
    driftCol,
    ageCol,
  ],
  executions: [
    nameCol('executions'),
    {
      ...phaseCol,
      width: 'minmax(8.5rem, 1.4fr)',
      cell: (o) => {
        const e = o as TofuExecution;
        const waits = !e.status?.approval && e.status?.conditions?.some((c) => c.type === AWAITING_APPROVAL && c.status === 'True');
        return (
          <span className="phase-cell">
            <RunPhaseBadge e={e} /> <PurposeBadge e={e} />{' '}
            {waits && (
              <span className="badge badge-awaiting" data-testid="awaiting-approval">
                Awaiting approval
              </span>
            )}
            {e.status?.approval && e.status.approval.state !== 'Approved' && (
              <span className="badge" data-testid="decision">
                {e.status.approval.state}
              </span>
            )}
          </span>
        );
      },
    },
    {
      id: 'action',
      title: 'Action',
      width: '7.5rem',
      cell: (o) => <span data-testid="action">{actionLabel(o as TofuExecution)}</span>,
      sort: (o) => actionLabel(o as TofuExecution),
      search: (o) => [actionLabel(o as TofuExecution)],
    },
    {
      id: 'owner',
      title: 'For',
      width: 'minmax(10rem, 2fr)',
      cell: (o, ns) => {
        const e = o as TofuExecution;
        const [k, n] = e.spec.stackRef ? ['stacks', e.spec.stackRef.name] : ['modules', e.spec.moduleRef?.name];
        return n ? <Link href={`/ns/${ns}/${k}/${n}`}>{`${k === 'stacks' ? 'stack' : 'module'} ${n}`}</Link> : '—';
      },
      search: (o) => [(o as TofuExecution).spec.stackRef?.name, (o as TofuExecution).spec.moduleRef?.name],
    },
    {
      id: 'summary',
      title: 'Result',
      width: 'minmax(14rem, 3fr)',
      cell: (o) => {
        const s = (o as TofuExecution).status;
        return <span className="truncate">{s?.apply?.text ?? s?.summary?.text ?? s?.message ?? ''}</span>;
      },
    },
    {
      id: 'duration',
      title: 'Duration',
      width: '6rem',
      cell: (o) => {
        const s = (o as TofuExecution).status;
        return s?.startTime && s.completionTime ? duration(Date.parse(s.completionTime) - Date.parse(s.startTime)) : '—';
      },
    },
    { ...ageCol, sort: (o) => -Date.parse(queuedAt(o as TofuExecution) ?? '0') },
  ],
};
