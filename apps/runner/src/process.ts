import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';

/** Receives a child's output one line at a time (without the line break). */
export type LineSink = (line: string) => void;

export interface RunOptions {
  cwd?: string;
  /** The child's whole environment (nothing is inherited implicitly). */
  env: NodeJS.ProcessEnv;
  /** Called with every stdout line as it comes. */
  onStdout?: LineSink;
  /** Called with every stderr line as it comes. */
  onStderr?: LineSink;
  /** How much of stdout to keep in the result (the last bytes); default 1 MiB, Infinity for all. */
  stdoutLimit?: number;
  /** How much of stderr to keep in the result (the last bytes); default 1 MiB. */
  stderrLimit?: number;
  /** Stops the child with SIGTERM when aborted; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface RunResult {
  /** Exit code, or null when the child was killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const DEFAULT_LIMIT = 1024 * 1024;

/** Keeps the tail of a stream as text, and hands out complete lines as they arrive. */
class Collector {
  private readonly decoder = new StringDecoder('utf8');
  private kept = '';
  private partial = '';

  constructor(
    private readonly limit: number,
    private readonly sink: LineSink | undefined,
  ) {}

  push(chunk: Buffer): void {
    this.take(this.decoder.write(chunk));
  }

  end(): void {
    this.take(this.decoder.end());
    if (this.partial && this.sink) this.sink(this.partial);
    this.partial = '';
  }

  text(): string {
    return this.kept;
  }

  private take(text: string): void {
    if (!text) return;
    this.kept += text;
    // Trimmed in characters, a fair stand-in for bytes here; the slack avoids trimming on every chunk.
    if (this.kept.length > this.limit * 2) this.kept = this.kept.slice(-this.limit);
    if (!this.sink) return;
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.sink(line.endsWith('\r') ? line.slice(0, -1) : line);
  }
}

/** Runs a program (never through a shell), streaming its output by line and collecting it. */
export function runCommand(command: string, args: readonly string[], opts: RunOptions): Promise<RunResult> {
  return new Promise<RunResult>((resolve, reject) => {
    const { signal } = opts;
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout = new Collector(opts.stdoutLimit ?? DEFAULT_LIMIT, opts.onStdout);
    const stderr = new Collector(opts.stderrLimit ?? DEFAULT_LIMIT, opts.onStderr);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));

    const onAbort = (): void => {
      child.kill('SIGTERM');
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    let failed = false;
    child.on('error', (err: NodeJS.ErrnoException) => {
      failed = true;
      signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
    child.on('close', (code, killedBy) => {
      signal?.removeEventListener('abort', onAbort);
      if (failed) return;
      stdout.end();
      stderr.end();
      if (signal?.aborted) {
        reject(signal.reason as Error);
        return;
      }
      resolve({ code, signal: killedBy, stdout: stdout.text(), stderr: stderr.text() });
    });
  });
}

/** "exit code 1" or "killed by SIGKILL". */
export function describeExit(result: Pick<RunResult, 'code' | 'signal'>): string {
  return result.code === null ? `killed by ${result.signal ?? 'a signal'}` : `exit code ${result.code}`;
}
