/**
 * Names of the environment variables the operator sets on the runner container: the runner's whole
 * input (see runner-input.ts for their types, encoding and parsing). Kept apart from the parser so
 * the CRD rules (crds/field-rules.ts) can name them without importing the schemas they are part of.
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
