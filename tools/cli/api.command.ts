// `tofu-operator plan|approve|reject|logs`: the operator's REST API with the user's token, for
// people and CI pipelines. stdout carries what a script reads (an execution's name; with --wait the
// log and the result); progress goes to stderr. Exit codes: api-result.ts (ExitCode).
import type { PlanRequest, PlanResponse } from '@tofu-operator/api-contracts';
import { apiPaths } from '@tofu-operator/api-contracts';
import type { TofuExecution } from '@tofu-operator/api-types';
import { parseApiCommand, type ApiCommandName } from './api-args.ts';
import { ApiClient } from './api-client.ts';
import { ApiCommandError, ExitCode, exitCodeForPhase, nextStepLines, resultLines } from './api-result.ts';
import { say } from './cli-common.ts';

/** How long the API may stay unreachable while a run is followed before the command gives up. */
const UNREACHABLE_MS = 60_000;
/** Pause between two follows of a log whose run has not finished yet (the stream ended early). */
const RESUME_MS = 1_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Writes to stdout, waiting when the pipe is full (a large log into a slow reader). */
function out(text: string): Promise<void> {
  return new Promise((resolve) => {
    if (process.stdout.write(text)) resolve();
    else process.stdout.once('drain', () => resolve());
  });
}

/** Retries `call` while the API is unreachable or failing (a restart, a rollout), for at most UNREACHABLE_MS. */
async function patiently<T>(call: () => Promise<T>): Promise<T> {
  let since: number | undefined;
  for (;;) {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof ApiCommandError) || err.exitCode !== ExitCode.Unavailable) throw err;
      since ??= Date.now();
      if (Date.now() - since > UNREACHABLE_MS) throw err;
      say(`${err.message.split('\n')[0] ?? ''}; retrying`);
      await sleep(RESUME_MS);
    }
  }
}

/**
 * Prints the log of an execution from its first line until the run has finished, and resolves to the
 * finished execution. The followed stream ends when the runner ends, possibly before the execution's
 * phase is written, or early (a replica shutting down): it is followed again from the lines already
 * printed until the phase is final, then once more, so the tail written meanwhile is printed too.
 */
async function followToEnd(client: ApiClient, name: string): Promise<TofuExecution> {
  let lines = 0;
  for (;;) {
    const x = await patiently(() => client.execution(name));
    const finished = exitCodeForPhase(x.status?.phase) !== undefined;
    lines += await patiently(() => client.followLog(name, lines, out));
    if (finished) return x;
    await sleep(RESUME_MS);
  }
}

/** Prints the result of a finished execution (and the next step of a waiting plan); its exit code. */
async function finish(client: ApiClient, x: TofuExecution): Promise<number> {
  const lines = ['', ...resultLines(x), ...nextStepLines(x, client.connection)];
  await out(`${lines.join('\n')}\n`);
  return exitCodeForPhase(x.status?.phase) ?? ExitCode.Unavailable;
}

/** Runs one of the API commands; resolves to its exit code (errors throw ApiCommandError or UsageError). */
export async function runApiCommand(name: ApiCommandName, args: string[]): Promise<number> {
  const cmd = parseApiCommand(name, args, process.env);
  const client = new ApiClient(cmd.connection);
  const ns = cmd.connection.namespace;
  switch (cmd.command) {
    case 'plan': {
      const what = `plan${cmd.destroy ? ' --destroy' : ''} ${cmd.target.kind === 'stacks' ? 'stack' : 'module'}/${cmd.target.name}`;
      const request: PlanRequest | undefined = cmd.destroy ? { destroy: true } : undefined;
      const answer = await client.json<PlanResponse>(what, 'POST', apiPaths.plan(ns, cmd.target.kind, cmd.target.name), request);
      const execution = answer.body.execution?.metadata.name;
      if (answer.status === 202 || !execution) {
        throw new ApiCommandError(
          `${what}: requested (${answer.body.requestedAt}), but no execution was created within the operator's wait: no controller has picked the request up yet (it stands and runs when one does)`,
          ExitCode.NotStarted,
        );
      }
      if (!cmd.wait) {
        await out(`${execution}\n`);
        return ExitCode.Ok;
      }
      say(`${what}: execution ${execution} started; following its log`);
      return finish(client, await followToEnd(client, execution));
    }
    case 'approve': {
      const answer = await client.json<TofuExecution>(`approve ${cmd.execution}`, 'POST', apiPaths.approve(ns, cmd.execution), {
        planDigest: cmd.digest,
      });
      const apply = answer.body.metadata.name ?? '';
      if (!cmd.wait) {
        await out(`${apply}\n`);
        return ExitCode.Ok;
      }
      say(`approved ${cmd.execution}: execution ${apply} carries it out; following its log`);
      return finish(client, await followToEnd(client, apply));
    }
    case 'reject': {
      const answer = await client.json<TofuExecution>(`reject ${cmd.execution}`, 'POST', apiPaths.reject(ns, cmd.execution), {
        planDigest: cmd.digest,
      });
      const approval = answer.body.status?.approval;
      await out(`${cmd.execution} ${approval?.state.toLowerCase() ?? 'rejected'}${approval?.by ? ` by ${approval.by}` : ''}\n`);
      return ExitCode.Ok;
    }
    case 'logs': {
      if (!cmd.follow) {
        await out(await client.logText(cmd.execution));
        return ExitCode.Ok;
      }
      const x = await followToEnd(client, cmd.execution);
      say(
        `${cmd.execution}: ${x.status?.phase ?? 'unknown'}${x.status?.phase === 'Failed' && x.status.message ? `: ${x.status.message}` : ''}`,
      );
      return exitCodeForPhase(x.status?.phase) ?? ExitCode.Unavailable;
    }
  }
}
