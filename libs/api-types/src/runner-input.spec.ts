import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isReservedEnvName, RunnerEnv, RunnerInputError } from './runner-env.js';
import { encodeRunnerInput, parseRunnerInput, type RunnerEnvVar, type RunnerInput } from './runner-input.js';

const input: RunnerInput = {
  action: 'plan',
  execution: 'web-plan-1',
  repository: 'https://git.example.com/infra.git',
  revision: 'main',
  workdir: 'envs/prod',
  workspace: '/workspace',
  noColor: false,
  home: '/home/runner',
  tmpDir: '/tmp',
  backend: 'FromCode',
};

const asEnv = (vars: RunnerEnvVar[]): Record<string, string> => Object.fromEntries(vars.map((v) => [v.name, v.value ?? '']));
const base = asEnv(encodeRunnerInput(input));

/** Asserts a RunnerInputError naming `variable`, with a message matching `message`. */
const refused = (variable: string, message: RegExp) => (err: unknown) => {
  assert.ok(err instanceof RunnerInputError, String(err));
  assert.equal(err.variable, variable);
  assert.match(err.message, new RegExp(`^${variable}: `));
  assert.match(err.message, message);
  return true;
};

describe('encodeRunnerInput', () => {
  it('sets the variables in a stable order, optional ones only when given', () => {
    assert.deepEqual(
      encodeRunnerInput({ ...input, noColor: true, gitCredentialsDir: '/var/run/secrets/git' }).map((e) => `${e.name}=${e.value}`),
      [
        'TOFU_OPERATOR_ACTION=plan',
        'TOFU_OPERATOR_EXECUTION=web-plan-1',
        'TOFU_OPERATOR_REPOSITORY=https://git.example.com/infra.git',
        'TOFU_OPERATOR_REVISION=main',
        'TOFU_OPERATOR_WORKDIR=envs/prod',
        'TOFU_OPERATOR_WORKSPACE=/workspace',
        'TOFU_OPERATOR_NO_COLOR=true',
        'HOME=/home/runner',
        'TMPDIR=/tmp',
        'TOFU_OPERATOR_GIT_CREDENTIALS_DIR=/var/run/secrets/git',
        'TOFU_OPERATOR_BACKEND=FromCode',
      ],
    );
    const { home: _h, tmpDir: _t, backend: _b, ...bare } = input;
    assert.deepEqual(
      encodeRunnerInput(bare).map((e) => e.name),
      [
        RunnerEnv.action,
        RunnerEnv.execution,
        RunnerEnv.repository,
        RunnerEnv.revision,
        RunnerEnv.workdir,
        RunnerEnv.workspace,
        RunnerEnv.noColor,
      ],
    );
  });

  it('every variable it sets is reserved, so a template cannot override one', () => {
    for (const { name } of encodeRunnerInput({ ...input, gitCredentialsDir: '/g' })) assert.ok(isReservedEnvName(name), name);
  });
});

describe('parseRunnerInput', () => {
  it('reads back what encodeRunnerInput wrote', () => {
    assert.deepEqual(parseRunnerInput(base), input);
    const withCredentials = { ...input, revision: '', noColor: true, gitCredentialsDir: '/var/run/secrets/git' };
    assert.deepEqual(parseRunnerInput(asEnv(encodeRunnerInput(withCredentials))), withCredentials);
  });

  it('is lenient where a person runs the runner by hand', () => {
    const parsed = parseRunnerInput({
      TOFU_OPERATOR_ACTION: ' plan ',
      TOFU_OPERATOR_REPOSITORY: 'file:///srv/repo',
      TOFU_OPERATOR_NO_COLOR: '1',
    });
    assert.deepEqual(parsed, {
      action: 'plan',
      execution: '',
      repository: 'file:///srv/repo',
      revision: '',
      workdir: '.',
      workspace: '/workspace',
      noColor: true,
      backend: 'FromCode',
    });
  });

  const refusals: [string, Record<string, string>, string, RegExp][] = [
    [
      'another action',
      { TOFU_OPERATOR_ACTION: 'import' },
      RunnerEnv.action,
      /unsupported action "import"; this runner does "plan", "apply", "destroy"/,
    ],
    ['no action', { TOFU_OPERATOR_ACTION: '' }, RunnerEnv.action, /unsupported action ""/],
    ['no repository', { TOFU_OPERATOR_REPOSITORY: '' }, RunnerEnv.repository, /is not set/],
    [
      'an option as repository',
      { TOFU_OPERATOR_REPOSITORY: '--upload-pack=touch /tmp/x' },
      RunnerEnv.repository,
      /must not start with "-"/,
    ],
    ['an scp-like option', { TOFU_OPERATOR_REPOSITORY: '-oProxy@host:x' }, RunnerEnv.repository, /must not start with "-"/],
    ['an http repository', { TOFU_OPERATOR_REPOSITORY: 'http://example.com/r' }, RunnerEnv.repository, /https:\/\//],
    ['a repository with a space', { TOFU_OPERATOR_REPOSITORY: 'https://u:s3cret@h/r x' }, RunnerEnv.repository, /without spaces/],
    ['a revision option', { TOFU_OPERATOR_REVISION: '--upload-pack=x' }, RunnerEnv.revision, /"--upload-pack=x" must be a git branch/],
    ['a revision range', { TOFU_OPERATOR_REVISION: 'a..b' }, RunnerEnv.revision, /no "\.\."/],
    ['a revision with ~', { TOFU_OPERATOR_REVISION: 'HEAD~1' }, RunnerEnv.revision, /must be a git branch/],
    ['a revision with a colon', { TOFU_OPERATOR_REVISION: 'a:b' }, RunnerEnv.revision, /must be a git branch/],
    ['a long revision', { TOFU_OPERATOR_REVISION: 'x'.repeat(256) }, RunnerEnv.revision, /at most 255 characters/],
    ['an absolute workdir', { TOFU_OPERATOR_WORKDIR: '/etc' }, RunnerEnv.workdir, /relative path/],
    ['a workdir with ..', { TOFU_OPERATOR_WORKDIR: 'a/../../b' }, RunnerEnv.workdir, /"\.\." path segments/],
    ['a relative workspace', { TOFU_OPERATOR_WORKSPACE: 'workspace' }, RunnerEnv.workspace, /absolute path/],
    ['a bad colour switch', { TOFU_OPERATOR_NO_COLOR: 'sometimes' }, RunnerEnv.noColor, /true or false/],
  ];
  for (const [what, change, variable, message] of refusals) {
    it(`refuses ${what}, naming ${variable}`, () =>
      assert.throws(() => parseRunnerInput({ ...base, ...change }), refused(variable, message)));
  }

  it('never puts the repository URL, which may hold credentials, in a message', () => {
    assert.throws(
      () => parseRunnerInput({ ...base, TOFU_OPERATOR_REPOSITORY: 'https://u:s3cret@h/r x' }),
      (err: Error) => !err.message.includes('s3cret'),
    );
  });
});

describe('isReservedEnvName', () => {
  for (const [name, reserved] of [
    ['TOFU_OPERATOR_REPOSITORY', true],
    ['TOFU_OPERATOR_TERMINATION_LOG', true],
    ['HOME', true],
    ['TMPDIR', true],
    ['TF_VAR_region', false],
    ['TOFU_BINARY', false],
  ] as const)
    it(`${name}: ${reserved ? 'reserved' : 'free'}`, () => assert.equal(isReservedEnvName(name), reserved));
});
