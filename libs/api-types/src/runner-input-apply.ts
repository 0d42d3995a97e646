// The runner's input about state and saved plans (docs/adr/0007-apply-approval-and-state.md): where
// the runner API is, whose state, which plan an apply carries out, and the secrets it needs.
import { FieldRules } from './crds/field-rules.js';
import type { BackendMode } from './generated/crd-types.js';
import { RunnerEnv, RunnerInputError } from './runner-env.js';
import type { RunnerInput, RunnerSecrets, StateOwner } from './runner-input.js';

/** OpenTofu's pbkdf2 key provider refuses shorter passphrases. */
export const MIN_PASSPHRASE_LENGTH = 16;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const BACKENDS: readonly BackendMode[] = ['Operator', 'FromCode'];
const OWNER_KINDS: readonly StateOwner['kind'][] = ['module', 'stack'];

/** The runner API's base URL: http(s), a host, no credentials, query or fragment; no trailing slash. */
function runnerApiUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch (err) {
    throw new RunnerInputError(RunnerEnv.runnerApiUrl, `"${text}" is not a URL`, { cause: err });
  }
  const problem =
    url.protocol !== 'http:' && url.protocol !== 'https:'
      ? 'must be an http:// or https:// URL'
      : url.username || url.password
        ? 'must not carry credentials (the runner authenticates with its token)'
        : url.search || url.hash
          ? 'must have no query or fragment'
          : undefined;
  // Credentials are never echoed back: the URL is only quoted when it has none.
  if (problem) throw new RunnerInputError(RunnerEnv.runnerApiUrl, url.username || url.password ? problem : `"${text}" ${problem}`);
  return url.href.replace(/\/+$/, '');
}

function flag(name: string, value: string): boolean {
  const v = value.toLowerCase();
  if (!['', 'true', 'false', '1', '0'].includes(v)) throw new RunnerInputError(name, `"${value}" must be true or false`);
  return v === 'true' || v === '1';
}

function objectName(name: string, value: string): void {
  if (value.length > 253 || !FieldRules.objectName.test(value))
    throw new RunnerInputError(name, `"${value}" ${FieldRules.objectName.message}`);
}

/**
 * The state and plan part of the runner's input, checked against the rest: an apply or destroy
 * needs a plan (name and digest), the runner API and the plan's commit as revision; a plan takes no
 * plan reference; the Operator backend needs the runner API and an owner. Pure; throws
 * RunnerInputError naming the variable.
 */
export function parseApplyInput(get: (name: string) => string, base: RunnerInput): Partial<RunnerInput> {
  const out: Partial<RunnerInput> = {};
  const url = get(RunnerEnv.runnerApiUrl);
  if (url) out.runnerApiUrl = runnerApiUrl(url);

  const namespace = get(RunnerEnv.namespace);
  if (namespace) {
    if (!DNS_LABEL.test(namespace)) throw new RunnerInputError(RunnerEnv.namespace, `"${namespace}" is not a namespace name`);
    out.namespace = namespace;
  }
  if (out.runnerApiUrl) {
    if (!out.namespace) throw new RunnerInputError(RunnerEnv.namespace, `is not set; the runner API (${RunnerEnv.runnerApiUrl}) needs it`);
    if (!base.execution) throw new RunnerInputError(RunnerEnv.execution, `is not set; the runner API (${RunnerEnv.runnerApiUrl}) needs it`);
    objectName(RunnerEnv.execution, base.execution);
  }

  const kind = get(RunnerEnv.ownerKind);
  const ownerName = get(RunnerEnv.ownerName);
  if (kind || ownerName) {
    if (!OWNER_KINDS.includes(kind as StateOwner['kind']))
      throw new RunnerInputError(RunnerEnv.ownerKind, `"${kind}" must be "module" or "stack" (with ${RunnerEnv.ownerName})`);
    if (!ownerName) throw new RunnerInputError(RunnerEnv.ownerName, `is not set; ${RunnerEnv.ownerKind} is`);
    objectName(RunnerEnv.ownerName, ownerName);
    out.owner = { kind: kind as StateOwner['kind'], name: ownerName };
  }

  const backend = get(RunnerEnv.backend);
  if (backend && !BACKENDS.includes(backend as BackendMode))
    throw new RunnerInputError(RunnerEnv.backend, `"${backend}" must be "Operator" or "FromCode"`);
  out.backend = backend ? (backend as BackendMode) : out.runnerApiUrl ? 'Operator' : 'FromCode';
  if (out.backend === 'Operator') {
    if (!out.runnerApiUrl) throw new RunnerInputError(RunnerEnv.runnerApiUrl, 'is not set; the Operator backend keeps the state there');
    if (!out.owner) throw new RunnerInputError(RunnerEnv.ownerKind, 'is not set; the Operator backend needs the owner of the state');
  }

  const destroy = flag(RunnerEnv.destroy, get(RunnerEnv.destroy));
  const planName = get(RunnerEnv.planName);
  const planDigest = get(RunnerEnv.planDigest);
  if (base.action === 'plan') {
    if (planName) throw new RunnerInputError(RunnerEnv.planName, 'is only for actions apply and destroy');
    if (planDigest) throw new RunnerInputError(RunnerEnv.planDigest, 'is only for actions apply and destroy');
    if (destroy) out.destroy = true;
    return out;
  }
  if (destroy)
    throw new RunnerInputError(
      RunnerEnv.destroy,
      `is only for action plan; a ${base.action} carries out the plan ${RunnerEnv.planName} names`,
    );
  if (!planName) throw new RunnerInputError(RunnerEnv.planName, `is not set; a ${base.action} carries out a saved plan`);
  objectName(RunnerEnv.planName, planName);
  if (!FieldRules.planDigest.test(planDigest))
    throw new RunnerInputError(RunnerEnv.planDigest, `"${planDigest}" ${FieldRules.planDigest.message}`);
  if (!out.runnerApiUrl)
    throw new RunnerInputError(RunnerEnv.runnerApiUrl, `is not set; a ${base.action} downloads its plan from the runner API`);
  if (!FULL_SHA.test(base.revision))
    throw new RunnerInputError(
      RunnerEnv.revision,
      `"${base.revision}" must be the plan's commit (a full SHA): an apply runs the code the plan was made from`,
    );
  out.planRef = { name: planName, digest: planDigest };
  return out;
}

/**
 * The secrets of a run, read as the kubelet put them (from Secret references): the runner API token
 * (required with a runner API) and the state encryption passphrase (when set, encryption is on; an
 * empty or short one is refused rather than run unencrypted or fail inside tofu). Values never
 * appear in a message. Pure.
 */
export function parseRunnerSecrets(env: Readonly<Record<string, string | undefined>>, input: RunnerInput): RunnerSecrets {
  const secrets: RunnerSecrets = {};
  const token = (env[RunnerEnv.runnerToken] ?? '').trim();
  if (token) secrets.runnerToken = token;
  else if (input.runnerApiUrl)
    throw new RunnerInputError(RunnerEnv.runnerToken, `is not set; the runner API (${RunnerEnv.runnerApiUrl}) needs the execution's token`);
  const passphrase = env[RunnerEnv.statePassphrase];
  if (passphrase !== undefined) {
    // Taken as it is: the same bytes must give the same key wherever the user runs tofu with it.
    if (passphrase.length < MIN_PASSPHRASE_LENGTH)
      throw new RunnerInputError(
        RunnerEnv.statePassphrase,
        `the state encryption passphrase has ${passphrase.length} characters; OpenTofu needs at least ${MIN_PASSPHRASE_LENGTH}`,
      );
    secrets.statePassphrase = passphrase;
  }
  return secrets;
}
