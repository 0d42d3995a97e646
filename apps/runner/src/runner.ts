import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  parseRunnerInput,
  parseRunnerSecrets,
  RunnerInputError,
  type RunnerInput,
  type RunnerResult,
  type RunnerSecrets,
} from '@tofu-operator/api-types';
import { describeError, InvalidInputError } from './errors.js';
import { hclString } from './encryption.js';
import { readInputs, maskedInputValues } from './inputs.js';
import { countUnmaskable, maskingRedactor, MIN_SECRET_LENGTH, redactUrls, urlSecrets } from './redact.js';
import { DEFAULT_TERMINATION_LOG, failureResult, successResult } from './result.js';
import { runApply } from './run-apply.js';
import { runPlan } from './run-plan.js';
import { addSecrets, type RunContext } from './workspace.js';

/** What one run does: the input the operator's Job template sets, and the runner's own settings. */
export interface RunnerConfig extends Omit<RunnerInput, 'home' | 'tmpDir'> {
  /** The tofu program (TOFU_BINARY, else "tofu" on PATH). */
  tofuBinary: string;
  /** Where the run's private temporary files go (TMPDIR). */
  tmpDir: string;
  /** The runner API token and the encryption passphrase, from Secret references. Never printed. */
  secrets: RunnerSecrets;
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
  let secrets: RunnerSecrets;
  try {
    input = parseRunnerInput(env);
    secrets = parseRunnerSecrets(env, input);
  } catch (err) {
    if (err instanceof RunnerInputError) throw new InvalidInputError(err.message, { cause: err });
    throw err;
  }
  const { home: _home, tmpDir, ...run } = input;
  return { ...run, secrets, tofuBinary: env[Env.tofuBinary]?.trim() || 'tofu', tmpDir: tmpDir ?? os.tmpdir() };
}

/**
 * The run's own credentials, never printed: in the repository URL, the token, the passphrase (also
 * as tofu's configuration quotes it). The redactor masks each in all its forms (secretForms).
 */
export function runSecrets(config: RunnerConfig): string[] {
  const { runnerToken, statePassphrase } = config.secrets;
  const secrets = urlSecrets(config.repository);
  if (runnerToken) secrets.push(runnerToken);
  if (statePassphrase) secrets.push(statePassphrase, hclString(statePassphrase).slice(1, -1));
  return secrets;
}

/** One line for the log: what this run does. */
function describeRun(config: RunnerConfig): string {
  if (config.action === 'plan') return config.destroy ? 'plan (destroy)' : 'plan';
  return `${config.action} of plan ${config.planRef?.name ?? '?'} (${config.planRef?.digest ?? '?'})`;
}

/**
 * Reads the inputs directory and masks what it says from here on: the manifest's values, the
 * values of the Secret-backed environment variables it names, and the sensitive files' values.
 * Warns (with counts and names, never values) about what cannot be masked.
 */
async function loadInputs(ctx: RunContext, dir: string): Promise<void> {
  ctx.inputs = await readInputs(dir);
  const { values, unsetEnv } = maskedInputValues(ctx.inputs, ctx.env);
  addSecrets(ctx, values);
  const short = countUnmaskable(values);
  if (short > 0) {
    ctx.io.err(
      `==> warning: ${short} secret value(s) are shorter than ${MIN_SECRET_LENGTH} characters and cannot be masked reliably; they may appear in the log`,
    );
  }
  if (unsetEnv.length > 0) ctx.io.err(`==> warning: variables to mask are not set: ${unsetEnv.join(', ')}`);
}

/**
 * Runs the execution: a plan (clone, init, plan, summarize, store the plan and its diff) or an
 * apply or destroy (fetch and verify the approved plan, clone its commit, init, apply it). Never
 * throws: failures come back as a result with a category and a message, redacted.
 */
export async function runExecution(config: RunnerConfig, io: RunnerIo): Promise<RunnerResult> {
  const ctx: RunContext = {
    config,
    io,
    env: io.env ?? process.env,
    tmp: '',
    redact: maskingRedactor(runSecrets(config)),
  };
  // Everything the run prints goes through the redactor as it is then (it grows during the run).
  ctx.io = { ...io, out: (line) => io.out(ctx.redact(line)), err: (line) => io.err(ctx.redact(line)) };
  try {
    ctx.tmp = await mkdtemp(path.join(config.tmpDir, 'tofu-runner-'));
    if (config.execution) ctx.io.out(`==> execution ${config.execution}: ${describeRun(config)}`);
    if (config.inputsDir) await loadInputs(ctx, config.inputsDir);
    const success = config.action === 'plan' ? await runPlan(ctx) : await runApply(ctx);
    const { summary, apply } = success;
    // Counts and tofu's one-line summaries; masked all the same, like everything the run reports.
    if (summary?.text) summary.text = ctx.redact(summary.text);
    if (apply?.text) apply.text = ctx.redact(apply.text);
    return successResult({ ...success, commit: ctx.commit });
  } catch (err) {
    const reason = io.signal?.aborted ? (io.signal.reason as unknown) : err;
    const { category, message } = describeError(reason);
    const clean = ctx.redact(message);
    ctx.io.err(`==> failed (${category}): ${clean}`);
    return failureResult(category, clean, ctx.commit);
  } finally {
    if (ctx.tmp) await rm(ctx.tmp, { recursive: true, force: true }).catch(() => undefined);
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
  return runExecution(config, { env, ...io });
}
