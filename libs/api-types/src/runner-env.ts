/**
 * Names of the environment variables the operator sets on the runner container: the runner's whole
 * input (see runner-input.ts for their types, encoding and parsing). Kept apart from the parser so
 * the CRD rules (crds/field-rules.ts) can name them without importing the schemas they are part of.
 * Secrets arrive under this prefix too, not under tofu's own names (TF_HTTP_PASSWORD, TF_ENCRYPTION):
 * the runner hands them to tofu only where they belong, and a module with its own http backend
 * (spec.backend FromCode) keeps the TF_HTTP_* variables of its template.
 */
export const RunnerEnv = {
  action: 'TOFU_OPERATOR_ACTION',
  execution: 'TOFU_OPERATOR_EXECUTION',
  repository: 'TOFU_OPERATOR_REPOSITORY',
  revision: 'TOFU_OPERATOR_REVISION',
  workdir: 'TOFU_OPERATOR_WORKDIR',
  workspace: 'TOFU_OPERATOR_WORKSPACE',
  noColor: 'TOFU_OPERATOR_NO_COLOR',
  gitCredentialsDir: 'TOFU_OPERATOR_GIT_CREDENTIALS_DIR',
  namespace: 'TOFU_OPERATOR_NAMESPACE',
  ownerKind: 'TOFU_OPERATOR_OWNER_KIND',
  ownerName: 'TOFU_OPERATOR_OWNER_NAME',
  backend: 'TOFU_OPERATOR_BACKEND',
  runnerApiUrl: 'TOFU_OPERATOR_RUNNER_API_URL',
  destroy: 'TOFU_OPERATOR_DESTROY',
  planName: 'TOFU_OPERATOR_PLAN_NAME',
  planDigest: 'TOFU_OPERATOR_PLAN_DIGEST',
  /** Set from a Secret (valueFrom.secretKeyRef), never as a literal: the runner API token. */
  runnerToken: 'TOFU_OPERATOR_RUNNER_TOKEN',
  /** Set from a Secret (valueFrom.secretKeyRef), never as a literal: the state encryption passphrase. */
  statePassphrase: 'TOFU_OPERATOR_STATE_PASSPHRASE',
  /** Where the execution's inputs Secret is mounted (manifest.json and the variable files). */
  inputsDir: 'TOFU_OPERATOR_INPUTS_DIR',
  /** JSON array of spec.varFiles, relative to the workdir. */
  varFiles: 'TOFU_OPERATOR_VAR_FILES',
  /** "true": accept any ssh host key (spec.source.insecureSkipHostKeyVerification). */
  sshInsecureSkipHostKey: 'TOFU_OPERATOR_SSH_INSECURE_SKIP_HOST_KEY',
  /** https URL of the provider network mirror. */
  providerMirrorUrl: 'TOFU_OPERATOR_PROVIDER_MIRROR_URL',
  /** A PEM file of CA certificates to trust for the mirror (a mounted ConfigMap key). */
  providerMirrorCaFile: 'TOFU_OPERATOR_PROVIDER_MIRROR_CA_FILE',
  /** A directory shared by runs (a mounted PersistentVolumeClaim) that tofu keeps providers in (TF_PLUGIN_CACHE_DIR). */
  pluginCacheDir: 'TOFU_OPERATOR_PLUGIN_CACHE_DIR',
  home: 'HOME',
  tmpDir: 'TMPDIR',
} as const;
export type RunnerEnvName = (typeof RunnerEnv)[keyof typeof RunnerEnv];

/**
 * Every variable with this prefix belongs to the operator and its runner: a template cannot set one,
 * including those the runner reads only when run by hand (TOFU_OPERATOR_TERMINATION_LOG), so a
 * template can never point the runner at other input than the spec names or hide its result.
 */
export const RESERVED_ENV_PREFIX = 'TOFU_OPERATOR_';

/** Variables outside the prefix that the operator sets itself (the writable HOME and TMPDIR). */
export const RESERVED_ENV_NAMES: readonly string[] = Object.values(RunnerEnv).filter((n) => !n.startsWith(RESERVED_ENV_PREFIX));

/** Whether an executionTemplate.env name is reserved for the operator (refused at admission, dropped at run time). */
export function isReservedEnvName(name: string): boolean {
  return name.startsWith(RESERVED_ENV_PREFIX) || RESERVED_ENV_NAMES.includes(name);
}

/** A runner input variable that is missing or cannot be used; names the variable. */
export class RunnerInputError extends Error {
  override readonly name = 'RunnerInputError';

  constructor(
    readonly variable: string,
    problem: string,
    options?: ErrorOptions,
  ) {
    super(`${variable}: ${problem}`, options);
  }
}
