import type { ObjectMeta } from '@tofu-operator/api-types';
import type { ContainerState, ContainerStatus, Job, KubeObject, Pod, PodCondition } from '@tofu-operator/reconcile-runtime';
import { StringInterner } from './string-interner.js';

// What the informer caches keep of each object (Informer's `transform`, like controller-runtime's
// cache TransformFunc): memory per cached object follows what the operator reads, not what the API
// server sends. Every kind loses metadata.managedFields (server-side apply bookkeeping, often the
// largest part of an object's metadata; no reader uses it, and an update that omits it keeps it).
// Our three kinds keep everything else: the REST API serves them from the cache. Runner Jobs and
// Pods are never served whole (the API and the dashboard show the execution's status), so they keep
// only the fields below, each with who reads it. A reader of a new field adds it here first.

/** metadata.managedFields, which ObjectMeta does not declare but the API server sends. */
type WithManagedFields = ObjectMeta & { managedFields?: unknown };

/** The object without metadata.managedFields (a copy; the input is not changed). */
export function withoutManagedFields<T extends KubeObject>(obj: T): T {
  const meta: WithManagedFields | undefined = obj.metadata;
  if (!meta || !('managedFields' in meta)) return obj;
  const { managedFields: _dropped, ...rest } = meta;
  return { ...obj, metadata: rest };
}

/** The fields of `from` named in `keys` that are set (no keys with undefined values). */
function pick<T extends object, K extends keyof T>(from: T | undefined, keys: readonly K[]): Pick<T, K> | undefined {
  if (!from) return undefined;
  const out = {} as Pick<T, K>;
  for (const k of keys) if (from[k] !== undefined && from[k] !== null) out[k] = from[k];
  return out;
}

/**
 * A runner Job as the cache keeps it (jobForCache): metadata without labels, annotations or
 * finalizers; of the spec only activeDeadlineSeconds (no pod template); of the status only the
 * conditions and completionTime. With TOFU_OPERATOR_CACHE_TRANSFORM=false it is the whole Job.
 */
export type CachedJob = Omit<Job, 'spec'> & { spec?: Pick<NonNullable<Job['spec']>, 'activeDeadlineSeconds'> };

/** A runner Pod as the cache keeps it (podForCache): no spec; the status fields listed there. */
export type CachedPod = Omit<Pod, 'spec'>;

const JOB_META: readonly (keyof ObjectMeta)[] = [
  'name', // the key; runner-jobs (deletes), execution.reconciler (executionOf via the owner)
  'namespace', // the key; runner-jobs (deletes)
  'uid', // execution.reconciler's JOBS_BY_UID index (pod -> Job), the pods-of-a-Job lookups, delete preconditions
  'resourceVersion', // the informer (equality only)
  'deletionTimestamp', // execution.reconciler (a Job being deleted), runner-jobs.stopLeftover
  'ownerReferences', // the ownerUid index and controllerUid/controllerOf (which execution owns the Job)
];

/** The runner Job's fields the operator reads; see CachedJob. */
export function jobForCache(job: CachedJob): CachedJob {
  const out: CachedJob = { apiVersion: job.apiVersion, kind: job.kind, metadata: pick(job.metadata, JOB_META) };
  // execution-status (deriveRun): the limit named in a DeadlineExceeded message.
  const deadline = job.spec?.activeDeadlineSeconds;
  if (deadline !== undefined) out.spec = { activeDeadlineSeconds: deadline };
  if (job.status) {
    out.status = {};
    // finished.ts (a decided run: run-events, execution.reconciler, runner-jobs) and deriveRun (reason, message, time).
    if (job.status.conditions) out.status.conditions = job.status.conditions.map((c) => ({ ...c }));
    // deriveRun: a succeeded run's completionTime.
    if (job.status.completionTime) out.status.completionTime = job.status.completionTime;
  }
  return out;
}

const POD_META: readonly (keyof ObjectMeta)[] = [
  'name', // the key; log-hub/log-session (the pod whose log is read), deriveRun (status.podName)
  'namespace', // the key; log-hub (which sessions a pod change wakes)
  'resourceVersion', // the informer (equality only)
  'creationTimestamp', // runner-pod.newestPod (the newest of a Job's pods)
  'labels', // log-hub (the execution label: which log sessions a pod change wakes)
  'ownerReferences', // the ownerUid index (a Job's pods) and execution.reconciler (pod -> Job)
];

/** A container state with the fields runner-pod and deriveRun read (terminated.message: the runner's result). */
function state(s: ContainerState | undefined): ContainerState | undefined {
  if (!s) return undefined;
  const out: ContainerState = {};
  if (s.waiting) out.waiting = pick(s.waiting, ['reason', 'message']);
  if (s.running) out.running = pick(s.running, ['startedAt']);
  if (s.terminated)
    out.terminated = { exitCode: s.terminated.exitCode, ...pick(s.terminated, ['reason', 'message', 'startedAt', 'finishedAt']) };
  return out;
}

/** The runner Pod's fields the operator reads; see CachedPod. */
export function podForCache(pod: CachedPod): CachedPod {
  const out: CachedPod = { apiVersion: pod.apiVersion, kind: pod.kind, metadata: pick(pod.metadata, POD_META) };
  const s = pod.status;
  if (!s) return out;
  out.status = {};
  // runner-pod.podFinished (log sessions, run events).
  if (s.phase) out.status.phase = s.phase;
  // deriveRun: the run's start when the container reports none.
  if (s.startTime) out.status.startTime = s.startTime;
  // deriveRun (Unschedulable: the PodScheduled condition's reason and message).
  if (s.conditions) out.status.conditions = s.conditions.map((c) => pick(c, ['type', 'status', 'reason', 'message']) as PodCondition);
  // runner-pod (the runner container by name: started, terminated) and deriveRun (waiting reasons,
  // exit code, OOMKilled, the runner's result in terminated.message; lastState after a restart).
  if (s.containerStatuses)
    out.status.containerStatuses = s.containerStatuses.map((c): ContainerStatus => {
      const kept: ContainerStatus = { name: c.name };
      const now = state(c.state);
      const last = state(c.lastState);
      // The API server sends lastState: {} until a container restarts.
      if (now && Object.keys(now).length > 0) kept.state = now;
      if (last && Object.keys(last).length > 0) kept.lastState = last;
      return kept;
    });
  return out;
}

/**
 * The transforms of the ClusterCache's informers; none when `enabled` is false
 * (TOFU_OPERATOR_CACHE_TRANSFORM). Every kept object also shares its strings with the others through
 * one StringInterner (string-interner.ts).
 */
export function cacheTransforms(enabled: boolean): {
  /** Our kinds and the metadata-only informers: everything but managedFields. */
  whole: (<T extends KubeObject>(obj: T) => T) | undefined;
  job: ((job: CachedJob) => CachedJob) | undefined;
  pod: ((pod: CachedPod) => CachedPod) | undefined;
} {
  if (!enabled) return { whole: undefined, job: undefined, pod: undefined };
  const interner = new StringInterner();
  return {
    whole: (obj) => interner.deep(withoutManagedFields(obj)),
    job: (job) => interner.deep(jobForCache(job)),
    pod: (pod) => interner.deep(podForCache(pod)),
  };
}
