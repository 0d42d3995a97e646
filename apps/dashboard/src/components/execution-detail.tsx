'use client';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { useExecutionLog } from '../hooks/execution-log.ts';
import { useItem, usePermissions } from '../hooks/resources.ts';
import { actionLabel, ownerRef } from '../lib/approval.ts';
import { duration, queuedAt } from '../lib/format.ts';
import { breadcrumbTrail } from '../lib/page-nav.ts';
import { shortDigest } from '../lib/plan-diff-model.ts';
import { Breadcrumbs } from './breadcrumbs.tsx';
import { CancelRun } from './cancel-run.tsx';
import { Conditions } from './conditions.tsx';
import { ConfirmDelete } from './confirm-delete.tsx';
import { ExecutionInputsView } from './execution-inputs.tsx';
import { LogViewer } from './log-viewer.tsx';
import { PlanReview } from './plan-review.tsx';
import { PurposeBadge, RunPhaseBadge } from './queue-badge.tsx';
import { RunContext } from './run-context.tsx';
import { ErrorState, Loading } from './states.tsx';
import { Summary } from './summary.tsx';
import { YamlView } from './yaml-view.tsx';

/** Re-renders every second while `on` (for durations of runs in progress). */
function useNow(on: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!on) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [on]);
  return now;
}

function Time({ label, at, testId }: { label: string; at: string | undefined; testId: string }) {
  return (
    <div className="timing-item">
      <dt>{label}</dt>
      <dd data-testid={testId}>{at ? <time dateTime={at}>{new Date(at).toLocaleString()}</time> : <span className="muted">—</span>}</dd>
    </div>
  );
}

/** One run: phase and timing, the plan summary, the failure, the log, all live, and its YAML. */
export function ExecutionDetail({ ns, name }: { ns: string; name: string }) {
  const item = useItem(ns, 'executions', name);
  const log = useExecutionLog(ns, name);
  const perms = usePermissions(ns);
  const e = item.data;
  const ref = e ? ownerRef(e) : undefined;
  // The owner's status.pendingPlan names the one plan that may be approved.
  const ownerItem = useItem(ns, ref?.kind ?? 'modules', ref?.name ?? '', e?.spec.action === 'plan' && !!ref);
  const finished = e?.status?.phase === 'Succeeded' || e?.status?.phase === 'Failed';
  const now = useNow(!!e && !finished);
  if (item.isPending) return <Loading what={name} />;
  if (item.isError) return <ErrorState error={item.error} retry={() => void item.refetch()} />;
  const s = e!.status;
  const start = s?.startTime ? Date.parse(s.startTime) : undefined;
  const end = s?.completionTime ? Date.parse(s.completionTime) : undefined;
  const owner = e!.spec.stackRef
    ? { kind: 'stacks' as const, label: 'Stack', name: e!.spec.stackRef.name }
    : e!.spec.moduleRef
      ? { kind: 'modules' as const, label: 'Module', name: e!.spec.moduleRef.name }
      : undefined;
  return (
    <>
      <Breadcrumbs trail={breadcrumbTrail(ns, 'executions', name, owner)} />
      <div className="page-head">
        <h1>
          <span className="muted">Execution</span> <span data-testid="title">{name}</span> <RunPhaseBadge e={e!} />{' '}
          <span className="badge badge-action" data-testid="execution-action">
            {actionLabel(e!)}
          </span>{' '}
          <PurposeBadge e={e!} />
        </h1>
        <div className="actions">
          {owner && (
            <Link className="btn" href={`/ns/${ns}/${owner.kind}/${owner.name}`}>
              {owner.label} {owner.name}
            </Link>
          )}
          {!finished && (
            <CancelRun
              ns={ns}
              name={name}
              disabledReason={perms.data?.executions?.cancel ? undefined : `Your token may not patch tofuexecutions in ${ns}`}
            />
          )}
          <ConfirmDelete
            ns={ns}
            kind="executions"
            name={name}
            what="execution"
            disabledReason={perms.data?.executions?.delete ? undefined : `Your token may not delete tofuexecutions in ${ns}`}
          />
        </div>
      </div>
      <div className="exec-head card">
        <dl className="timing">
          <Time label="Queued" at={queuedAt(e!)} testId="queued" />
          <Time label="Started" at={s?.startTime} testId="started" />
          <Time label="Finished" at={s?.completionTime} testId="finished" />
          <div className="timing-item">
            <dt>Duration</dt>
            <dd data-testid="duration">{start ? duration((end ?? now) - start) : <span className="muted">—</span>}</dd>
          </div>
        </dl>
        {e!.spec.planRef && (
          <p data-testid="plan-ref">
            Carries out plan <Link href={`/ns/${ns}/executions/${e!.spec.planRef.name}`}>{e!.spec.planRef.name}</Link>{' '}
            <code className="mono" title={e!.spec.planRef.digest}>
              {shortDigest(e!.spec.planRef.digest)}
            </code>
            {e!.metadata.annotations?.['tofu-operator.io/approved-by'] && (
              <span className="muted"> approved by {e!.metadata.annotations['tofu-operator.io/approved-by']}</span>
            )}
          </p>
        )}
        {s?.summary && (
          <p>
            <Summary summary={s.summary} />
          </p>
        )}
        {s?.apply && (
          <p data-testid="apply-summary">
            <span className="muted">Applied:</span> <Summary summary={s.apply} />
          </p>
        )}
        {s?.phase === 'Failed' && (
          <div className="failure" role="alert" data-testid="failure">
            <strong>Failed{s.failureCategory ? ` (${s.failureCategory})` : ''}</strong>
            <p className="pre-wrap" data-testid="failure-message">
              {s.message}
            </p>
          </div>
        )}
        {s?.phase !== 'Failed' && s?.message && s.message !== s.summary?.text && s.message !== s.apply?.text && (
          <p className="pre-wrap muted">{s.message}</p>
        )}
      </div>
      <RunContext ns={ns} e={e!} lines={log.lines} now={now} />
      {e!.spec.action === 'plan' ? (
        <PlanReview ns={ns} e={e!} owner={ownerItem.data} log={<LogViewer log={log} fileName={`${name}.log`} />} />
      ) : (
        <LogViewer log={log} fileName={`${name}.log`} />
      )}
      <ExecutionInputsView inputs={s?.inputs} />
      <details className="card">
        <summary>Conditions</summary>
        <Conditions conditions={s?.conditions} />
      </details>
      <YamlView object={e} kind="execution" />
    </>
  );
}
