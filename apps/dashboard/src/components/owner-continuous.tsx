'use client';
import Link from 'next/link';
import type { PlannableKind } from '@tofu-operator/api-contracts';
import type { TofuModule, TofuStack } from '@tofu-operator/api-types';
import { ApiError } from '../hooks/api.ts';
import { useDriftCheck } from '../hooks/continuous.ts';
import { usePermissions } from '../hooks/resources.ts';
import { driftCounts, effectiveDriftDetection, sourceProblem } from '../lib/continuous.ts';
import { commitUrl, displayRepository, shortSha } from '../lib/run-context.ts';
import { DriftBadge, RelativeTime } from './drift-badge.tsx';
import { Item, none } from './run-context.tsx';

/** A commit as a short SHA, linked to the forge's page when the repository has one (run page's helper). */
function Commit({ repository, sha, testId }: { repository: string | undefined; sha: string | undefined; testId: string }) {
  if (!sha) return none;
  const link = commitUrl(repository, sha);
  return link ? (
    <a href={link} target="_blank" rel="noopener noreferrer" title={sha} className="mono" data-testid={testId}>
      {shortSha(sha)}
    </a>
  ) : (
    <code className="mono" title={sha} data-testid={testId}>
      {shortSha(sha)}
    </code>
  );
}

/** The source a module or stack tracks: the commit planned, the latest commit seen, the polls, and a SourceReady problem in red. */
export function SourceSection({ owner, module }: { owner: TofuModule | TofuStack; module: TofuModule | undefined }) {
  const spec = owner.kind === 'TofuStack' ? module?.spec.source : owner.spec.source;
  const s = owner.status?.source;
  const problem = sourceProblem(owner);
  const poll = spec?.pollInterval ?? '5m';
  return (
    <section className="card" aria-labelledby="source-title" data-testid="source-section">
      <h2 id="source-title">Source</h2>
      {problem && (
        <p className="form-error" role="status" data-testid="source-problem">
          <strong>{problem.reason}</strong>: {problem.message}
        </p>
      )}
      <dl className="timing">
        <Item label="Repository" testId="source-repository">
          {spec ? <code className="mono">{displayRepository(spec.repository)}</code> : none}
        </Item>
        <Item label="Revision" testId="source-revision">
          {s?.revision || spec?.revision ? <code className="mono">{s?.revision ?? spec?.revision}</code> : 'default branch'}
        </Item>
        <Item label="Commit planned" testId="source-commit">
          <Commit repository={spec?.repository} sha={s?.commit} testId="source-commit-sha" />
        </Item>
        <Item label="Latest commit seen" testId="source-latest">
          <Commit repository={spec?.repository} sha={s?.latestCommit} testId="source-latest-sha" />
          {s?.latestCommit && s.commit && s.latestCommit !== s.commit && <span className="muted"> (a plan follows)</span>}
        </Item>
        <Item label="Polling" testId="source-poll-interval">
          {poll === '0' ? 'off' : `every ${poll}`}
          {owner.kind === 'TofuStack' && <span className="muted"> (the module&apos;s)</span>}
        </Item>
        <Item label="Last poll" testId="source-last-poll">
          <RelativeTime at={s?.lastPollTime} />
        </Item>
        <Item label="Next poll" testId="source-next-poll">
          <RelativeTime at={s?.nextPollTime} />
        </Item>
      </dl>
    </section>
  );
}

/** Drift detection: mode, interval, the last and next check, what drifted, and "Check drift now". */
export function DriftSection({
  ns,
  kind,
  owner,
  module,
}: {
  ns: string;
  kind: PlannableKind;
  owner: TofuModule | TofuStack;
  module: TofuModule | undefined;
}) {
  const dd = effectiveDriftDetection(owner, module);
  const d = owner.status?.drift;
  return (
    <section className="card" aria-labelledby="drift-title" data-testid="drift-section">
      <h2 id="drift-title">
        Drift <DriftBadge owner={owner} module={module} />
      </h2>
      {!dd ? (
        <p className="muted" data-testid="drift-off">
          Drift detection is off. Set <code>spec.driftDetection</code> (Edit) to plan against the applied state on an interval.
        </p>
      ) : (
        <>
          <dl className="timing">
            <Item label="Mode" testId="drift-mode">
              {dd.spec.mode ?? 'Detect'}
              {dd.from === 'module' && <span className="muted"> (from module {module?.metadata.name})</span>}
            </Item>
            <Item label="Interval" testId="drift-interval">
              every {dd.spec.interval ?? '1h'}
            </Item>
            <Item label="Last check" testId="drift-last">
              <RelativeTime at={d?.lastCheckTime} />
            </Item>
            <Item label="Next check" testId="drift-next">
              <RelativeTime at={d?.nextCheckTime} />
            </Item>
            <Item label="Last check run" testId="drift-execution">
              {d?.lastCheckExecution ? <Link href={`/ns/${ns}/executions/${d.lastCheckExecution}`}>{d.lastCheckExecution}</Link> : none}
            </Item>
            {d?.drifted && (
              <Item label="Drift" testId="drift-counts">
                <span className="mono">{driftCounts(d.counts)}</span>
              </Item>
            )}
          </dl>
          {d?.drifted && (d.resources?.length ?? 0) > 0 && (
            <>
              <h3>Drifted resources</h3>
              <ul className="plain-list mono" data-testid="drift-resources">
                {d.resources!.map((r) => (
                  <li key={r}>{r}</li>
                ))}
              </ul>
              {(d.resourcesOmitted ?? 0) > 0 && <p className="muted small">and {d.resourcesOmitted} more</p>}
            </>
          )}
          <CheckDriftButton ns={ns} kind={kind} name={owner.metadata.name ?? ''} />
        </>
      )}
    </section>
  );
}

/** POST …/drift-check: only offered when the caller may patch the owner (like Plan); says when it was requested. */
export function CheckDriftButton({ ns, kind, name }: { ns: string; kind: PlannableKind; name: string }) {
  const perms = usePermissions(ns);
  const check = useDriftCheck(ns, kind);
  if (!perms.data?.[kind]?.plan) {
    return perms.data ? (
      <p className="muted small" data-testid="drift-check-denied">
        Check drift now is not offered: your token may not patch {kind === 'modules' ? 'tofumodules' : 'tofustacks'} in {ns}.
      </p>
    ) : null;
  }
  const err = check.error;
  return (
    <p className="actions">
      <button type="button" className="btn" data-testid="check-drift" disabled={check.isPending} onClick={() => check.mutate(name)}>
        {check.isPending ? 'Requesting…' : 'Check drift now'}
      </button>
      <span role="status" aria-live="polite" className="inline-note" data-testid="drift-check-status">
        {check.data && !check.isPending ? (
          <>
            Drift check requested <RelativeTime at={check.data.requestedAt} />: it runs when the operator picks it up.
          </>
        ) : null}
      </span>
      {err && (
        <span className="inline-error" role="alert" data-testid="drift-check-error">
          {err instanceof ApiError && err.status === 409 ? err.message : `Could not request a drift check: ${err.message}`}
        </span>
      )}
    </p>
  );
}
