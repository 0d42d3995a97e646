'use client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useMemo, useState, type ReactNode } from 'react';
import type { TofuExecution } from '@tofu-operator/api-types';
import { ApiError } from '../hooks/api.ts';
import { useApprove, useList, usePermissions, usePlanDiff, useReject } from '../hooks/resources.ts';
import { decisionText, reviewActions, reviewState, supersededBy, type Owner, type ReviewState } from '../lib/approval.ts';
import { ownerProblem } from '../lib/owner-state.ts';
import { diffModel, shortDigest } from '../lib/plan-diff-model.ts';
import { CopyText } from './copy-text.tsx';
import { DecisionButton } from './decision-button.tsx';
import { PlanDiffView } from './plan-diff-view.tsx';
import { ErrorState, Loading } from './states.tsx';

const STATE_TEXT: Record<ReviewState, string> = {
  'not-a-plan': '',
  planning: 'Planning: the changes appear when the plan has finished.',
  'no-changes': 'No changes: there is nothing to approve.',
  waiting: 'Waiting for approval.',
  stale: 'Not the newest plan: only the newest plan can be approved.',
  approved: 'Approved',
  rejected: 'Rejected',
  superseded: 'Superseded',
};

const errorText = (err: Error | null): string | undefined => {
  if (!err) return undefined;
  if (err instanceof ApiError && err.status === 422) return `${err.message} (the plan changed since you read it: reload the page)`;
  return err.message;
};

/** The decision recorded on a plan, with the apply that carries it out or the plan that replaced it. */
function Decision({ ns, e, applies }: { ns: string; e: TofuExecution; applies: TofuExecution[] }) {
  const a = e.status?.approval;
  if (!a) return null;
  const newer = supersededBy(a);
  return (
    <div className={`decision decision-${a.state.toLowerCase()}`} data-testid="decision" data-state={a.state}>
      <strong>{decisionText(a)}</strong>{' '}
      <span className="muted">
        at <time dateTime={a.at}>{new Date(a.at).toLocaleString()}</time>
      </span>
      {newer && (
        <span>
          {' '}
          by the newer plan <Link href={`/ns/${ns}/executions/${newer}`}>{newer}</Link>
        </span>
      )}
      {a.message && !newer && <span className="muted"> ({a.message})</span>}
      {applies.map((x) => (
        <span key={x.metadata.name}>
          {' '}
          — {x.spec.action}{' '}
          <Link href={`/ns/${ns}/executions/${x.metadata.name}`} data-testid="apply-link">
            {x.metadata.name}
          </Link>
        </span>
      ))}
    </div>
  );
}

/**
 * The review of a plan execution: its digest and commit, where it stands (waiting, decided, stale),
 * Approve and Reject for a caller who may, and the plan as a per-resource diff with the raw log one
 * tab away. After an approval the page opens the apply execution and its live log. A plan of a stack
 * whose module is gone (ModuleNotFound) cannot be approved: its apply would wait for the module forever.
 */
export function PlanReview({ ns, e, owner, log }: { ns: string; e: TofuExecution; owner: Owner | undefined; log: ReactNode }) {
  const name = e.metadata.name ?? '';
  const plan = e.status?.plan;
  const state = reviewState(e, owner);
  const perms = usePermissions(ns);
  // A stack whose module is gone cannot run the apply: Approve is not offered (Reject still is).
  const problem = ownerProblem(owner);
  const offered = reviewActions(state, perms.data, ns);
  const actions =
    problem && offered.approve
      ? {
          ...offered,
          approve: false,
          note: `Cannot be applied: ${problem.reason}: ${problem.message}. Reject it, or bring the module back.`,
        }
      : offered;
  const finished = !!plan?.digest;
  const diff = usePlanDiff(ns, name, finished);
  const model = useMemo(() => (diff.data ? diffModel(diff.data) : undefined), [diff.data]);
  const executions = useList(ns, 'executions');
  const applies = (executions.data ?? []).filter((x) => x.spec.planRef?.name === name);
  const approve = useApprove(ns);
  const reject = useReject(ns);
  const router = useRouter();
  // A plan opened finished shows its changes first; one watched live stays on its log when it ends.
  const [tab, setTab] = useState<'changes' | 'log'>(() => (finished ? 'changes' : 'log'));
  const showTabs = finished;
  const pending = owner?.status?.pendingPlan;
  const summary = e.status?.summary?.text;

  return (
    <>
      {plan?.digest && (
        <section className="card plan-review" aria-labelledby="review-title" data-testid="review" data-state={state}>
          <h2 id="review-title" className="visually-hidden">
            Review
          </h2>
          <dl className="plan-facts">
            <div>
              <dt>Digest</dt>
              <dd>
                <CopyText value={plan.digest ?? ''} shown={shortDigest(plan.digest)} label="plan digest" testId="digest" />
              </dd>
            </div>
            {plan.commit && (
              <div>
                <dt>Commit</dt>
                <dd>
                  <CopyText value={plan.commit} shown={plan.commit.slice(0, 12)} label="commit" testId="commit" />
                </dd>
              </div>
            )}
          </dl>
          {e.status?.approval ? (
            <Decision ns={ns} e={e} applies={applies} />
          ) : (
            <p className={`review-state review-${state}`} data-testid="review-state" role="status">
              {STATE_TEXT[state]}
              {state === 'stale' && pending && (
                <>
                  {' '}
                  <Link href={`/ns/${ns}/executions/${pending.name}`}>{pending.name}</Link> waits for approval.
                </>
              )}
            </p>
          )}
          {(actions.approve || actions.reject) && plan.digest && (
            <div className="actions">
              {actions.approve && (
                <DecisionButton
                  decision="approve"
                  name={name}
                  digest={plan.digest}
                  summary={summary}
                  pending={approve.isPending}
                  error={errorText(approve.error)}
                  onConfirm={(close) =>
                    approve.mutate(
                      { name, planDigest: plan.digest ?? '' },
                      {
                        onSuccess: (apply) => {
                          close();
                          if (apply.metadata.name) router.push(`/ns/${ns}/executions/${apply.metadata.name}`);
                        },
                      },
                    )
                  }
                />
              )}
              {actions.reject && (
                <DecisionButton
                  decision="reject"
                  name={name}
                  digest={plan.digest}
                  summary={summary}
                  pending={reject.isPending}
                  error={errorText(reject.error)}
                  onConfirm={(close) => reject.mutate({ name, planDigest: plan.digest ?? '' }, { onSuccess: close })}
                />
              )}
            </div>
          )}
          {actions.note && (
            <p className="muted small" data-testid="approve-denied">
              {actions.note}
            </p>
          )}
        </section>
      )}
      {showTabs ? (
        <div className="tabs">
          <div role="tablist" aria-label="Plan" className="tablist">
            {(['changes', 'log'] as const).map((t) => (
              <button
                key={t}
                type="button"
                role="tab"
                id={`tab-${t}`}
                aria-selected={tab === t}
                aria-controls={`panel-${t}`}
                tabIndex={tab === t ? 0 : -1}
                className="tab"
                data-testid={`tab-${t}`}
                onClick={() => setTab(t)}
                onKeyDown={(k) => {
                  if (k.key === 'ArrowRight' || k.key === 'ArrowLeft') {
                    const next = t === 'changes' ? 'log' : 'changes';
                    setTab(next);
                    document.getElementById(`tab-${next}`)?.focus();
                  }
                }}
              >
                {t === 'changes' ? 'Changes' : 'Log'}
              </button>
            ))}
          </div>
          <div role="tabpanel" id="panel-changes" aria-labelledby="tab-changes" hidden={tab !== 'changes'}>
            {diff.isPending ? (
              <Loading what="the plan's changes" rows={3} />
            ) : diff.isError ? (
              <ErrorState error={diff.error} retry={() => void diff.refetch()} />
            ) : (
              model && <PlanDiffView model={model} />
            )}
          </div>
          <div role="tabpanel" id="panel-log" aria-labelledby="tab-log" hidden={tab !== 'log'}>
            {log}
          </div>
        </div>
      ) : (
        log
      )}
    </>
  );
}
