// The steps every run shares: check out the code, enter the workdir, pick the backend and the
// encryption, tofu init.
import path from 'node:path';
import { FailureCategory } from '@tofu-operator/api-types';
import { childEnv, stateUrl, tofuBackendEnv, writeBackendOverride, type TofuBackendEnv } from './backend.js';
import { NO_AUTH, prepareGitAuth } from './credentials.js';
import { encryptionConfig, isUnencryptedState } from './encryption.js';
import { RunnerError } from './errors.js';
import { cloneRepository } from './git.js';
import { pluginCacheEnv, providerMirrorEnv } from './provider-mirror.js';
import { maskingRedactor, redactUrls, type Redactor } from './redact.js';
import type { RunInputs } from './inputs.js';
import { RunnerApi } from './runner-api.js';
import type { RunnerConfig, RunnerIo } from './runner.js';
import { tofuInit, type TofuOptions } from './tofu.js';
import { resolveWorkdir } from './workdir.js';
import { stepMarker } from './step-marker.js';

/** Where the repository is checked out inside the workspace. */
export const CHECKOUT_DIR = 'source';

/** One run in progress: its settings, output, private directory, and what it learnt so far. */
export interface RunContext {
  config: RunnerConfig;
  io: RunnerIo;
  /** The runner's environment (git and tofu get it without the runner's secrets). */
  env: NodeJS.ProcessEnv;
  /** Private temporary directory of the run, removed at its end. */
  tmp: string;
  /** Removes every credential of the run from a text; grows when git credentials are read. */
  redact: Redactor;
  /** The commit checked out, once it is. */
  commit?: string;
  /** The inputs directory's manifest and what it says, when the run has one. */
  inputs?: RunInputs;
}

/** Masks these values (in all their forms) in everything the run prints or reports from now on. */
export function addSecrets(ctx: RunContext, values: readonly string[]): void {
  if (values.length === 0) return;
  const before = ctx.redact;
  const more = maskingRedactor(values);
  ctx.redact = (text) => more(before(text));
}

/** The runner API client of this run, or undefined when the run has none (a plan run by hand). */
export function runnerApiOf(ctx: RunContext): RunnerApi | undefined {
  const { runnerApiUrl, namespace, execution, secrets } = ctx.config;
  if (!runnerApiUrl || !namespace || !secrets.runnerToken) return undefined;
  return new RunnerApi({ baseUrl: runnerApiUrl, namespace, execution, token: secrets.runnerToken, signal: ctx.io.signal });
}

/** Clones the repository at the run's revision and resolves the workdir; answers the workdir's real path. */
export async function checkout(ctx: RunContext): Promise<string> {
  const { config, io } = ctx;
  const auth = await prepareGitAuth(config.gitCredentialsDir, ctx.tmp, {
    repository: config.repository,
    insecureSkipHostKey: config.sshInsecureSkipHostKey,
  });
  for (const warning of auth.warnings ?? []) io.err(`==> ${warning}`);
  addSecrets(ctx, [...auth.secrets]);
  const at = config.revision ? config.revision : 'the default branch';
  const via = auth === NO_AUTH ? '' : ` (with ${auth.kind} credentials)`;
  io.out(stepMarker(`cloning ${redactUrls(config.repository)} at ${at}${via}`));
  const clone = await cloneRepository({
    repository: config.repository,
    revision: config.revision,
    dest: path.join(config.workspace, CHECKOUT_DIR),
    env: childEnv(ctx.env),
    authEnv: auth.env,
    redact: ctx.redact,
    log: io.err,
    signal: io.signal,
  });
  ctx.commit = clone.commit;
  io.out(`==> checked out ${clone.commit}`);
  const dir = await resolveWorkdir(path.join(config.workspace, CHECKOUT_DIR), config.workdir);
  io.out(`==> workdir ${config.workdir}`);
  return dir;
}

/**
 * Whether this run must read a state stored before encryption was turned on: with the Operator
 * backend the runner looks at the stored state itself (with the code's own backend it cannot).
 */
async function migratesToEncryption(ctx: RunContext, api: RunnerApi | undefined): Promise<boolean> {
  const { owner } = ctx.config;
  if (ctx.config.backend !== 'Operator' || !api || !owner) return false;
  const state = await api.getState(owner);
  return state !== undefined && isUnencryptedState(state);
}

/**
 * Prepares tofu in the workdir: the backend (the Operator's http backend through an override file,
 * or the code's own), the encryption, then `tofu init`. Answers the options of every later tofu
 * command.
 */
export async function prepareTofu(ctx: RunContext, dir: string, api: RunnerApi | undefined): Promise<TofuOptions> {
  const { config, io } = ctx;
  const backend: TofuBackendEnv = {};
  if (config.backend === 'Operator') {
    const { runnerApiUrl, namespace, owner, secrets } = config;
    if (!runnerApiUrl || !namespace || !owner || !secrets.runnerToken) {
      // parseRunnerInput and parseRunnerSecrets refuse such input; this guards direct callers.
      throw new RunnerError(
        FailureCategory.InvalidInput,
        'the Operator backend needs the runner API, the namespace, the owner and the token',
      );
    }
    await writeBackendOverride(dir);
    backend.http = { address: stateUrl(runnerApiUrl, namespace, owner), username: config.execution, password: secrets.runnerToken };
    io.out(`==> state: ${owner.kind} ${owner.name}, kept by the operator`);
  } else {
    io.out("==> state: the code's own backend");
  }
  const passphrase = config.secrets.statePassphrase;
  if (passphrase !== undefined) {
    const migrate = await migratesToEncryption(ctx, api);
    backend.encryption = encryptionConfig(passphrase, { migrate });
    io.out(migrate ? '==> state encryption on: the stored state is not encrypted yet; this run encrypts it' : '==> state encryption on');
  }
  const tofu: TofuOptions = {
    binary: config.tofuBinary,
    cwd: dir,
    env: await pluginCacheEnv(
      await providerMirrorEnv(tofuBackendEnv(ctx.env, backend), config.providerMirror, { tmp: ctx.tmp }),
      config.pluginCacheDir,
      dir,
    ),
    noColor: config.noColor,
    // The run's redactor as it is when tofu prints, not as it was when tofu was prepared.
    redact: (text) => ctx.redact(text),
    stdout: io.out,
    stderr: io.err,
    signal: io.signal,
  };
  if (config.providerMirror) io.out(`==> providers from the network mirror ${config.providerMirror.url}`);
  if (config.pluginCacheDir) io.out(`==> providers cached in ${config.pluginCacheDir}, shared by the namespace's runs`);
  io.out(stepMarker('tofu init'));
  await tofuInit(tofu);
  return tofu;
}
