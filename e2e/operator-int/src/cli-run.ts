// `tofu-operator start` as a child process of a test: its output collected, and a wait for its
// summary that fails at once when it exits first (not after the whole timeout).
import { spawn, type ChildProcess } from 'node:child_process';

/** A running `start`, as the tests drive it. */
export interface CliRun {
  readonly child: ChildProcess;
  /** stdout and stderr so far, interleaved as they arrived. */
  output(): string;
  /** Resolves with the exit code once the process exited. */
  readonly exited: Promise<number | null>;
  /** Resolves once the output contains `text`; rejects when the process exits first or after `timeoutMs`. */
  waitForOutput(text: string, timeoutMs: number): Promise<void>;
}

/** Spawns the command line with piped output (so its log stays JSON: not a terminal). */
export function startCli(cli: string, args: string[], opts: { cwd?: string; env: NodeJS.ProcessEnv }): CliRun {
  const child = spawn(cli, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const l of listeners) l();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    exited,
    waitForOutput: (text, timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        const done = (err?: Error) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (err) reject(err);
          else resolve();
        };
        const check = () => {
          if (out.includes(text)) done();
        };
        const timer = setTimeout(() => done(new Error(`no "${text}" after ${timeoutMs} ms:\n${out.slice(-4000)}`)), timeoutMs);
        listeners.add(check);
        void exited.then((code) => {
          if (!out.includes(text))
            done(new Error(`${cli} ${args.join(' ')} exited with ${String(code)} before "${text}":\n${out.slice(-4000)}`));
        });
        check();
      }),
  };
}
