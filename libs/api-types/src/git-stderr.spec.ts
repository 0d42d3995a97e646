import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { refusedCredentials, refusedHostKey } from './git-stderr.js';

describe('git stderr', () => {
  it('tells a refused host key', () => {
    assert.ok(
      refusedHostKey(
        'No ED25519 host key is known for [10.88.0.1]:2222 and you have requested strict checking.\nHost key verification failed.',
      ),
    );
    assert.ok(refusedHostKey('@@@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @@@'));
    assert.ok(!refusedHostKey("fatal: Authentication failed for 'https://x/'"));
  });
  it('tells refused or missing credentials', () => {
    assert.ok(refusedCredentials('git@10.88.0.1: Permission denied (publickey).'));
    assert.ok(refusedCredentials("fatal: Authentication failed for 'https://10.88.0.1:9443/r.git/'"));
    assert.ok(refusedCredentials("fatal: unable to access 'https://x/': The requested URL returned error: 403"));
    assert.ok(refusedCredentials("fatal: could not read Username for 'https://x': terminal prompts disabled"));
    assert.ok(!refusedCredentials("fatal: unable to access 'https://x/': The requested URL returned error: 404"));
    assert.ok(!refusedCredentials('fatal: unable to connect to 10.88.0.1: Connection refused'));
  });
});
