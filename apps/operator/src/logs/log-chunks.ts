import { gunzipSync, gzipSync } from 'node:zlib';
import type { TofuLogChunk } from '@tofu-operator/api-types';

/** A chunk is sealed once its text reaches this size (docs/adr/0004-log-store.md). */
export const MAX_CHUNK_BYTES = 256 * 1024;

/** The name of chunk `index` of an execution's log. */
export function chunkName(executionName: string, index: number): string {
  return `${executionName}-log-${String(index).padStart(5, '0')}`;
}

/** Encodes lines as newline-terminated text, gzip, base64. */
export function encodeLines(lines: readonly string[]): { data: string; bytes: number } {
  const text = lines.length ? lines.join('\n') + '\n' : '';
  const raw = Buffer.from(text, 'utf8');
  return { data: gzipSync(raw).toString('base64'), bytes: raw.length };
}

/** The lines of an encoded chunk. */
export function decodeLines(data: string): string[] {
  const text = gunzipSync(Buffer.from(data, 'base64')).toString('utf8');
  if (text === '') return [];
  return text.replace(/\n$/, '').split('\n');
}

/** Size a line adds to a chunk's text. */
export const lineBytes = (line: string): number => Buffer.byteLength(line) + 1;

/** What a set of stored chunks says about a log. */
export interface StoredLog {
  lines: string[];
  /** The log is complete (its final chunk is stored). */
  final: boolean;
  /** Why lines are missing, when they are. */
  incomplete?: string;
}

/**
 * Assembles the stored log of one execution (by uid) from its chunks, in order. Stops at a gap (a
 * chunk not written yet), so the result is always a prefix of the log with true sequence numbers.
 */
export function assembleChunks(chunks: readonly TofuLogChunk[], executionUid: string): StoredLog {
  const mine = chunks.filter((c) => c.spec.executionUid === executionUid).sort((a, b) => a.spec.index - b.spec.index);
  const lines: string[] = [];
  for (const [i, c] of mine.entries()) {
    if (c.spec.index !== i || c.spec.firstLine !== lines.length) return { lines, final: false };
    const part = decodeLines(c.spec.data);
    lines.push(...part.slice(0, c.spec.lineCount));
    if (c.spec.final) return { lines, final: true, ...(c.spec.incomplete ? { incomplete: c.spec.incomplete } : {}) };
  }
  return { lines, final: false };
}

/** Where a stored log continues: the next chunk to write, and the last stored chunk's lines when it is open. */
export interface StoredTail {
  /** The log is stored to its end: nothing more to write. */
  final: boolean;
  /** Index and first line of the next chunk after the stored prefix. */
  next: { index: number; firstLine: number };
  /** The last chunk of the stored prefix (its lines are compared with the pod's on resume). */
  last?: { index: number; firstLine: number; lines: string[] };
}

/** One stored chunk as the tail needs it (its text decoded only for the last one). */
export type ChunkSummary = Pick<TofuLogChunk['spec'], 'index' | 'firstLine' | 'lineCount' | 'final'> & { data?: string };

/**
 * The tail of a stored log from its chunks' summaries (one execution, any order): the prefix of
 * consecutive chunks, as assembleChunks reads it, without decoding more than its last chunk.
 */
export function tailOf(chunks: readonly ChunkSummary[]): StoredTail {
  const sorted = [...chunks].sort((a, b) => a.index - b.index);
  let next = { index: 0, firstLine: 0 };
  let last: ChunkSummary | undefined;
  for (const c of sorted) {
    if (c.index !== next.index || c.firstLine !== next.firstLine) break;
    last = c;
    next = { index: c.index + 1, firstLine: c.firstLine + c.lineCount };
    if (c.final) return { final: true, next };
  }
  if (!last) return { final: false, next };
  const lines = last.data === undefined ? [] : decodeLines(last.data).slice(0, last.lineCount);
  return { final: false, next, last: { index: last.index, firstLine: last.firstLine, lines } };
}

/** Bytes shown as "64 MiB" or "1.5 KiB" in markers and messages. */
export function formatBytes(n: number): string {
  for (const [unit, size] of [
    ['GiB', 2 ** 30],
    ['MiB', 2 ** 20],
    ['KiB', 2 ** 10],
  ] as const) {
    if (n >= size) return `${Number((n / size).toFixed(1))} ${unit}`;
  }
  return `${n} B`;
}

/** The line that ends a log cut at the per-run cap (stored, and served over REST and the socket). */
export function truncationMarker(maxBytes: number): string {
  return (
    `[tofu-operator] log truncated: only the first ${formatBytes(maxBytes)} of a run's log are kept (TOFU_OPERATOR_LOG_MAX_BYTES); ` +
    "the rest is only in the runner pod's own log while the pod exists (kubectl logs <pod> -c runner)"
  );
}

/** The line recorded where a new leader could not resume the stored log at the same lines. */
export function gapMarker(storedLines: number): string {
  return (
    `[tofu-operator] gap: after a leader change the runner pod's log no longer matched the ${storedLines} lines stored ` +
    "(the kubelet rotated the log file); lines from here on are from the pod's current log, lines may be missing or repeated"
  );
}

/** The line that ends a stored log when its namespace's log storage is full. */
export function namespaceFullMarker(namespace: string, why: string): string {
  return `[tofu-operator] log storage of namespace ${namespace} is full (${why}); the rest of this log was not stored`;
}

/**
 * The per-run cap on the log as the operator serves and stores it: lines are kept while their text
 * fits in `maxBytes`, then one truncation marker line ends the log.
 */
export class LogCap {
  private used = 0;
  /** The cap was reached: the marker was handed out and nothing more is kept. */
  reached = false;

  constructor(readonly maxBytes: number) {}

  /**
   * The lines to keep of `lines`: all of them while they fit, else those that fit and the marker.
   * Empty once the cap has been reached.
   */
  take(lines: readonly string[]): string[] {
    if (this.reached) return [];
    for (const [i, line] of lines.entries()) {
      const size = lineBytes(line);
      if (this.used + size > this.maxBytes) {
        this.reached = true;
        return [...lines.slice(0, i), truncationMarker(this.maxBytes)];
      }
      this.used += size;
    }
    return [...lines];
  }
}
