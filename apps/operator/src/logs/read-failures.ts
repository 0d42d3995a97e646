import { KubeApiError } from '@tofu-operator/reconcile-runtime';

/**
 * How long reads of a runner pod the cache still has may keep failing (404, or any error on the final
 * read) before its log ends without the tail: a restarted kubelet refuses connections, then answers
 * 404 "pod does not exist" until it has synced its pods, while the pod and its log are still there.
 */
export const READ_FAILURE_GRACE_MS = 60_000;

/**
 * Failed reads of a runner pod's log in a row. A 404 or a failed final read ends the log only once
 * reads have failed for the whole grace; the pod leaving the cache ends it at once (the session's check).
 */
export class ReadFailures {
  private since: number | undefined;
  private ended: string | undefined;

  constructor(
    private readonly graceMs = READ_FAILURE_GRACE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** A read succeeded: the grace starts again at the next failure. */
  ok(): void {
    this.since = undefined;
  }

  /** Records a failed read (of the runner's final log when `finalRead`); answers whether the log ends here. */
  ends(err: unknown, finalRead: boolean): boolean {
    const notFound = err instanceof KubeApiError && err.code === 404;
    if (!notFound && !finalRead) return false; // a follow stream that broke off: resumed at once
    this.since ??= this.now();
    if (this.now() - this.since < this.graceMs) return false;
    const message = err instanceof Error ? err.message : String(err);
    this.ended = notFound ? 'the runner pod was removed before its log ended' : `the end of the runner's log could not be read: ${message}`;
    return true;
  }

  /** Why the log ended early (undefined unless `ends` answered true). */
  get why(): string | undefined {
    return this.ended;
  }
}
