import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { BACKEND_OVERRIDE_FILE, childEnv, stateUrl, tofuBackendEnv, writeBackendOverride } from './backend.js';
import { tempDir } from './testing/fixtures.js';

const base: NodeJS.ProcessEnv = {
  PATH: '/usr/bin',
  TF_VAR_region: 'eu',
  TF_HTTP_ADDRESS: 'https://gitlab.example.com/api/v4/projects/1/terraform/state/prod',
  TF_HTTP_PASSWORD: 'glpat-user-token',
  TF_HTTP_LOCK_METHOD: 'POST',
  TF_ENCRYPTION: 'the template’s own',
  TOFU_OPERATOR_RUNNER_TOKEN: 'runner-token',
  TOFU_OPERATOR_STATE_PASSPHRASE: 'passphrase-of-16+',
};

describe('stateUrl', () => {
  it('is the runner API path of the owner', () => {
    assert.equal(stateUrl('http://op:8082', 'team-a', { kind: 'stack', name: 'web.eu' }), 'http://op:8082/state/team-a/stack/web.eu');
  });
});

describe('childEnv', () => {
  it('gives no child the runner token or the passphrase', () => {
    const env = childEnv(base);
    assert.equal(env.TOFU_OPERATOR_RUNNER_TOKEN, undefined);
    assert.equal(env.TOFU_OPERATOR_STATE_PASSPHRASE, undefined);
    assert.equal(env.TF_VAR_region, 'eu');
    assert.equal(base.TOFU_OPERATOR_RUNNER_TOKEN, 'runner-token', 'the runner’s own environment is untouched');
  });
});

describe('tofuBackendEnv', () => {
  const http = { address: 'http://op:8082/state/ns/module/web', username: 'web-plan-1', password: 'runner-token' };

  it('points the http backend at the owner’s state, dropping the template’s TF_HTTP_* settings', () => {
    const env = tofuBackendEnv(base, { http });
    assert.deepEqual(Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('TF_HTTP_'))), {
      TF_HTTP_ADDRESS: http.address,
      TF_HTTP_LOCK_ADDRESS: http.address,
      TF_HTTP_UNLOCK_ADDRESS: http.address,
      TF_HTTP_LOCK_METHOD: 'LOCK',
      TF_HTTP_UNLOCK_METHOD: 'UNLOCK',
      TF_HTTP_USERNAME: 'web-plan-1',
      TF_HTTP_PASSWORD: 'runner-token',
      TF_HTTP_RETRY_MAX: '30',
      TF_HTTP_RETRY_WAIT_MIN: '1',
      TF_HTTP_RETRY_WAIT_MAX: '10',
    });
    assert.equal(env.TOFU_OPERATOR_RUNNER_TOKEN, undefined);
    assert.equal(env.TF_VAR_region, 'eu');
  });

  it('leaves the code’s own backend its TF_HTTP_* settings and never gives it the token', () => {
    const env = tofuBackendEnv(base, {});
    assert.equal(env.TF_HTTP_PASSWORD, 'glpat-user-token');
    assert.equal(env.TF_HTTP_LOCK_METHOD, 'POST');
    assert.ok(!Object.values(env).includes('runner-token'));
    assert.ok(!Object.values(env).includes('passphrase-of-16+'));
    assert.equal(env.TF_ENCRYPTION, 'the template’s own');
  });

  it('sets TF_ENCRYPTION when the owner encrypts its state', () => {
    assert.equal(tofuBackendEnv(base, { encryption: 'state {}' }).TF_ENCRYPTION, 'state {}');
  });
});

describe('writeBackendOverride', () => {
  it('writes an _override.tf file with an empty http backend block', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      await writeBackendOverride(dir);
      assert.ok(BACKEND_OVERRIDE_FILE.endsWith('_override.tf'));
      assert.match(await readFile(path.join(dir, BACKEND_OVERRIDE_FILE), 'utf8'), /^terraform \{\n {2}backend "http" \{\}\n\}$/m);
    } finally {
      await cleanup();
    }
  });
});
