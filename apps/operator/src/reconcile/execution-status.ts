import {
  ConditionType,
  parseRunnerResult,
  Reason,
  ReconciliationReason,
  type ApplySummary,
  type ExecutionQueueStatus,
  type Phase,
  type PlanRecord,
  type ReasonName,
  type RunnerResult,
  type TofuExecution,
  type TofuExecutionStatus,
} from '@tofu-operator/api-types';
import { setCondition, type Pod } from '@tofu-operator/reconcile-runtime';
import { isTerminalPhase } from '../execution/finished.js';
import { newestPod, runnerStatus } from '../execution/runner-pod.js';
import { planAwaitingCondition } from './approval.js';
import { IMAGE_PULLING, imagePullFailsNow } from './image-pull.js';
import type { CachedJob } from '../kube/cache-transforms.js';

/** What the execution reconciler observed about the run. */
export interface RunObservation {
  /** The execution's Job, if it exists (as the cache keeps it). */
  job?: CachedJob;
  /** The Job existed (status.jobName was set) and the API server says it is gone. */
  jobGone?: boolean;
  /** Pods of the Job. */
  pods: Pod[];
  now: Date;
}

/** A run's reasons: those of the run itself, and the run queue's (waiting for a slot; superseded while waiting). */
export type RunReason = ReasonName | typeof ReconciliationReason.Queued | typeof ReconciliationReason.Superseded;

/** The derived state, before it is merged into the execution's status. */
export interface DerivedRun {
  phase: Phase;
  reason: RunReason;
  message: string;
  failureCategory?: string;
  podName?: string;
  startTime?: string;
  completionTime?: string;
  summary?: TofuExecutionStatus['summary'];
  /** A stored plan: what an approval names (status.plan). */
  plan?: PlanRecord;
  /** What an apply or destroy changed (status.apply). */
  apply?: ApplySummary;
  /** The run waits for a free slot (status.queue; condition Queued True). */
  queue?: ExecutionQueueStatus;
  /** The commit the runner checked out, as its result reported it (status.commit), success or failure. */
  commit?: string;
}

/** status.plan from a successful plan's result: only a stored plan (with a digest) has one. */
export function planRecordOf(result: RunnerResult | undefined): PlanRecord | undefined {
  if (!result?.planDigest) return undefined;
  const record: PlanRecord = { digest: result.planDigest, hasChanges: result.summary?.hasChanges ?? false };
  if (result.commit) record.commit = result.commit;
  for (const k of ['add', 'change', 'destroy'] as const) if (result.summary?.[k] !== undefined) record[k] = result.summary[k];
  return record;
}

function trueCondition(job: CachedJob, type: string) {
  return job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
}

/** Trims a message to fit a status field and an event. */
export function trimMessage(text: string, max = 4000): string {
  const t = text.trim();
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
}

/**
 * Translates the Job and its Pod into the execution's phase, reason and message. Pure.
 * Order matters: a final Job condition wins over pod details, and a runner's own result (from the
 * termination message) explains a failure better than the exit code.
 */
export function deriveRun(obs: RunObservation): DerivedRun {
  const { job, pods } = obs;
  if (!job) {
    if (obs.jobGone) {
      return {
        phase: 'Failed',
        reason: Reason.JobDeleted,
        message: 'the Job was deleted before the run finished; it is not re-run automatically (request a new plan)',
        failureCategory: Reason.JobDeleted,
        completionTime: iso(obs.now),
      };
    }
    return { phase: 'Pending', reason: Reason.Pending, message: 'creating the Job' };
  }
  const pod = newestPod(pods);
  const podName = pod?.metadata?.name;
  const container = runnerStatus(pod);
  const terminated = container?.state?.terminated ?? container?.lastState?.terminated;
  const result = parseRunnerResult(terminated?.message);
  const startTime = container?.state?.running?.startedAt ?? terminated?.startedAt ?? pod?.status?.startTime;
  const base = { podName, startTime, ...(result?.commit ? { commit: result.commit } : {}) };

  const complete = trueCondition(job, 'Complete');
  if (complete) {
    const summary = result?.summary;
    const plan = planRecordOf(result);
    return {
      ...base,
      phase: 'Succeeded',
      reason: Reason.Succeeded,
      message: result?.apply?.text ?? summary?.text ?? 'the plan finished',
      summary,
      ...(plan ? { plan } : {}),
      ...(result?.apply ? { apply: result.apply } : {}),
      completionTime: job.status?.completionTime ?? complete.lastTransitionTime ?? iso(obs.now),
    };
  }

  const failed = trueCondition(job, 'Failed') ?? trueCondition(job, 'FailureTarget');
  if (failed) {
    const completionTime = failed.lastTransitionTime ?? terminated?.finishedAt ?? iso(obs.now);
    const fail = (reason: ReasonName, message: string, category: string = reason): DerivedRun => ({
      ...base,
      phase: 'Failed',
      reason,
      message: trimMessage(message),
      failureCategory: category,
      completionTime,
    });
    if (terminated?.reason === 'OOMKilled') {
      return fail(
        Reason.OOMKilled,
        'the runner container was killed for exceeding its memory limit (OOMKilled); raise executionTemplate.resources.limits.memory',
      );
    }
    if (failed.reason === 'DeadlineExceeded') {
      const limit = job.spec?.activeDeadlineSeconds;
      const unscheduled = unschedulableMessage(pod);
      if (unscheduled)
        return fail(Reason.Unschedulable, `the runner pod was never scheduled before the deadline (${limit}s): ${unscheduled}`);
      return fail(Reason.DeadlineExceeded, `the run exceeded activeDeadlineSeconds (${limit}s) and was stopped`);
    }
    if (result && !result.ok) {
      return fail(Reason.RunnerFailed, result.message ?? 'the runner failed', result.category ?? Reason.RunnerFailed);
    }
    if (terminated) {
      return fail(
        Reason.JobFailed,
        `the runner exited with code ${terminated.exitCode}${terminated.reason ? ` (${terminated.reason})` : ''}${terminated.message ? `: ${terminated.message}` : ''}`,
      );
    }
    return fail(Reason.JobFailed, `the Job failed: ${failed.reason ?? ''} ${failed.message ?? ''}`.trim());
  }

  const waiting = container?.state?.waiting;
  if (waiting?.reason && imagePullFailsNow(waiting.reason, waiting.message)) {
    return {
      ...base,
      phase: 'Failed',
      reason: Reason.ImagePullFailed,
      message: trimMessage(`the runner image cannot be used (${waiting.reason}): ${waiting.message ?? ''}`),
      failureCategory: Reason.ImagePullFailed,
      completionTime: iso(obs.now),
    };
  }
  if (container?.state?.running || (terminated && !failed)) {
    return { ...base, phase: 'Running', reason: Reason.Running, message: 'tofu is running' };
  }
  const unscheduled = unschedulableMessage(pod);
  if (unscheduled)
    return {
      ...base,
      phase: 'Pending',
      reason: Reason.Unschedulable,
      message: trimMessage(`the runner pod cannot be scheduled: ${unscheduled}`),
    };
  if (waiting?.reason && IMAGE_PULLING.has(waiting.reason)) {
    return {
      ...base,
      phase: 'Pending',
      reason: Reason.ImagePullRetrying,
      message: trimMessage(
        `pulling the runner image failed (${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}); the kubelet retries until the run's deadline`,
      ),
    };
  }
  if (waiting?.reason && waiting.reason !== 'ContainerCreating') {
    return {
      ...base,
      phase: 'Pending',
      reason: Reason.Pending,
      message: trimMessage(`the runner container is waiting: ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`),
    };
  }
  if (!pod)
    return { ...base, phase: 'Pending', reason: Reason.Pending, message: 'waiting for the Job controller to create the runner pod' };
  return { ...base, phase: 'Pending', reason: Reason.Pending, message: 'the runner pod is starting' };
}

function unschedulableMessage(pod: Pod | undefined): string | undefined {
  const c = pod?.status?.conditions?.find((x) => x.type === 'PodScheduled' && x.status === 'False' && x.reason === 'Unschedulable');
  return c ? (c.message ?? 'Unschedulable') : undefined;
}

function iso(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A run refused for its spec: final (an execution's spec is immutable), reason InvalidSpec. */
export function invalidSpecRun(message: string, now: Date): DerivedRun {
  return { phase: 'Failed', reason: Reason.InvalidSpec, message, failureCategory: Reason.InvalidSpec, completionTime: now.toISOString() };
}

/** Merges a derived run into the execution's status, with conditions per the API conventions. */
export function executionStatusFor(execution: TofuExecution, jobName: string | undefined, run: DerivedRun, now: Date): TofuExecutionStatus {
  const prev = execution.status ?? {};
  const terminal = isTerminalPhase(run.phase);
  let conditions = setCondition(
    prev.conditions,
    {
      type: ConditionType.Ready,
      status: run.phase === 'Succeeded' ? 'True' : run.phase === 'Failed' ? 'False' : 'Unknown',
      reason: run.reason,
      message: run.message,
      observedGeneration: execution.metadata.generation,
    },
    now,
  );
  conditions = setCondition(
    conditions,
    {
      type: ConditionType.Reconciling,
      status: terminal ? 'False' : 'True',
      reason: run.reason,
      message: terminal ? 'the run has finished' : run.message,
      observedGeneration: execution.metadata.generation,
    },
    now,
  );
  const status: TofuExecutionStatus = {
    ...prev,
    observedGeneration: execution.metadata.generation,
    phase: run.phase,
    conditions,
    message: run.message,
  };
  if (jobName) status.jobName = jobName;
  if (run.podName) status.podName = run.podName;
  if (run.startTime) status.startTime = run.startTime;
  if (run.completionTime) status.completionTime = run.completionTime;
  if (run.summary) status.summary = run.summary;
  if (run.plan) status.plan = run.plan;
  if (run.commit) status.commit = run.commit;
  // A finished plan says itself whether it waits for approval (kubectl get's Awaiting Approval column).
  const awaiting = status.plan && planAwaitingCondition({ ...execution, status });
  if (awaiting) status.conditions = setCondition(status.conditions, awaiting, now);
  if (run.apply) status.apply = run.apply;
  if (run.failureCategory) status.failureCategory = run.failureCategory;
  else delete status.failureCategory;
  return withQueue(status, run, execution.metadata.generation, now);
}

/**
 * status.queue and the Queued condition: True with the place while the run waits; once it leaves
 * the queue (it got a slot, or ended), status.queue goes and Queued turns False with the run's reason.
 * A run that never waited has no Queued condition.
 */
function withQueue(status: TofuExecutionStatus, run: DerivedRun, generation: number | undefined, now: Date): TofuExecutionStatus {
  const was = status.conditions?.find((c) => c.type === ConditionType.Queued);
  if (run.queue) {
    status.queue = run.queue;
    const queued = { type: ConditionType.Queued, status: 'True' as const, reason: ReconciliationReason.Queued, message: run.message };
    status.conditions = setCondition(status.conditions, { ...queued, observedGeneration: generation }, now);
    return status;
  }
  delete status.queue;
  if (was?.status === 'True') {
    const message = `left the queue: ${run.message}`;
    status.conditions = setCondition(
      status.conditions,
      { type: ConditionType.Queued, status: 'False', reason: run.reason, message, observedGeneration: generation },
      now,
    );
  }
  return status;
}
