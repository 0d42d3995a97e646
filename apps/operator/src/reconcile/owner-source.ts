// What a module or stack knows of its source (issue 13): how often it is polled, the commit its
// plans checked out, whether the poll's commit is newer information than its newest plan, and
// status.source with the SourceReady condition. Pure: the owner reconciler asks the source poller
// (SourceView) and writes what these compute. A failing poll only changes SourceReady: never the
// phase, Ready or the last plan.
import {
  ConditionType,
  DEFAULT_POLL_INTERVAL,
  parseDuration,
  ReconciliationReason,
  type OwnerSourceStatus,
  type Source,
  type TofuExecution,
  type TofuModuleStatus,
} from '@tofu-operator/api-types';
import { setCondition } from '@tofu-operator/reconcile-runtime';
import type { SourceObservation } from '../source/source-view.js';
import { isTerminal } from '../execution/finished.js';
import { byNewest, createdAtMs } from './owner-status.js';
import type { CommitView } from './owner-triggers.js';

/** A full commit id: a revision that never moves, so it is never polled. */
const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;

/** The first characters of a commit, for names, events and messages. */
export function shortCommit(commit: string): string {
  return commit.slice(0, 12);
}

/** How often `source` is polled in ms: spec.source.pollInterval (default 5m); 0 when off or when the revision is a full SHA. */
export function pollIntervalMsOf(source: Source): number {
  if (source.revision && FULL_SHA.test(source.revision)) return 0;
  return parseDuration(source.pollInterval ?? DEFAULT_POLL_INTERVAL) ?? (parseDuration(DEFAULT_POLL_INTERVAL) as number);
}

/** Whether an execution is a drift check (spec.purpose DriftCheck). */
export function isDriftCheck(execution: TofuExecution): boolean {
  return execution.spec.purpose === 'DriftCheck';
}

/**
 * The execution an owner's status reports (status.lastExecution, phase, Ready): its newest run that is
 * not a drift check. Drift checks report in status.drift and the Drifted condition instead; an apply
 * of a drift plan is a run like any other.
 */
export function lastRunOf(executions: readonly TofuExecution[]): TofuExecution | undefined {
  return executions.filter((e) => !isDriftCheck(e)).sort(byNewest)[0];
}

/**
 * The commit a finished plan checked out: what the runner reported (status.plan.commit, or
 * status.commit of a plan that failed after its clone), else the spec.commit it was given when its
 * run started (a plan superseded in the queue never ran). A failed plan counts: the commit it
 * failed on is planned, and only a newer one plans again (not every poll of a broken module).
 */
export function plannedCommitOf(execution: TofuExecution): string | undefined {
  if (execution.spec.action !== 'plan' || !isTerminal(execution)) return undefined;
  const status = execution.status;
  return status?.plan?.commit ?? status?.commit ?? (status?.jobName ? execution.spec.commit : undefined);
}

/**
 * The commit last planned (the newest finished plan's, else what the status recorded) and the poll's
 * commit when it is newer information: a poll made before the owner's newest plan resolved the
 * branch says nothing that plan does not know (the runner resolved it, maybe to a newer commit).
 * Drift checks do not count for that: they plan the commit planned last.
 */
export function commitViewOf(
  executions: readonly TofuExecution[],
  status: TofuModuleStatus | undefined,
  observation: SourceObservation | undefined,
): CommitView {
  const sorted = [...executions].sort(byNewest);
  let planned: string | undefined;
  for (const e of sorted) if ((planned = plannedCommitOf(e))) break;
  planned ??= status?.source?.commit;
  const view: CommitView = planned ? { planned } : {};
  const latest = observation?.commit;
  if (!latest) return view;
  const newest = sorted.find((e) => e.spec.action === 'plan' && !isDriftCheck(e));
  const polledAt = Date.parse(observation.lastPollTime ?? '');
  if (newest) {
    // A plan without spec.commit resolves the branch itself when its runner starts: until it has run,
    // it knows more than any poll (a new owner's first plan, queued or running, is not replaced by
    // the first poll's commit), and after, only a poll made once it finished is newer. A plan given
    // a commit knew it when it was created.
    const unpinned = !newest.spec.commit;
    if (unpinned && !isTerminal(newest)) return view;
    const since = unpinned ? Date.parse(newest.status?.completionTime ?? '') || createdAtMs(newest) : createdAtMs(newest);
    if (!(polledAt >= since)) return view;
  }
  return { ...view, latest };
}

/** What the reconcile saw of the source, for the status. */
export interface SourceObserved {
  source: Source;
  /** The poll interval in ms (0: not polled). */
  intervalMs: number;
  observation?: SourceObservation;
  /** The commit last planned (commitViewOf). */
  planned?: string;
}

/**
 * The status with status.source and the SourceReady condition: True SourceResolved after a successful
 * poll, False with the poller's reason and message while polling fails (it backs off), and no
 * condition when the source is not polled. Before the first poll the condition stays as it was.
 */
export function withSourceStatus(status: TofuModuleStatus, seen: SourceObserved, now: Date): TofuModuleStatus {
  const { source, intervalMs, observation, planned } = seen;
  const out: TofuModuleStatus = { ...status };
  const block: OwnerSourceStatus = {};
  if (planned) block.commit = planned;
  if (source.revision) block.revision = source.revision;
  if (observation?.commit) block.latestCommit = observation.commit;
  if (observation?.lastPollTime) block.lastPollTime = observation.lastPollTime;
  if (observation?.nextPollTime && intervalMs > 0) block.nextPollTime = observation.nextPollTime;
  if (Object.keys(block).length > 0) out.source = block;
  else delete out.source;
  if (intervalMs === 0) {
    out.conditions = (out.conditions ?? []).filter((c) => c.type !== ConditionType.SourceReady);
    return out;
  }
  if (!observation) return out;
  const base = { type: ConditionType.SourceReady, observedGeneration: status.observedGeneration };
  const failure = observation.failure;
  const ready = failure
    ? { status: 'False' as const, reason: failure.reason, message: failure.message }
    : {
        status: 'True' as const,
        reason: ReconciliationReason.SourceResolved,
        message: `${source.revision || 'the default branch'} is at ${observation.commit ? shortCommit(observation.commit) : 'an unknown commit'}`,
      };
  if (!failure && !observation.commit) return out;
  out.conditions = setCondition(out.conditions, { ...base, ...ready }, now);
  return out;
}
