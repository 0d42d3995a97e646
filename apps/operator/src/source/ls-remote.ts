// Runs one `git ls-remote` for the poller: no prompt, no user or system git configuration, only the
// network transports, a deadline after which git and its ssh are killed, bounded output.
import { spawn } from 'node:child_process';

/** The longest a poll may take before git (and its ssh) is killed. */
export const LS_REMOTE_TIMEOUT_MS = 30_000;
/** More output than this is not a few refs: the rest is dropped. */
const MAX_OUTPUT = 1024 * 1024;

export interface GitResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** The environment of a poll's git: nothing of the operator's own but PATH, and the poll's authentication. */
export function pollEnv(auth: Record<string, string>, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    PATH: base.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: base.HOME ?? '/tmp',
    LC_ALL: 'C',
    LANGUAGE: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    // Not file:// (the operator's own disk) nor ext:: (a command): only what a repository URL means.
    GIT_ALLOW_PROTOCOL: 'http:https:ssh:git',
    ...auth,
  };
}

/**
 * Runs git with `args` in its own process group, so a timeout kills ssh too. Rejects only when git
 * cannot be started (ENOENT: not installed).
 */
export function runGit(args: string[], env: NodeJS.ProcessEnv, timeoutMs = LS_REMOTE_TIMEOUT_MS): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const take = (acc: string, chunk: Buffer) => (acc.length < MAX_OUTPUT ? acc + chunk.toString('utf8') : acc);
    child.stdout.on('data', (c: Buffer) => (stdout = take(stdout, c)));
    child.stderr.on('data', (c: Buffer) => (stderr = take(stderr, c)));
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}
