// The columns of the module, stack and execution lists: cells, sort keys and searched text.
import Link from 'next/link';
import type { ReactNode } from 'react';
import type { ResourceKind, ResourceTypes } from '@tofu-operator/api-contracts';
import type { LastExecution, TofuExecution, TofuModule, TofuStack } from '@tofu-operator/api-types';
import { actionLabel, AWAITING_APPROVAL } from '../lib/approval.ts';
import { age, displayPhase, duration, PHASES, queuedAt } from '../lib/format.ts';
import { ownerProblem } from '../lib/owner-state.ts';
import { driftBadge, exactTime, purposeLabel } from '../lib/continuous.ts';
import { phaseFilterOf, runDuration, type PhaseFilter } from '../lib/list-query.ts';
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
  /** Undefined sorts last (a run without a duration yet). */
  sort?: (o: Row) => string | number | undefined;
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

/** kubectl's AGE ("5m"), with the exact time and zone on hover. */
function Age({ ts }: { ts: string | undefined }) {
  return (
    <time dateTime={ts} title={exactTime(ts)} data-testid="age">
      {age(ts)}
    </time>
  );
}

const ageCol: Column = {
  id: 'age',
  title: 'Age',
  width: '5rem',
  cell: (o) => <Age ts={o.metadata.creationTimestamp} />,
  // Newest first when sorted ascending by "age".
  sort: (o) => -Date.parse(o.metadata.creationTimestamp ?? '0'),
};

/** "stack web-dev" or "module web": what an execution runs for, as the list shows it. */
function ownerOf(e: TofuExecution): string | undefined {
  if (e.spec.stackRef) return `stack ${e.spec.stackRef.name}`;
  return e.spec.moduleRef?.name ? `module ${e.spec.moduleRef.name}` : undefined;
}

/** The Result column's text: the apply's or plan's summary, else the status message. */
function resultText(e: TofuExecution): string {
  return e.status?.apply?.text ?? e.status?.summary?.text ?? e.status?.message ?? '';
}

/** The phase filter a row belongs to (a stack whose module is gone counts as failed, as shown). */
export function rowFilter(kind: ResourceKind, o: Row): Exclude<PhaseFilter, 'all'> {
  return phaseFilterOf(o.status?.phase, kind !== 'executions' && !!ownerProblem(o));
}

/** The namespace of each row, first, in the all-namespaces view. */
export const namespaceCol: Column = {
  id: 'namespace',
  title: 'Namespace',
  width: 'minmax(8rem, 1fr)',
  cell: (o) => <span className="truncate">{o.metadata.namespace}</span>,
  sort: (o) => o.metadata.namespace ?? '',
  search: (o) => [o.metadata.namespace],
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
      search: (o) => {
        const e = o as TofuExecution;
        return [
          e.status?.phase,
          e.status?.queue ? 'queued' : undefined,
          e.status?.failureCategory,
          purposeLabel(e),
          e.status?.approval?.state,
        ];
      },
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
      sort: (o) => ownerOf(o as TofuExecution),
      search: (o) => [ownerOf(o as TofuExecution)],
    },
    {
      id: 'summary',
      title: 'Result',
      width: 'minmax(14rem, 3fr)',
      cell: (o) => {
        const s = (o as TofuExecution).status;
        return (
          <span className="truncate" title={s?.failureCategory ? `${s.failureCategory}: ${resultText(o as TofuExecution)}` : undefined}>
            {s?.failureCategory && <span className="tag">{s.failureCategory}</span>} {resultText(o as TofuExecution)}
          </span>
        );
      },
      // By result: the phase first (as the Phase column), then the text.
      sort: (o) => `${PHASES.indexOf(displayPhase(o.status?.phase))} ${resultText(o as TofuExecution)}`,
      search: (o) => [resultText(o as TofuExecution), (o as TofuExecution).status?.message, (o as TofuExecution).status?.failureCategory],
    },
    {
      id: 'duration',
      title: 'Duration',
      width: '6rem',
      cell: (o) => {
        const ms = runDuration((o as TofuExecution).status);
        return ms === undefined ? '—' : duration(ms);
      },
      // Unfinished runs (no duration) sort last either way.
      sort: (o) => runDuration((o as TofuExecution).status),
    },
    {
      ...ageCol,
      cell: (o) => <Age ts={queuedAt(o as TofuExecution)} />,
      sort: (o) => -Date.parse(queuedAt(o as TofuExecution) ?? '0'),
    },
  ],
};
