// Where tofu keeps the state (spec.backend), and the environment git and tofu run with.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RunnerEnv, type StateOwner } from '@tofu-operator/api-types';

/**
 * The override file that selects tofu's http backend: an `_override.tf` file replaces the backend
 * (or cloud) block the code declares, and leaves the rest of its `terraform` block alone.
 */
export const BACKEND_OVERRIDE_FILE = '_tofu_operator_backend_override.tf';
export const BACKEND_OVERRIDE = [
  '# Written by the tofu-operator runner: the state is kept by the operator.',
  'terraform {',
  '  backend "http" {}',
  '}',
  '',
].join('\n');

/** Writes the backend override into the root module directory. */
export async function writeBackendOverride(dir: string): Promise<void> {
  await writeFile(path.join(dir, BACKEND_OVERRIDE_FILE), BACKEND_OVERRIDE);
}

/** The runner API path of an owner's state: `/state/{namespace}/{kind}/{owner}`. Pure. */
export function stateUrl(runnerApiUrl: string, namespace: string, owner: StateOwner): string {
  return `${runnerApiUrl}/state/${encodeURIComponent(namespace)}/${owner.kind}/${encodeURIComponent(owner.name)}`;
}

/** The variables of the runner's secrets, which no child process receives as they are. */
const SECRET_VARIABLES: readonly string[] = [RunnerEnv.runnerToken, RunnerEnv.statePassphrase];

/** The environment for git: the runner's own, without its secrets. Pure. */
export function childEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...base };
  for (const name of SECRET_VARIABLES) delete env[name];
  return env;
}

/** What tofu needs besides the runner's environment. */
export interface TofuBackendEnv {
  /** The Operator backend: the state's URL and the runner's credentials for it. */
  http?: { address: string; username: string; password: string };
  /** TF_ENCRYPTION (spec.stateEncryption). */
  encryption?: string;
}

/**
 * The environment tofu runs with: the runner's own without its secrets; with the Operator backend,
 * tofu's http backend settings pointing at the owner's state, every TF_HTTP_* variable of the
 * template dropped first (so it can neither redirect the state nor turn locking off); with
 * encryption, TF_ENCRYPTION (replacing the template's). Pure.
 */
export function tofuBackendEnv(base: NodeJS.ProcessEnv, opts: TofuBackendEnv): NodeJS.ProcessEnv {
  const env = childEnv(base);
  if (opts.http) {
    for (const name of Object.keys(env)) if (name.startsWith('TF_HTTP_')) delete env[name];
    const { address, username, password } = opts.http;
    Object.assign(env, {
      TF_HTTP_ADDRESS: address,
      TF_HTTP_LOCK_ADDRESS: address,
      TF_HTTP_UNLOCK_ADDRESS: address,
      TF_HTTP_LOCK_METHOD: 'LOCK',
      TF_HTTP_UNLOCK_METHOD: 'UNLOCK',
      TF_HTTP_USERNAME: username,
      TF_HTTP_PASSWORD: password,
      // A replica restart or leader change (seconds) must not lose an apply's state: tofu's default
      // (2 retries) gives up at once and leaves errored.tfstate in the pod, which goes with it. About
      // 4.5 minutes of retries (1 s doubling to 10 s) on connection errors and 5xx; a held lock (423)
      // is never retried.
      TF_HTTP_RETRY_MAX: '30',
      TF_HTTP_RETRY_WAIT_MIN: '1',
      TF_HTTP_RETRY_WAIT_MAX: '10',
    });
  }
  if (opts.encryption !== undefined) env.TF_ENCRYPTION = opts.encryption;
  return env;
}
