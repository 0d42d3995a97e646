import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseRunnerSecrets } from './runner-input-apply.js';
import { isReservedEnvName, RunnerEnv, RunnerInputError } from './runner-env.js';
import { encodeRunnerInput, parseRunnerInput, type RunnerEnvVar, type RunnerInput } from './runner-input.js';

const COMMIT = '0123456789abcdef0123456789abcdef01234567';
const DIGEST = `sha256:${'ab'.repeat(32)}`;

const plan: RunnerInput = {
  action: 'plan',
  execution: 'web-plan-1',
  repository: 'https://git.example.com/infra.git',
  revision: 'main',
  workdir: '.',
  workspace: '/workspace',
  noColor: true,
  namespace: 'team-a',
  owner: { kind: 'stack', name: 'web' },
  backend: 'Operator',
  runnerApiUrl: 'http://tofu-operator-runner.tofu-operator-system.svc:8082',
  destroy: true,
};
const apply: RunnerInput = {
  ...plan,
  action: 'apply',
  execution: 'web-plan-1-apply',
  revision: COMMIT,
  destroy: undefined,
  planRef: { name: 'web-plan-1', digest: DIGEST },
};
delete apply.destroy;

const literals = (vars: RunnerEnvVar[]): Record<string, string> =>
  Object.fromEntries(vars.filter((v) => v.value !== undefined).map((v) => [v.name, v.value ?? '']));

/** Asserts a RunnerInputError naming `variable`, with a message matching `message`. */
const refused = (variable: string, message: RegExp) => (err: unknown) => {
  assert.ok(err instanceof RunnerInputError, String(err));
  assert.equal(err.variable, variable);
  assert.match(err.message, new RegExp(`^${variable}: `));
  assert.match(err.message, message);
  return true;
};

describe('runner input for state and saved plans', () => {
  it('encodes secrets as Secret references, never as values', () => {
    const env = encodeRunnerInput(apply, {
      runnerToken: { name: 'web-plan-1-apply-runner', key: 'token' },
      statePassphrase: { name: 'state-key', key: 'passphrase' },
    });
    assert.deepEqual(
      env.filter((v) => v.valueFrom),
      [
        { name: RunnerEnv.runnerToken, valueFrom: { secretKeyRef: { name: 'web-plan-1-apply-runner', key: 'token' } } },
        { name: RunnerEnv.statePassphrase, valueFrom: { secretKeyRef: { name: 'state-key', key: 'passphrase' } } },
      ],
    );
    for (const v of env) {
      assert.ok(isReservedEnvName(v.name), v.name);
      assert.ok((v.value === undefined) !== (v.valueFrom === undefined), `${v.name}: a value or a reference`);
    }
    assert.deepEqual(
      env
        .filter((v) => v.value !== undefined && /STATE|PLAN|OWNER|RUNNER|NAMESPACE|BACKEND|DESTROY/.test(v.name))
        .map((v) => `${v.name}=${v.value}`),
      [
        'TOFU_OPERATOR_NAMESPACE=team-a',
        'TOFU_OPERATOR_OWNER_KIND=stack',
        'TOFU_OPERATOR_OWNER_NAME=web',
        'TOFU_OPERATOR_BACKEND=Operator',
        'TOFU_OPERATOR_RUNNER_API_URL=http://tofu-operator-runner.tofu-operator-system.svc:8082',
        `TOFU_OPERATOR_PLAN_NAME=web-plan-1`,
        `TOFU_OPERATOR_PLAN_DIGEST=${DIGEST}`,
      ],
    );
  });

  it('reads back a destroy plan and an apply', () => {
    assert.deepEqual(parseRunnerInput(literals(encodeRunnerInput(plan))), plan);
    assert.deepEqual(parseRunnerInput(literals(encodeRunnerInput(apply))), apply);
    assert.deepEqual(parseRunnerInput(literals(encodeRunnerInput({ ...apply, action: 'destroy' }))), { ...apply, action: 'destroy' });
  });

  it('defaults the backend to Operator with a runner API and to FromCode without', () => {
    const env = literals(encodeRunnerInput({ ...plan, backend: undefined }));
    assert.equal(parseRunnerInput(env).backend, 'Operator');
    const { runnerApiUrl: _u, owner: _o, namespace: _n, backend: _b, ...bare } = plan;
    assert.equal(parseRunnerInput(literals(encodeRunnerInput(bare))).backend, 'FromCode');
  });

  it('keeps the runner API base URL without a trailing slash', () => {
    const env = { ...literals(encodeRunnerInput(plan)), [RunnerEnv.runnerApiUrl]: 'https://runner.example:8443/' };
    assert.equal(parseRunnerInput(env).runnerApiUrl, 'https://runner.example:8443');
  });

  const planEnv = literals(encodeRunnerInput(plan));
  const applyEnv = literals(encodeRunnerInput(apply));
  const refusals: [string, Record<string, string>, Record<string, string>, string, RegExp][] = [
    ['a runner API that is not http', planEnv, { [RunnerEnv.runnerApiUrl]: 'ftp://x' }, RunnerEnv.runnerApiUrl, /http:\/\/ or https:\/\//],
    ['a runner API URL with credentials', planEnv, { [RunnerEnv.runnerApiUrl]: 'http://u:pw@x' }, RunnerEnv.runnerApiUrl, /credentials/],
    ['a runner API URL with a query', planEnv, { [RunnerEnv.runnerApiUrl]: 'http://x/?a=1' }, RunnerEnv.runnerApiUrl, /no query/],
    ['no URL at all', planEnv, { [RunnerEnv.runnerApiUrl]: 'not a url' }, RunnerEnv.runnerApiUrl, /is not a URL/],
    ['a runner API without namespace', planEnv, { [RunnerEnv.namespace]: '' }, RunnerEnv.namespace, /is not set/],
    ['a bad namespace', planEnv, { [RunnerEnv.namespace]: 'Team_A' }, RunnerEnv.namespace, /not a namespace name/],
    ['a runner API without execution', planEnv, { [RunnerEnv.execution]: '' }, RunnerEnv.execution, /is not set/],
    ['an unknown owner kind', planEnv, { [RunnerEnv.ownerKind]: 'workspace' }, RunnerEnv.ownerKind, /"module" or "stack"/],
    ['an owner kind without name', planEnv, { [RunnerEnv.ownerName]: '' }, RunnerEnv.ownerName, /is not set/],
    ['a bad owner name', planEnv, { [RunnerEnv.ownerName]: 'Web' }, RunnerEnv.ownerName, /RFC 1123/],
    ['an unknown backend', planEnv, { [RunnerEnv.backend]: 'Kubernetes' }, RunnerEnv.backend, /"Operator" or "FromCode"/],
    ['the Operator backend without a runner API', planEnv, { [RunnerEnv.runnerApiUrl]: '' }, RunnerEnv.runnerApiUrl, /Operator backend/],
    [
      'the Operator backend without an owner',
      planEnv,
      { [RunnerEnv.ownerKind]: '', [RunnerEnv.ownerName]: '' },
      RunnerEnv.ownerKind,
      /owner of the state/,
    ],
    ['a bad destroy flag', planEnv, { [RunnerEnv.destroy]: 'yes' }, RunnerEnv.destroy, /true or false/],
    ['a plan naming a plan', planEnv, { [RunnerEnv.planName]: 'x' }, RunnerEnv.planName, /only for actions apply and destroy/],
    ['a plan with a digest', planEnv, { [RunnerEnv.planDigest]: DIGEST }, RunnerEnv.planDigest, /only for actions apply and destroy/],
    ['an apply without plan', applyEnv, { [RunnerEnv.planName]: '' }, RunnerEnv.planName, /is not set; a apply carries out a saved plan/],
    ['an apply without digest', applyEnv, { [RunnerEnv.planDigest]: '' }, RunnerEnv.planDigest, /"sha256:" followed by 64/],
    ['an apply with a bad digest', applyEnv, { [RunnerEnv.planDigest]: 'sha256:abc' }, RunnerEnv.planDigest, /64 lowercase hex/],
    ['an apply with the destroy flag', applyEnv, { [RunnerEnv.destroy]: 'true' }, RunnerEnv.destroy, /only for action plan/],
    [
      'an apply without runner API',
      applyEnv,
      { [RunnerEnv.runnerApiUrl]: '', [RunnerEnv.backend]: 'FromCode' },
      RunnerEnv.runnerApiUrl,
      /downloads its plan/,
    ],
    ['an apply of a branch', applyEnv, { [RunnerEnv.revision]: 'main' }, RunnerEnv.revision, /must be the plan's commit \(a full SHA\)/],
    ['an apply of a short commit', applyEnv, { [RunnerEnv.revision]: COMMIT.slice(0, 12) }, RunnerEnv.revision, /full SHA/],
  ];
  for (const [what, env, change, variable, message] of refusals) {
    it(`refuses ${what}, naming ${variable}`, () =>
      assert.throws(() => parseRunnerInput({ ...env, ...change }), refused(variable, message)));
  }

  it('never echoes credentials written into the runner API URL', () => {
    assert.throws(
      () => parseRunnerInput({ ...planEnv, [RunnerEnv.runnerApiUrl]: 'http://u:s3cret-pw@x' }),
      (err: Error) => !err.message.includes('s3cret-pw'),
    );
  });
});

describe('parseRunnerSecrets', () => {
  const input = parseRunnerInput(literals(encodeRunnerInput(plan)));
  const passphrase = 'correct horse battery staple';

  it('reads the token (trimmed) and the passphrase (as it is)', () => {
    assert.deepEqual(parseRunnerSecrets({ [RunnerEnv.runnerToken]: ' tok-en\n', [RunnerEnv.statePassphrase]: ` ${passphrase}\n` }, input), {
      runnerToken: 'tok-en',
      statePassphrase: ` ${passphrase}\n`,
    });
  });

  it('needs no secret without a runner API and without encryption', () => {
    const { runnerApiUrl: _u, owner: _o, namespace: _n, backend: _b, ...bare } = plan;
    assert.deepEqual(parseRunnerSecrets({}, parseRunnerInput(literals(encodeRunnerInput(bare)))), {});
  });

  it('refuses a runner API without token, naming the variable', () => {
    assert.throws(() => parseRunnerSecrets({}, input), refused(RunnerEnv.runnerToken, /is not set/));
  });

  it('refuses an empty or short passphrase without printing it', () => {
    for (const value of ['', 'short-secret']) {
      assert.throws(
        () => parseRunnerSecrets({ [RunnerEnv.runnerToken]: 't', [RunnerEnv.statePassphrase]: value }, input),
        (err: unknown) =>
          refused(RunnerEnv.statePassphrase, new RegExp(`has ${value.length} characters; OpenTofu needs at least 16`))(err) &&
          !(value && (err as Error).message.includes(value)),
      );
    }
  });
});
