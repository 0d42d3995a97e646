import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FailureCategory, type PlanSummary, type RunnerResult } from '@tofu-operator/api-types';
import { NO_AUTH, prepareGitAuth, type GitAuth } from './credentials.js';
import { describeError, InvalidInputError, RunnerError } from './errors.js';
import { cloneRepository } from './git.js';
import { summarizePlanJson } from './plan-summary.js';
import { makeRedactor, redactUrls, urlSecrets } from './redact.js';
import { DEFAULT_TERMINATION_LOG, failureResult, successResult } from './result.js';
import { tofuInit, tofuPlan, tofuShowJson, type TofuOptions } from './tofu.js';
import { resolveWorkdir } from './workdir.js';

/** What one run does, read from the environment the operator's Job template sets. */
export interface RunnerConfig {
  action: 'plan';
  /** Name of the TofuExecution (for the log). */
  execution: string;
  repository: string;
  /** Branch, tag or commit; empty for the remote's default branch. */
  revision: string;
  /** Root module directory relative to the repository root. */
  workdir: string;
  /** A writable directory for the checkout. */
  workspace: string;
  noColor: boolean;
  /** A mounted Secret with git credentials, if any. */
  gitCredentialsDir?: string;
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

/** Variables the runner reads. */
export const Env = {
  action: 'TOFU_OPERATOR_ACTION',
  execution: 'TOFU_OPERATOR_EXECUTION',
  repository: 'TOFU_OPERATOR_REPOSITORY',
  revision: 'TOFU_OPERATOR_REVISION',
  workdir: 'TOFU_OPERATOR_WORKDIR',
  workspace: 'TOFU_OPERATOR_WORKSPACE',
  noColor: 'TOFU_OPERATOR_NO_COLOR',
  gitCredentialsDir: 'TOFU_OPERATOR_GIT_CREDENTIALS_DIR',
  terminationLog: 'TOFU_OPERATOR_TERMINATION_LOG',
  tofuBinary: 'TOFU_BINARY',
} as const;

/** Same rule as the CRD's admission check of spec.source.revision, checked again here. */
const REVISION = /^[^\s~^:?*[\\]*$/;

/** Reads and checks the run's settings. Pure; throws InvalidInputError. */
export function configFromEnv(env: NodeJS.ProcessEnv): RunnerConfig {
  const get = (name: string): string => (env[name] ?? '').trim();
  const action = get(Env.action);
  if (action !== 'plan') throw new InvalidInputError(`unsupported action "${action}" (${Env.action}); this runner does "plan"`);
  const repository = get(Env.repository);
  if (!repository) throw new InvalidInputError(`${Env.repository} is not set`);
  if (repository.startsWith('-') || /\s/.test(repository))
    throw new InvalidInputError(`the repository URL ${redactUrls(repository)} is not valid`);
  const revision = get(Env.revision);
  if (revision.startsWith('-') || revision.includes('..') || !REVISION.test(revision) || revision.length > 255) {
    throw new InvalidInputError(`the revision "${revision}" is not a valid branch, tag or commit`);
  }
  const workspace = get(Env.workspace) || '/workspace';
  if (!path.isAbsolute(workspace)) throw new InvalidInputError(`${Env.workspace} must be an absolute path`);
  const noColor = get(Env.noColor).toLowerCase();
  const credentials = get(Env.gitCredentialsDir);
  return {
    action: 'plan',
    execution: get(Env.execution),
    repository,
    revision,
    workdir: get(Env.workdir) || '.',
    workspace,
    noColor: noColor === 'true' || noColor === '1',
    ...(credentials ? { gitCredentialsDir: credentials } : {}),
    tofuBinary: get(Env.tofuBinary) || 'tofu',
    tmpDir: get('TMPDIR') || os.tmpdir(),
  };
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
