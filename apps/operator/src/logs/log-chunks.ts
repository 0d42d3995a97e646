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
