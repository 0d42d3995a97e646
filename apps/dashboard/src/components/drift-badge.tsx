import type { TofuModule, TofuStack } from '@tofu-operator/api-types';
import { driftBadge, exactTime, relativeTime } from '../lib/continuous.ts';
import { shortSha } from '../lib/run-context.ts';

const TEXT = { drifted: 'Drifted', clean: 'No drift', unchecked: 'Not checked yet' } as const;

/** Red "Drifted", neutral "No drift" (or "Not checked yet"), nothing without drift detection; an icon so colour is not the only cue. */
export function DriftBadge({ owner, module }: { owner: TofuModule | TofuStack; module?: TofuModule | undefined }) {
  const state = driftBadge(owner, module);
  if (!state) return null;
  return (
    <span className={`badge${state === 'drifted' ? ' badge-failed' : ''}`} data-testid="drift-badge" data-state={state}>
      <span aria-hidden="true">{state === 'drifted' ? '≠' : state === 'clean' ? '=' : '◷'}</span> {TEXT[state]}
    </span>
  );
}

/** A time relative to now ("5m ago", "in 3m"), the exact time in its title. */
export function RelativeTime({ at, testId }: { at: string | undefined; testId?: string }) {
  if (!at) return <span className="muted">—</span>;
  return (
    <time dateTime={at} title={exactTime(at)} data-testid={testId}>
      {relativeTime(at)}
    </time>
  );
}

/** The list cell: the drift badge and when the last check finished. */
export function DriftCell({ owner }: { owner: TofuModule | TofuStack }) {
  if (!driftBadge(owner)) return null;
  return (
    <span className="phase-cell">
      <DriftBadge owner={owner} /> <RelativeTime at={owner.status?.drift?.lastCheckTime} testId="drift-checked" />
    </span>
  );
}

/** The list cell: the commit last planned (short SHA, the full one in the title). */
export function CommitCell({ owner }: { owner: TofuModule | TofuStack }) {
  const commit = owner.status?.source?.commit;
  if (!commit) return <span className="muted">—</span>;
  return (
    <code className="mono" title={commit} data-testid="commit">
      {shortSha(commit)}
    </code>
  );
}
