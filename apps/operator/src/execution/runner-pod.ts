import type { ContainerStatus, Pod } from '@tofu-operator/reconcile-runtime';

/** Name of the runner container in every runner pod. */
export const RUNNER_CONTAINER = 'runner';

/** The most recently created of a Job's pods. */
export function newestPod(pods: readonly Pod[]): Pod | undefined {
  return [...pods].sort((a, b) => (b.metadata?.creationTimestamp ?? '').localeCompare(a.metadata?.creationTimestamp ?? ''))[0];
}

/** The status of the runner container of a pod, once the kubelet reports it. */
export function runnerStatus(pod: Pod | undefined): ContainerStatus | undefined {
  return pod?.status?.containerStatuses?.find((c) => c.name === RUNNER_CONTAINER);
}

/** Whether the runner container of a pod has started (running or terminated): its log exists. */
export function runnerStarted(pod: Pod | undefined): boolean {
  const s = runnerStatus(pod)?.state;
  return Boolean(s?.running || s?.terminated);
}

/** Whether the pod has finished (its phase is Succeeded or Failed: every container has stopped for good). */
export function podFinished(pod: Pod | undefined): boolean {
  const phase = pod?.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** Whether the runner container of a pod has terminated (or the pod is finished): its log is complete. */
export function runnerTerminated(pod: Pod | undefined): boolean {
  return podFinished(pod) || Boolean(runnerStatus(pod)?.state?.terminated);
}
