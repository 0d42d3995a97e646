import { sourceSchema } from './crds/common-schemas.js';
import { tofuExecutionCrd } from './crds/definitions.js';
import type { JSONSchemaProps } from './crds/schema-helpers.js';
import { validateSchema } from './crds/validate.js';
import type { BackendMode, ExecutionAction, PlanReference, SecretKeyRef } from './generated/crd-types.js';
import { RunnerEnv, RunnerInputError } from './runner-env.js';
import { parseApplyInput } from './runner-input-apply.js';
import { encodeExtraInput, parseExtraInput, type ProviderMirror } from './runner-input-extras.js';

/** Whose state a run uses: the stack when the execution has one, else its module. */
export interface StateOwner {
  kind: 'module' | 'stack';
  name: string;
}

/**
 * What one run of the runner does: the operator encodes it into the runner container's environment
 * (encodeRunnerInput, in the Job template) and the runner reads it back (parseRunnerInput). Version
 * skew between the two images is possible, so both sides go through this one definition.
 */
export interface RunnerInput {
  action: ExecutionAction;
  /** Name of the TofuExecution (for the log). */
  execution: string;
  repository: string;
  /** Branch, tag or commit; empty for the remote's default branch. */
  revision: string;
  /** Root module directory relative to the repository root. */
  workdir: string;
  /** A writable absolute directory for the checkout. */
  workspace: string;
  /** Plain-text tofu output (no ANSI colours). */
  noColor: boolean;
  /** Where a Secret with git credentials is mounted, if any. */
  gitCredentialsDir?: string;
  /** HOME of the runner: the root filesystem is read-only, so the operator points it at an emptyDir. */
  home?: string;
  /** TMPDIR of the runner, an emptyDir for the same reason. */
  tmpDir?: string;
  /** The execution's namespace: part of the runner API's paths. Required with runnerApiUrl. */
  namespace?: string;
  /** Whose state the run uses (the state path). Required with the Operator backend. */
  owner?: StateOwner;
  /**
   * Where the state lives (the owner's spec.backend, resolved). Unset: "Operator" when there is a
   * runner API, else "FromCode" (a runner run by hand, or by an operator older than the runner API).
   */
  backend?: BackendMode;
  /**
   * Base URL of the operator's runner API (http(s)://host:port, no path), which keeps the state and
   * the saved plans. Unset, a plan is not stored (and cannot be applied); apply and destroy need it.
   */
  runnerApiUrl?: string;
  /** Action plan: plan the destruction of everything (tofu plan -destroy). */
  destroy?: boolean;
  /** Actions apply and destroy (required then): the plan to carry out; revision is then its commit. */
  planRef?: PlanReference;
  /** Where the execution's inputs Secret is mounted (its manifest.json says what is in it). */
  inputsDir?: string;
  /** spec.varFiles: tfvars files relative to the workdir, passed first. */
  varFiles?: string[];
  /** Accept any ssh host key (spec.source.insecureSkipHostKeyVerification); else known_hosts is required for ssh. */
  sshInsecureSkipHostKey?: boolean;
  /** Install providers from this network mirror only. */
  providerMirror?: ProviderMirror;
  /** A shared provider cache directory (TF_PLUGIN_CACHE_DIR), an absolute path. */
  pluginCacheDir?: string;
}

/**
 * Where the runner's secrets come from: keys of Secrets, which the kubelet reads into the runner's
 * environment (valueFrom.secretKeyRef), so no secret is ever a literal in a Job spec.
 */
export interface RunnerSecretRefs {
  /** The execution's runner API token (ADR 0007: the execution's own Secret). Needed with runnerApiUrl. */
  runnerToken?: SecretKeyRef;
  /** The owner's spec.stateEncryption.keySecretRef: the state and plan encryption passphrase. */
  statePassphrase?: SecretKeyRef;
}

/** The secret values the runner read from its environment. */
export interface RunnerSecrets {
  runnerToken?: string;
  statePassphrase?: string;
}

/** An environment variable as a container spec carries it: a literal, or a key of a Secret. */
export interface RunnerEnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef: SecretKeyRef };
}

/**
 * The environment of the runner container for `input`, in a stable order; `secrets` become Secret
 * references, never literal values. Pure.
 */
export function encodeRunnerInput(input: RunnerInput, secrets: RunnerSecretRefs = {}): RunnerEnvVar[] {
  const env: RunnerEnvVar[] = [
    { name: RunnerEnv.action, value: input.action },
    { name: RunnerEnv.execution, value: input.execution },
    { name: RunnerEnv.repository, value: input.repository },
    { name: RunnerEnv.revision, value: input.revision },
    { name: RunnerEnv.workdir, value: input.workdir },
    { name: RunnerEnv.workspace, value: input.workspace },
    { name: RunnerEnv.noColor, value: input.noColor ? 'true' : 'false' },
  ];
  if (input.home !== undefined) env.push({ name: RunnerEnv.home, value: input.home });
  if (input.tmpDir !== undefined) env.push({ name: RunnerEnv.tmpDir, value: input.tmpDir });
  if (input.gitCredentialsDir !== undefined) env.push({ name: RunnerEnv.gitCredentialsDir, value: input.gitCredentialsDir });
  const literal = (name: string, value: string | undefined): void => {
    if (value !== undefined) env.push({ name, value });
  };
  literal(RunnerEnv.namespace, input.namespace);
  literal(RunnerEnv.ownerKind, input.owner?.kind);
  literal(RunnerEnv.ownerName, input.owner?.name);
  literal(RunnerEnv.backend, input.backend);
  literal(RunnerEnv.runnerApiUrl, input.runnerApiUrl);
  if (input.destroy) literal(RunnerEnv.destroy, 'true');
  encodeExtraInput(input, literal);
  literal(RunnerEnv.planName, input.planRef?.name);
  literal(RunnerEnv.planDigest, input.planRef?.digest);
  const secret = (name: string, ref: SecretKeyRef | undefined): void => {
    if (ref) env.push({ name, valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } } });
  };
  secret(RunnerEnv.runnerToken, secrets.runnerToken);
  secret(RunnerEnv.statePassphrase, secrets.statePassphrase);
  return env;
}

const ACTIONS = (tofuExecutionCrd.spec.properties?.['action']?.enum ?? []) as readonly string[];
const sourceField = (name: string): JSONSchemaProps => {
  const schema = sourceSchema.properties?.[name];
  if (!schema) throw new Error(`the source schema has no field ${name}`);
  return schema;
};
const REPOSITORY = sourceField('repository');
const REVISION = sourceField('revision');
const WORKDIR = sourceField('workdir');

/**
 * Reads the runner's input from its environment and checks it with the same rules the API server
 * applied to the spec (the CRD schema, CEL rules included), as defence in depth: the runner runs a
 * git command with these values. Lenient where a person runs the runner by hand: values are
 * trimmed, an empty workdir is ".", an empty workspace is /workspace. Pure; throws RunnerInputError.
 * Never puts the repository URL in a message (it may hold credentials).
 */
export function parseRunnerInput(env: Readonly<Record<string, string | undefined>>): RunnerInput {
  const get = (name: string): string => (env[name] ?? '').trim();
  const check = (name: string, value: string, schema: JSONSchemaProps, quote = true): void => {
    const problem = validateSchema(value, schema, name, { rules: true })[0];
    if (problem) throw new RunnerInputError(name, quote ? `"${value}" ${problem.message}` : problem.message);
  };

  const action = get(RunnerEnv.action);
  if (!ACTIONS.includes(action))
    throw new RunnerInputError(
      RunnerEnv.action,
      `unsupported action "${action}"; this runner does ${ACTIONS.map((a) => `"${a}"`).join(', ')}`,
    );
  const repository = get(RunnerEnv.repository);
  if (!repository) throw new RunnerInputError(RunnerEnv.repository, 'is not set');
  // A leading "-" would reach git as an option; the scp-like form of the CRD rule alone allows one.
  if (repository.startsWith('-')) throw new RunnerInputError(RunnerEnv.repository, 'must not start with "-"');
  check(RunnerEnv.repository, repository, REPOSITORY, false);
  const revision = get(RunnerEnv.revision);
  check(RunnerEnv.revision, revision, REVISION);
  const workdir = get(RunnerEnv.workdir) || '.';
  check(RunnerEnv.workdir, workdir, WORKDIR);
  const workspace = get(RunnerEnv.workspace) || '/workspace';
  if (!workspace.startsWith('/')) throw new RunnerInputError(RunnerEnv.workspace, `"${workspace}" must be an absolute path`);
  const noColor = get(RunnerEnv.noColor).toLowerCase();
  if (!['', 'true', 'false', '1', '0'].includes(noColor))
    throw new RunnerInputError(RunnerEnv.noColor, `"${noColor}" must be true or false`);

  const input: RunnerInput = {
    action: action as ExecutionAction,
    execution: get(RunnerEnv.execution),
    repository,
    revision,
    workdir,
    workspace,
    noColor: noColor === 'true' || noColor === '1',
  };
  const credentials = get(RunnerEnv.gitCredentialsDir);
  if (credentials) input.gitCredentialsDir = credentials;
  const home = get(RunnerEnv.home);
  if (home) input.home = home;
  const tmpDir = get(RunnerEnv.tmpDir);
  if (tmpDir) input.tmpDir = tmpDir;
  return { ...input, ...parseApplyInput(get, input), ...parseExtraInput(get) };
}
