// When a source is polled next: the interval plus a small jitter after a good poll, exponential
// backoff after failures, and a spread of the first polls after the operator starts leading.

/** The first retry after a failed poll. */
export const FIRST_BACKOFF_MS = 10_000;
/** The longest wait between retries of a failing source, whatever its interval. */
export const MAX_BACKOFF_MS = 10 * 60_000;
/** Jitter added to an interval: at most this share of it... */
const JITTER_SHARE = 0.1;
/** ...and at most this long. */
const MAX_JITTER_MS = 30_000;
/** The first polls after this replica starts leading spread over at most this long. */
export const STARTUP_SPREAD_MS = 30_000;

/**
 * The wait after a good poll: the interval plus up to 10% of it (at most 30 s), never less, so a
 * source is never polled more than once per interval while keys drift apart instead of firing together.
 */
export function nextAfterSuccess(intervalMs: number, random: number): number {
  return intervalMs + Math.floor(Math.min(intervalMs * JITTER_SHARE, MAX_JITTER_MS) * random);
}

/**
 * The wait after the `failures`-th failure in a row (1 for the first): 10 s doubling, capped at the
 * interval (a short interval retries no more often than it polls) and at 10 minutes; never under 10 s.
 */
export function backoffAfterFailure(failures: number, intervalMs: number): number {
  const cap = Math.max(FIRST_BACKOFF_MS, Math.min(intervalMs, MAX_BACKOFF_MS));
  const exp = FIRST_BACKOFF_MS * 2 ** Math.min(Math.max(failures - 1, 0), 20);
  return Math.min(exp, cap);
}

/**
 * The first poll of a source: soon (within a second) once the operator is running, spread over
 * min(interval, 30 s) while the operator has just started leading (`sinceLeadingMs` < 30 s), so a
 * restart with 1,000 sources does not fire 1,000 ls-remotes at once.
 */
export function firstPollDelay(intervalMs: number, sinceLeadingMs: number, random: number): number {
  if (sinceLeadingMs >= STARTUP_SPREAD_MS) return Math.floor(1000 * random);
  const window = Math.min(intervalMs > 0 ? intervalMs : STARTUP_SPREAD_MS, STARTUP_SPREAD_MS);
  return Math.floor(window * random);
}
