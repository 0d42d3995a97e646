import type { LogLinesEvent } from './socket.js';

/**
 * Appends a log event to the lines a client holds, by sequence number: lines it already has are
 * dropped, so a reconnect or an overlapping catch-up never duplicates a line. Returns the same array
 * when nothing is new. A gap (event starting after the end) is reported, not papered over.
 */
export function appendLogLines(held: readonly string[], e: Pick<LogLinesEvent, 'seq' | 'lines'>): { lines: string[]; gap: boolean } {
  const end = e.seq + e.lines.length;
  if (end <= held.length) return { lines: held as string[], gap: false };
  if (e.seq > held.length) return { lines: held as string[], gap: true };
  return { lines: [...held, ...e.lines.slice(held.length - e.seq)], gap: false };
}
