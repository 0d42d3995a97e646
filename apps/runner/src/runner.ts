import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  FailureCategory,
  parseRunnerInput,
  RunnerEnv,
  RunnerInputError,
  type PlanSummary,
  type RunnerInput,
  type RunnerResult,
} from '@tofu-operator/api-types';
import { NO_AUTH, prepareGitAuth, type GitAuth } from './credentials.js';
import { describeError, InvalidInputError, RunnerError } from './errors.js';
import { cloneRepository } from './git.js';
import { summarizePlanJson } from './plan-summary.js';
import { makeRedactor, redactUrls, urlSecrets } from './redact.js';
import { DEFAULT_TERMINATION_LOG, failureResult, successResult } from './result.js';
import { tofuInit, tofuPlan, tofuShowJson, type TofuOptions } from './tofu.js';
import { resolveWorkdir } from './workdir.js';

/** What one run does: the input the operator's Job template sets, and the runner's own settings. */
export interface RunnerConfig extends Omit<RunnerInput, 'home' | 'tmpDir'> {
  /** The tofu program (TOFU_BINARY, else "tofu" on PATH). */
  tofuBinary: string;
  /** Where the run's private temporary files go (TMPDIR). */
  tmpDir: string;
}

/** Output of the runner: progress and tofu's stdout go to `out`, diagnostics to `err`. */
export interface RunnerIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Aborting stops the running child (SIGTERM) and fails the run with the signal's reason. */
  signal?: AbortSignal;
  /** Environment of git and tofu; default process.env. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Variables the runner reads besides its input (RunnerEnv in api-types, set by the operator): for
 * running it by hand and in tests.
 */
export const Env = {
  terminationLog: 'TOFU_OPERATOR_TERMINATION_LOG',
  tofuBinary: 'TOFU_BINARY',
} as const;

/** Reads and checks the run's settings (parseRunnerInput, the operator's contract). Pure; throws InvalidInputError. */
export function configFromEnv(env: NodeJS.ProcessEnv): RunnerConfig {
  let input: RunnerInput;
  try {
    input = parseRunnerInput(env);
  } catch (err) {
    if (err instanceof RunnerInputError) throw new InvalidInputError(err.message, { cause: err });
    throw err;
  }
  // The CRD knows apply and destroy; this runner does not carry them out yet.
  if (input.action !== 'plan')
    throw new InvalidInputError(`${RunnerEnv.action}: this runner only plans; "${input.action}" is not supported yet`);
  const { home: _home, tmpDir, ...run } = input;
  return { ...run, tofuBinary: env[Env.tofuBinary]?.trim() || 'tofu', tmpDir: tmpDir ?? os.tmpdir() };
}

/** Where the repository is checked out inside the workspace. */
export const CHECKOUT_DIR = 'source';

/**
 * Runs a plan: clone, enter the workdir, tofu init, tofu plan, summarize from `tofu show -json`.
 * Never throws: failures come back as a result with a category and a message.
 */
export async function runPlan(config: RunnerConfig, io: RunnerIo): Promise<RunnerResult> {
  const env = io.env ?? process.env;
  const { signal } = io;
  let redact = makeRedactor(urlSecrets(config.repository));
  let commit: string | undefined;
  let tmp: string | undefined;
  try {
    tmp = await mkdtemp(path.join(config.tmpDir, 'tofu-runner-'));
    const auth: GitAuth = await prepareGitAuth(config.gitCredentialsDir, tmp);
    redact = makeRedactor([...urlSecrets(config.repository), ...auth.secrets]);
    if (config.execution) io.out(`==> execution ${config.execution}: ${config.action}`);

    const at = config.revision ? config.revision : 'the default branch';
    const via = auth === NO_AUTH ? '' : ` (with ${auth.kind} credentials)`;
    io.out(`==> cloning ${redactUrls(config.repository)} at ${at}${via}`);
    const checkout = path.join(config.workspace, CHECKOUT_DIR);
    const clone = await cloneRepository({
      repository: config.repository,
      revision: config.revision,
      dest: checkout,
      env,
      authEnv: auth.env,
      redact,
      log: io.err,
      signal,
    });
    commit = clone.commit;
    io.out(`==> checked out ${commit}`);

    const dir = await resolveWorkdir(checkout, config.workdir);
    io.out(`==> workdir ${config.workdir}`);
    const tofu: TofuOptions = {
      binary: config.tofuBinary,
      cwd: dir,
      env,
      noColor: config.noColor,
      redact,
      stdout: io.out,
      stderr: io.err,
      signal,
    };
    io.out('==> tofu init');
    await tofuInit(tofu);
    const planFile = path.join(tmp, 'plan.tfplan');
    io.out('==> tofu plan');
    await tofuPlan(tofu, planFile);
    signal?.throwIfAborted();
    let summary: PlanSummary;
    try {
      summary = summarizePlanJson(await tofuShowJson(tofu, planFile));
    } catch (err) {
      if (err instanceof RunnerError) throw err;
      throw new RunnerError(FailureCategory.Internal, `cannot read the plan: ${(err as Error).message}`, { cause: err });
    }
    io.out(`==> summary: ${summary.text}`);
    return successResult(summary, commit);
  } catch (err) {
    const reason = signal?.aborted ? (signal.reason as unknown) : err;
    const { category, message } = describeError(reason);
    const clean = redact(message);
    io.err(`==> failed (${category}): ${clean}`);
    return failureResult(category, clean, commit);
  } finally {
    if (tmp) await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Where the result goes: TOFU_OPERATOR_TERMINATION_LOG, else /dev/termination-log. */
export function terminationLogPath(env: NodeJS.ProcessEnv): string {
  return env[Env.terminationLog]?.trim() || DEFAULT_TERMINATION_LOG;
}

/** Reads the settings from the environment and runs; a bad setting is an InvalidInput result. */
export async function runFromEnv(env: NodeJS.ProcessEnv, io: RunnerIo): Promise<RunnerResult> {
  let config: RunnerConfig;
  try {
    config = configFromEnv(env);
  } catch (err) {
    const { category, message } = describeError(err);
    const clean = redactUrls(message);
    io.err(`==> failed (${category}): ${clean}`);
    return failureResult(category, clean);
  }
  return runPlan(config, { env, ...io });
}
