import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RunnerError } from './errors.js';
import { configFromEnv, terminationLogPath } from './runner.js';

const base = {
  TOFU_OPERATOR_ACTION: 'plan',
  TOFU_OPERATOR_EXECUTION: 'web-plan-1',
  TOFU_OPERATOR_REPOSITORY: 'https://git.example.com/infra.git',
  TOFU_OPERATOR_REVISION: 'main',
  TOFU_OPERATOR_WORKDIR: 'envs/prod',
  TOFU_OPERATOR_WORKSPACE: '/workspace',
  TOFU_OPERATOR_NO_COLOR: 'false',
  TMPDIR: '/tmp',
};
const invalidInput = (err: unknown): boolean => err instanceof RunnerError && err.category === 'InvalidInput';

describe('configFromEnv', () => {
  it('reads what the Job template sets', () => {
    assert.deepEqual(configFromEnv(base), {
      action: 'plan',
      execution: 'web-plan-1',
      repository: 'https://git.example.com/infra.git',
      revision: 'main',
      workdir: 'envs/prod',
      workspace: '/workspace',
      noColor: false,
      backend: 'FromCode',
      secrets: {},
      tofuBinary: 'tofu',
      tmpDir: '/tmp',
    });
  });

  it('applies defaults and optional settings', () => {
    const config = configFromEnv({
      ...base,
      TOFU_OPERATOR_REVISION: '',
      TOFU_OPERATOR_WORKDIR: '',
      TOFU_OPERATOR_NO_COLOR: 'true',
      TOFU_OPERATOR_GIT_CREDENTIALS_DIR: '/var/run/secrets/tofu-operator/git',
      TOFU_BINARY: '/opt/tofu',
    });
    assert.equal(config.revision, '');
    assert.equal(config.workdir, '.');
    assert.equal(config.noColor, true);
    assert.equal(config.gitCredentialsDir, '/var/run/secrets/tofu-operator/git');
    assert.equal(config.tofuBinary, '/opt/tofu');
  });

  it('refuses other actions', () => {
    assert.throws(() => configFromEnv({ ...base, TOFU_OPERATOR_ACTION: 'import' }), invalidInput);
    assert.throws(() => configFromEnv({ ...base, TOFU_OPERATOR_ACTION: '' }), invalidInput);
  });

  it('refuses a missing or option-like repository, without printing its credentials', () => {
    assert.throws(() => configFromEnv({ ...base, TOFU_OPERATOR_REPOSITORY: '' }), invalidInput);
    assert.throws(() => configFromEnv({ ...base, TOFU_OPERATOR_REPOSITORY: '--upload-pack=touch /tmp/x' }), invalidInput);
    assert.throws(
      () => configFromEnv({ ...base, TOFU_OPERATOR_REPOSITORY: 'https://u:s3cret@h/r x' }),
      (err: Error) => invalidInput(err) && !err.message.includes('s3cret'),
    );
  });

  it('refuses revisions git could read as options or ranges', () => {
    for (const revision of ['-b', '--upload-pack=x', 'a..b', 'a b', 'HEAD~1', 'a:b', 'x'.repeat(256)]) {
      assert.throws(() => configFromEnv({ ...base, TOFU_OPERATOR_REVISION: revision }), invalidInput, revision);
    }
  });

  it('needs an absolute workspace', () => {
    assert.throws(() => configFromEnv({ ...base, TOFU_OPERATOR_WORKSPACE: 'workspace' }), invalidInput);
  });
});

describe('terminationLogPath', () => {
  it('defaults to the kubelet path', () => {
    assert.equal(terminationLogPath({}), '/dev/termination-log');
    assert.equal(terminationLogPath({ TOFU_OPERATOR_TERMINATION_LOG: '/tmp/t' }), '/tmp/t');
  });
});
