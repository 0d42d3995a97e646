/** A log line as the kubelet sends it with `timestamps=true`. */
export interface TimedLine {
  /** Nanoseconds since the epoch. */
  ts: bigint;
  /** The timestamp as sent (RFC 3339 with up to nanoseconds). */
  time: string;
  text: string;
}

/** Longest line kept; longer ones are cut (see docs/adr/0004-log-store.md). */
export const MAX_LINE_BYTES = 64 * 1024;
const CUT_MARK = ' … [line cut at 64 KiB]';

/**
 * Splits a stream of text into lines across chunk boundaries (a line ends with "\n"). A line is kept
 * to at most `maxChars` characters (the rest of it is dropped as it arrives), so one endless line
 * cannot grow without bound; a kept line longer than MAX_LINE_BYTES is cut and marked by clipLine.
 */
export class LineSplitter {
  private rest = '';

  /** The default leaves room for the kubelet's timestamp before a line of MAX_LINE_BYTES. */
  constructor(private readonly maxChars = MAX_LINE_BYTES + 64) {}

  /** The complete lines in `chunk` plus what was left over before it. */
  push(chunk: string): string[] {
    const out: string[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf('\n', start);
      this.keep(chunk, start, nl === -1 ? chunk.length : nl);
      if (nl === -1) return out;
      out.push(this.rest);
      this.rest = '';
      start = nl + 1;
    }
  }

  private keep(chunk: string, from: number, to: number): void {
    const room = this.maxChars - this.rest.length;
    if (room > 0 && to > from) this.rest += chunk.slice(from, Math.min(to, from + room));
  }

  /** The unterminated last line, if any (at the end of the stream). */
  flush(): string | undefined {
    const rest = this.rest;
    this.rest = '';
    return rest === '' ? undefined : rest;
  }
}

/** Nanoseconds since the epoch of an RFC 3339 time with an optional fraction; undefined when it is not one. */
export function timestampNs(time: string): bigint | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (!m) return undefined;
  const seconds = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(seconds)) return undefined;
  return BigInt(seconds) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

/** Splits "<RFC 3339 time> <text>" into its parts; a line without a timestamp keeps ts 0. */
export function parseTimestamped(raw: string): TimedLine {
  const space = raw.indexOf(' ');
  const time = space > 0 ? raw.slice(0, space) : raw;
  const ts = timestampNs(time);
  if (ts === undefined) return { ts: 0n, time: '', text: clipLine(raw) };
  return { ts, time, text: clipLine(space > 0 ? raw.slice(space + 1) : '') };
}

/** Cuts a line longer than MAX_LINE_BYTES (measured in UTF-16 units as an upper bound of work). */
export function clipLine(text: string): string {
  if (text.length <= MAX_LINE_BYTES && Buffer.byteLength(text) <= MAX_LINE_BYTES) return text;
  let cut = text.slice(0, MAX_LINE_BYTES);
  while (Buffer.byteLength(cut) > MAX_LINE_BYTES - CUT_MARK.length * 3) cut = cut.slice(0, Math.floor(cut.length * 0.9));
  return cut + CUT_MARK;
}

/**
 * Drops the lines a resumed stream repeats. A follow stream that ends early is reopened with
 * `sinceTime`, which the API server passes on with whole seconds, so the new stream repeats lines
 * from that second: lines older than the last one kept are dropped, and of the lines with exactly
 * its timestamp as many as were already kept.
 */
export class ResumeFilter {
  private last: TimedLine | undefined;
  /** Lines kept with the last timestamp. */
  private atLast = 0;
  /** Of those, how many the current stream has repeated so far. */
  private repeated = 0;
  /** The current stream is a resumed one (it started from `sinceTime()` after lines were kept). */
  private resumed = false;

  /** Call when a new stream starts (from `sinceTime()`). */
  restart(): void {
    this.repeated = 0;
    this.resumed = this.last !== undefined;
  }

  /**
   * Whether the line is new; updates the position when it is. The first stream repeats nothing, so
   * all its lines are new: stdout and stderr lines are stamped apart by the runtime, so a line may
   * carry an earlier time than the one before it, and it is kept (the position stays at the latest).
   */
  accept(line: TimedLine): boolean {
    if (line.ts === 0n) return true; // no timestamp: cannot be deduplicated, keep it
    const last = this.last;
    if (last && line.ts < last.ts) return !this.resumed;
    if (last && line.ts === last.ts) {
      if (this.repeated < this.atLast) {
        this.repeated++;
        return false;
      }
      this.atLast++;
      this.repeated++;
      return true;
    }
    this.last = line;
    this.atLast = 1;
    this.repeated = 1;
    return true;
  }

  /** The `sinceTime` to resume from: the last kept line's time, or undefined for the start. */
  sinceTime(): string | undefined {
    return this.last?.time;
  }
}
