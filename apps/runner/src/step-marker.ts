/**
 * The log line that begins a step of a run (`==> tofu init @ 2026-11-30T15:10:26.123Z`): the time
 * at its end lets the dashboard show how long each step took (the stored log keeps no other times).
 */

/** `==> <what> @ <ISO time>`. */
export function stepMarker(what: string, now: Date = new Date()): string {
  return `==> ${what} @ ${now.toISOString()}`;
}
