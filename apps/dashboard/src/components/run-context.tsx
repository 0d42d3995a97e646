'use client';
import type { TofuExecution } from '@tofu-operator/api-types';
import type { ReactNode } from 'react';
import { useList } from '../hooks/resources.ts';
import {
  commitUrl,
  displayRepository,
  previousTrigger,
  runCommit,
  runSteps,
  runTrigger,
  shortSha,
  stepDuration,
} from '../lib/run-context.ts';

const STEP_BADGE = { done: 'badge-succeeded', running: 'badge-running', failed: 'badge-failed' } as const;

/** One labelled value of a facts list (the run page's context, the owner page's Source and Drift cards). */
export function Item({ label, testId, children }: { label: string; testId: string; children: ReactNode }) {
  return (
    <div className="timing-item">
      <dt>{label}</dt>
      <dd data-testid={testId}>{children}</dd>
    </div>
  );
}

/** What a facts list shows for a value it does not have. */
export const none = <span className="muted">—</span>;

/**
 * Where a run came from and what it did: the commit (linked to the forge's page when the repository
 * has one), revision, repository and workdir actually used, the trigger, the Job and Pod, and the
 * runner's steps with their durations (from the times on the runner's step markers; `now` counts the
 * step in progress).
 */
export function RunContext({ ns, e, lines, now }: { ns: string; e: TofuExecution; lines: readonly string[]; now: number }) {
  // The owner's previous plan tells which part of the trigger changed; only plans carry one.
  const executions = useList(ns, 'executions');
  const source = e.spec.source ?? e.status?.resolved?.source;
  const commit = runCommit(e, lines);
  const link = commitUrl(source?.repository, commit);
  const trigger = runTrigger(e, executions.data ? previousTrigger(e, executions.data) : undefined);
  const steps = runSteps(lines, e.status?.phase, e.status?.completionTime);
  return (
    <section className="card" aria-labelledby="run-context-title" data-testid="run-context">
      <h2 id="run-context-title">Context</h2>
      <dl className="timing">
        <Item label="Trigger" testId="run-trigger">
          {trigger.label}
          {trigger.detail && <span className="muted"> · {trigger.detail}</span>}
          {trigger.raw && (
            <>
              {' '}
              <code className="mono muted" title="tofu-operator.io/trigger">
                {trigger.raw}
              </code>
            </>
          )}
        </Item>
        <Item label="Commit" testId="run-commit">
          {commit ? (
            link ? (
              <a href={link} target="_blank" rel="noopener noreferrer" title={commit} className="mono">
                {shortSha(commit)}
              </a>
            ) : (
              <code className="mono" title={commit}>
                {shortSha(commit)}
              </code>
            )
          ) : (
            none
          )}
        </Item>
        <Item label="Revision" testId="run-revision">
          {source ? source.revision ? <code className="mono">{shortSha(source.revision)}</code> : <span>default branch</span> : none}
        </Item>
        <Item label="Repository" testId="run-repository">
          {source ? (
            <code className="mono" style={{ overflowWrap: 'anywhere' }}>
              {displayRepository(source.repository)}
            </code>
          ) : (
            none
          )}
        </Item>
        <Item label="Workdir" testId="run-workdir">
          {source ? <code className="mono">{source.workdir || '.'}</code> : none}
        </Item>
        <Item label="Job" testId="run-job">
          {e.status?.jobName ? <code className="mono">{e.status.jobName}</code> : none}
        </Item>
        <Item label="Pod" testId="run-pod">
          {e.status?.podName ? <code className="mono">{e.status.podName}</code> : none}
        </Item>
      </dl>
      <h3>Steps</h3>
      {steps.length === 0 ? (
        <p className="muted" data-testid="run-steps-empty">
          No step has begun yet.
        </p>
      ) : (
        <ol className="run-steps" data-testid="run-steps">
          {steps.map((step) => {
            const took = stepDuration(step, now);
            return (
              <li key={step.name} data-testid={`run-step-${step.name}`} data-state={step.state}>
                <span className={`badge ${STEP_BADGE[step.state]}`}>{step.state}</span> <strong>{step.name}</strong>{' '}
                {took && step.startedAt !== undefined && (
                  <time dateTime={new Date(step.startedAt).toISOString()} data-testid={`run-step-${step.name}-duration`}>
                    {took}
                  </time>
                )}{' '}
                <code className="mono muted">{step.line}</code>
              </li>
            );
          })}
        </ol>
      )}
      <p className="muted small">
        Steps and their durations come from the runner&apos;s log markers (a run by a runner older than the times on its markers shows
        none).
      </p>
    </section>
  );
}
