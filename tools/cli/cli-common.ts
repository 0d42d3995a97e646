// What the command line's commands share: the checkout's paths, messages, and running programs.
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout this command line belongs to. */
export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The local cluster's script. */
export const clusterSh = join(root, 'tools/cluster/cluster.sh');

/** A progress message on stderr (stdout keeps what a script reads: a token, a URL). */
export function say(msg: string): void {
  process.stderr.write(`[tofu-operator] ${msg}\n`);
}

/** A program this command ran failed. */
export class CommandFailedError extends Error {
  override readonly name = 'CommandFailedError';
}

/** Runs a command with inherited output; resolves to its exit code. */
export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env, cwd: root });
  if (r.error) throw new CommandFailedError(`could not run ${cmd}: ${r.error.message}`, { cause: r.error });
  return r.status ?? 1;
}

/** Runs a command with inherited output; throws when it fails. */
export function must(cmd: string, args: string[], env?: NodeJS.ProcessEnv): void {
  const code = run(cmd, args, env);
  if (code !== 0) throw new CommandFailedError(`${cmd} ${args.join(' ')} failed with exit code ${code}`);
}
