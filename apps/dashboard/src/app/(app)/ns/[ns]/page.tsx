'use client';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import type { ResourceKind } from '@tofu-operator/api-contracts';
import { PhaseBadge } from '../../../../components/phase-badge.tsx';
import { ErrorState, Loading, Empty } from '../../../../components/states.tsx';
import { useList } from '../../../../hooks/resources.ts';
import { exactTime, relativeTime } from '../../../../lib/continuous.ts';
import { countByPhase, PHASES, queuedAt, recentFailures } from '../../../../lib/format.ts';
import { filteredListHref, kindCount, kindNoun, phaseFilterOf } from '../../../../lib/list-query.ts';
import { ownerProblem, problemCounts } from '../../../../lib/owner-state.ts';

/** "5m ago" with the exact time and zone on hover. */
function Ago({ ts }: { ts: string | undefined }) {
  return (
    <time dateTime={ts} title={exactTime(ts)} data-testid="relative-time">
      {relativeTime(ts)}
    </time>
  );
}

function Counts({ ns, kind, title }: { ns: string; kind: ResourceKind; title: string }) {
  const q = useList(ns, kind);
  return (
    <section className="card stat" aria-labelledby={`count-${kind}`}>
      <h2 id={`count-${kind}`}>
        <Link href={`/ns/${ns}/${kind}`}>{title}</Link>
      </h2>
      {q.isPending ? (
        <Loading what={title} rows={1} />
      ) : q.isError ? (
        <ErrorState error={q.error} />
      ) : (
        <>
          <p className="stat-total">
            <Link href={`/ns/${ns}/${kind}`} data-testid={`count-${kind}`}>
              {q.data.length}
              <span className="visually-hidden"> {kindNoun(q.data.length, kind)}</span>
            </Link>
          </p>
          {/* Each count opens the list filtered to it ("2 failed" -> ?phase=failed). */}
          <ul className="phase-counts">
            {/* Stacks whose module is gone count as that error, not as Pending. */}
            {problemCounts(q.data).map(([reason, n]) => (
              <li key={reason}>
                <Link href={filteredListHref(ns, kind, { phase: 'failed' })} title={`${kindCount(n, kind)} with ${reason}`}>
                  <PhaseBadge phase={undefined} problem={{ reason, message: `${n} with Ready False ${reason}` }} /> {n}
                </Link>
              </li>
            ))}
            {PHASES.map((p) => {
              const n = countByPhase(q.data.filter((o) => !ownerProblem(o)))[p];
              const filter = phaseFilterOf(p === 'Unknown' ? undefined : p);
              return n ? (
                <li key={p}>
                  <Link
                    href={filteredListHref(ns, kind, { phase: filter })}
                    title={`${kindCount(n, kind)} ${p.toLowerCase()}`}
                    data-testid={`count-${kind}-${filter}`}
                  >
                    <PhaseBadge phase={p === 'Unknown' ? undefined : p} /> {n}
                  </Link>
                </li>
              ) : null;
            })}
          </ul>
        </>
      )}
    </section>
  );
}

/** Counts by phase, the runs in progress and the recent failures of a namespace. */
export default function OverviewPage() {
  const ns = decodeURIComponent(useParams<{ ns: string }>().ns);
  const executions = useList(ns, 'executions');
  const running = (executions.data ?? []).filter((e) => e.status?.phase === 'Running' || e.status?.phase === 'Pending' || !e.status?.phase);
  const failures = recentFailures(executions.data ?? []);
  return (
    <>
      <h1>
        Overview <span className="muted">{ns}</span>
      </h1>
      <div className="stats">
        <Counts ns={ns} kind="modules" title="Modules" />
        <Counts ns={ns} kind="stacks" title="Stacks" />
        <Counts ns={ns} kind="executions" title="Executions" />
      </div>
      <div className="two-col">
        <section className="card" aria-labelledby="running">
          <h2 id="running">Running now</h2>
          {executions.isPending ? (
            <Loading what="executions" rows={2} />
          ) : running.length === 0 ? (
            <Empty title="Nothing is running" />
          ) : (
            <ul className="plain-list" data-testid="running">
              {running.map((e) => (
                <li key={e.metadata.name}>
                  <PhaseBadge phase={e.status?.phase} /> <Link href={`/ns/${ns}/executions/${e.metadata.name}`}>{e.metadata.name}</Link>{' '}
                  <span className="muted">
                    queued <Ago ts={queuedAt(e)} />
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section className="card" aria-labelledby="failures">
          <h2 id="failures">Recent failures</h2>
          {executions.isPending ? (
            <Loading what="executions" rows={2} />
          ) : failures.length === 0 ? (
            <Empty title="No failed runs" />
          ) : (
            <ul className="plain-list" data-testid="failures">
              {failures.map((e) => (
                <li key={e.metadata.name}>
                  <Link href={`/ns/${ns}/executions/${e.metadata.name}`}>{e.metadata.name}</Link>{' '}
                  <span className="muted">
                    <Ago ts={e.status?.completionTime} />
                  </span>
                  <div className="failure-line">
                    {e.status?.failureCategory && <span className="tag">{e.status.failureCategory}</span>} {e.status?.message}
                  </div>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </>
  );
}
