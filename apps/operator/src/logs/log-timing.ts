// How a log session paces its reads of the runner pod, and the sleep the cache's events cut short.

/** How long a session waits before looking at the cache again when no event woke it. */
export const POLL_MS = 1000;
/** Pause before reopening a log stream that ended early or failed. */
export const RESUME_MS = 500;
/**
 * A follow stream that ends without an error mostly means the runner exited, and the cache learns it
 * a moment later. Waiting this long (woken by the cache) for it makes the next read the final one,
 * instead of follow reads that end at once, one per RESUME_MS until the cache catches up. A stream
 * cut for another reason resumes after this wait (the lines are not lost, only late).
 */
export const END_WAIT_MS = 3000;
/**
 * How long lines read from the pod are collected before they go to the viewers. The API server
 * passes a fast log on in pieces of a few lines; one message per piece costs a write per viewer
 * each (and a parse and a render in each browser). Collected for this long, a fast log goes out in
 * messages of hundreds of lines; a slow one is late by at most this much.
 */
export const LINE_BATCH_MS = 20;
/** Collected lines go out at once when they reach this size, so a fast log never piles up between timer ticks. */
export const MAX_PENDING_BYTES = 256 * 1024;

/** A sleep that `wake` ends early (the session's cache events: the pod or execution changed). */
export class Sleeper {
  private wakeUp: (() => void) | undefined;

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  wake(): void {
    this.wakeUp?.();
  }
}
