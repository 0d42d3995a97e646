'use client';
import Link from 'next/link';
import { queueEntries } from '@tofu-operator/api-contracts';
import { useList } from '../hooks/resources.ts';
import { ordinal } from '../lib/continuous.ts';
import { RelativeTime } from './drift-badge.tsx';
import { Empty, ErrorState, Loading } from './states.tsx';

/**
 * The run queue of a namespace: executions whose status.queue is set, in the order they get a slot.
 * Read from the executions list, which the namespace's socket subscription keeps live (polled when
 * the subscription is refused), so a run leaves the page the moment its Job is created.
 */
export function QueueView({ ns }: { ns: string }) {
  const executions = useList(ns, 'executions');
  const entries = executions.data ? queueEntries(executions.data) : [];
  return (
    <>
      <div className="page-head">
        <h1>Queue</h1>
      </div>
      <p className="muted small">
        Runs wait here when the operator&apos;s cap (MAX_CONCURRENT_RUNS) or the namespace&apos;s cap (tofu-operator.io/max-concurrent-runs)
        is reached; the first in line starts when a slot frees.
      </p>
      {executions.isPending ? (
        <Loading what="the queue" />
      ) : executions.isError ? (
        <ErrorState error={executions.error} retry={() => void executions.refetch()} />
      ) : entries.length === 0 ? (
        <Empty title={`No run is waiting in ${ns}`} />
      ) : (
        <div className="table-scroll">
          <table className="history" data-testid="queue">
            <caption className="visually-hidden">Runs waiting in {ns}, next first</caption>
            <thead>
              <tr>
                <th scope="col">Place</th>
                <th scope="col">Execution</th>
                <th scope="col">For</th>
                <th scope="col">Run</th>
                <th scope="col">Waits for</th>
                <th scope="col">Since</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((q) => (
                <tr key={q.name} data-testid={`queue-${q.name}`}>
                  <td data-testid="queue-place">
                    {ordinal(q.position)}
                    {q.length ? ` of ${q.length}` : ''}
                  </td>
                  <th scope="row">
                    <Link href={`/ns/${ns}/executions/${q.name}`}>{q.name}</Link>
                  </th>
                  <td>
                    <Link href={`/ns/${ns}/${q.owner.kind === 'TofuStack' ? 'stacks' : 'modules'}/${q.owner.name}`}>
                      {q.owner.kind === 'TofuStack' ? 'stack' : 'module'} {q.owner.name}
                    </Link>
                  </td>
                  <td>
                    {q.action}
                    {q.purpose === 'DriftCheck' ? ' (drift check)' : ''}
                  </td>
                  <td>{q.limit === 'Namespace' ? 'namespace cap' : 'operator cap'}</td>
                  <td>
                    <RelativeTime at={q.since} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
