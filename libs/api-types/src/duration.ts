// Durations in spec fields (pollInterval, driftDetection.interval): Go's time.ParseDuration form
// restricted to hours, minutes and seconds ("90s", "5m", "1h30m"), or "0" for off. The CRD checks
// them with CEL's duration(); this is the same reading for the operator, REST API and dashboard.

/** h, m and s parts in that order, each present or not: "1h", "5m", "1h30m", "45s". */
export const DURATION_PATTERN = String.raw`^([0-9]{1,6}h)?([0-9]{1,6}m)?([0-9]{1,6}s)?$`;

/**
 * Milliseconds of a duration string, or undefined when it is not one ("" and "0s" are 0 only as "0";
 * "" is not a duration).
 */
export function parseDuration(value: string): number | undefined {
  if (value === '0') return 0;
  if (value === '' || !new RegExp(DURATION_PATTERN, 'u').test(value)) return undefined;
  const part = (unit: string) => Number(new RegExp(`([0-9]+)${unit}`, 'u').exec(value)?.[1] ?? 0);
  return ((part('h') * 60 + part('m')) * 60 + part('s')) * 1000;
}

/** A duration for people: "5m", "1h30m", "45s" (whole seconds; "0" for zero). */
export function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  if (total <= 0) return '0';
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}
