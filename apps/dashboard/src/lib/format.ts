/** Display helpers: ages, durations, phases. Pure, for lists and the execution page. */
import type { Phase, TofuExecution } from '@tofu-operator/api-types';

/** "5s", "3m", "2h", "4d": kubectl's AGE column, from an RFC 3339 timestamp. */
export function age(from: string | undefined, now: number = Date.now()): string {
  if (!from) return '—';
  const s = Math.max(0, Math.floor((now - Date.parse(from)) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

/** "850ms", "42s", "3m 05s", "1h 02m". */
export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** The phases in display order ("Unknown" for objects without status yet). */
export const PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'] as const;
export type DisplayPhase = (typeof PHASES)[number];

export function displayPhase(phase: Phase | undefined): DisplayPhase {
  return phase ?? 'Unknown';
}

/** Counts objects by phase (every phase present, zero when none). */
export function countByPhase(items: readonly { status?: { phase?: Phase } }[]): Record<DisplayPhase, number> {
  const counts = { Pending: 0, Running: 0, Succeeded: 0, Failed: 0, Unknown: 0 };
  for (const i of items) counts[displayPhase(i.status?.phase)]++;
  return counts;
}

/** When an execution was queued: the operator's millisecond annotation, else creationTimestamp. */
export function queuedAt(e: TofuExecution): string | undefined {
  return e.metadata.annotations?.['tofu-operator.io/created-at'] ?? e.metadata.creationTimestamp;
}

/** Failed executions, most recently finished first. */
export function recentFailures(executions: readonly TofuExecution[], limit = 5): TofuExecution[] {
  return executions
    .filter((e) => e.status?.phase === 'Failed')
    .sort((a, b) => (b.status?.completionTime ?? queuedAt(b) ?? '').localeCompare(a.status?.completionTime ?? queuedAt(a) ?? ''))
    .slice(0, limit);
}

/** The executions of a module (not those of its stacks) or of a stack, newest first. */
export function executionsOf(executions: readonly TofuExecution[], kind: 'modules' | 'stacks', name: string): TofuExecution[] {
  return executions
    .filter((e) => (kind === 'stacks' ? e.spec.stackRef?.name === name : e.spec.moduleRef?.name === name && !e.spec.stackRef))
    .sort((a, b) => (queuedAt(b) ?? '').localeCompare(queuedAt(a) ?? ''));
}

/** Case-insensitive search over the name and a few displayed fields. */
export function matches(haystack: readonly (string | undefined)[], query: string): boolean {
  const q = query.trim().toLowerCase();
  if (q === '') return true;
  return haystack.some((h) => h?.toLowerCase().includes(q));
}
