// The operator's JSON log lines (pino) made readable for a terminal: one line each with the time, the
// level, the message and what the line is about (kind, namespace, name, execution), plus the error's
// message on an error. Lines that are not pino JSON pass through unchanged.

/** Pino's numeric levels. */
const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** ANSI colours of the levels on a terminal. */
const COLOURS: Record<string, string> = { TRACE: '90', DEBUG: '90', INFO: '32', WARN: '33', ERROR: '31', FATAL: '35' };
/** The fields that say what a line is about, in this order. */
const SUBJECT = ['kind', 'namespace', 'name', 'execution'] as const;

/** How to print: colours (a terminal without NO_COLOR), and the clock (local time unless told). */
export interface LogFormatOptions {
  colour?: boolean;
  /** Formats a pino `time` (ms since the epoch); default: local HH:MM:SS.mmm. */
  clock?: (ms: number) => string;
}

/** Local time of day with milliseconds, as kubectl logs users read it. */
export function localClock(ms: number): string {
  const t = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(t.getHours())}:${two(t.getMinutes())}:${two(t.getSeconds())}.${String(t.getMilliseconds()).padStart(3, '0')}`;
}

/** A value as it appears after `key=`: quoted when it has spaces or quotes. */
function value(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return /[\s"=]/.test(s) || s === '' ? JSON.stringify(s) : s;
}

/** The keys of a JSON object's top level, in order, duplicates included (JSON.parse keeps the last). */
export function topLevelKeys(json: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if (c === '"') {
      let j = i + 1;
      while (j < json.length && json[j] !== '"') j += json[j] === '\\' ? 2 : 1;
      if (depth === 1 && /^\s*:/.test(json.slice(j + 1, j + 8))) keys.push(JSON.parse(json.slice(i, j + 1)) as string);
      i = j;
    }
  }
  return keys;
}

/**
 * Whether the line's `name` is the object it is about. Pino writes the logger's name with its base
 * fields (after level, time, pid, hostname); a child binding's `name` (a reconcile's object) comes
 * later, after its kind and namespace, and is the one JSON.parse keeps.
 */
function subjectNamed(text: string): boolean {
  const keys = topLevelKeys(text);
  const last = keys.lastIndexOf('name');
  return last > 0 && !['level', 'time', 'pid', 'hostname'].includes(keys[last - 1] ?? '');
}

/** One pino JSON line, readable; any other line as it is. */
export function formatLogLine(line: string, options: LogFormatOptions = {}): string {
  const text = line.trim();
  if (!text.startsWith('{')) return line;
  let rec: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return line;
    rec = parsed as Record<string, unknown>;
  } catch {
    return line;
  }
  if (typeof rec['level'] !== 'number' || typeof rec['time'] !== 'number') return line;
  const level = LEVELS[rec['level']] ?? `L${rec['level']}`;
  const shownLevel = options.colour ? `\u001b[${COLOURS[level] ?? '0'}m${level.padEnd(5)}\u001b[0m` : level.padEnd(5);
  const parts = [(options.clock ?? localClock)(rec['time']), shownLevel];
  if (typeof rec['msg'] === 'string' && rec['msg']) parts.push(rec['msg']);
  const objectName = subjectNamed(text);
  for (const key of SUBJECT) {
    if (key === 'name' && !objectName) continue;
    if (rec[key] !== undefined && rec[key] !== null) parts.push(`${key}=${value(rec[key])}`);
  }
  const err = rec['err'];
  if (err && typeof err === 'object' && typeof (err as { message?: unknown }).message === 'string') {
    parts.push(`err=${value((err as { message: string }).message)}`);
  }
  return parts.join(' ');
}
