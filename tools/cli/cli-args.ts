// Argument parsing of the command line: every option a command does not know, a missing value, a
// value that is not a port, or an argument too many is a usage error naming it (with the closest
// known option for a typo), never silently ignored.
import { parseArgs as nodeParseArgs } from 'node:util';

/** A wrong command line: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * The options of one command: `value` options take an argument (`--port 80`, `--port=80`), the rest
 * are flags; `short` is a one-letter alias (`-n team-a`).
 */
export type OptionSpec = Record<string, { value: boolean; short?: string }>;

/** What a command accepts besides its options: how many positional arguments, named for messages. */
export interface PositionalSpec {
  min: number;
  max: number;
  /** For messages, e.g. `<dir> [name]`. */
  names: string;
}

/** Parsed arguments: option values (`true` for a flag given) and positional arguments in order. */
export interface ParsedArgs {
  options: Record<string, string | true | undefined>;
  positionals: string[];
}

/** Edit distance counting insertions, deletions, substitutions and swaps of neighbours, for "did you mean". */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => d[i]?.[j] ?? Infinity;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i]![j] = best;
    }
  }
  return at(a.length, b.length);
}

/** The known name closest to `name` when it is close enough to be a typo of it. */
export function closest(name: string, known: readonly string[]): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const k of known) {
    const d = editDistance(name, k);
    if (!best || d < best.d) best = { name: k, d };
  }
  return best && best.d <= Math.max(1, Math.floor(best.name.length / 3)) ? best.name : undefined;
}

/** Parses `args` of `command` strictly against its options and positional arguments. */
export function parseCommandArgs(command: string, args: readonly string[], options: OptionSpec, positionals: PositionalSpec): ParsedArgs {
  const known = Object.keys(options);
  for (const arg of args) {
    if (arg === '--') break;
    if (!arg.startsWith('-') || arg === '-') continue;
    const name = arg.replace(/^--?/, '').replace(/=.*$/, '');
    if (arg.startsWith('--') && known.includes(name)) continue;
    // `-n`, or a short option with its value attached (`-nteam-a`).
    if (!arg.startsWith('--') && Object.values(options).some((o) => o.short === arg[1] && (arg.length === 2 || o.value))) continue;
    const guess = closest(name, known);
    const accepted = known.length
      ? `; ${command} accepts ${Object.entries(options)
          .map(([k, o]) => (o.short ? `-${o.short}/--${k}` : `--${k}`))
          .join(', ')}`
      : `; ${command} takes no options`;
    throw new UsageError(`unknown option ${arg.replace(/=.*$/, '')} for ${command}${guess ? ` (did you mean --${guess}?)` : accepted}`);
  }
  let parsed: ReturnType<typeof nodeParseArgs>;
  try {
    parsed = nodeParseArgs({
      args: [...args],
      options: Object.fromEntries(
        Object.entries(options).map(([k, o]) => [k, { type: o.value ? 'string' : 'boolean', ...(o.short ? { short: o.short } : {}) }]),
      ),
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    // Node's message names the option ("Option '--port <value>' argument missing").
    throw new UsageError(`${command}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const { positionals: given } = parsed;
  if (given.length < positionals.min || given.length > positionals.max) {
    const want = positionals.max === 0 ? 'no arguments' : positionals.names;
    const extra = given.length > positionals.max ? `unexpected argument "${given[positionals.max] ?? ''}"` : 'missing argument';
    throw new UsageError(`${command}: ${extra} (it takes ${want})`);
  }
  return { options: parsed.values as ParsedArgs['options'], positionals: given };
}

/** A port number option: an integer from 1 to 65535. */
export function portOption(parsed: ParsedArgs, name: string, fallback: number): number {
  const raw = parsed.options[name];
  if (raw === undefined) return fallback;
  const port = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(port >= 1 && port <= 65535)) throw new UsageError(`--${name} must be a port number (1-65535), not "${String(raw)}"`);
  return port;
}

/** A string option's value, or the fallback. */
export function stringOption(parsed: ParsedArgs, name: string, fallback: string): string {
  const raw = parsed.options[name];
  return typeof raw === 'string' ? raw : fallback;
}
