import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Labels } from '@tofu-operator/api-types';
import { createLogger } from '@tofu-operator/reconcile-runtime';
import { RunnerKeyError, RunnerKeyService } from './runner-key.service.js';
import { FakeSecretApi } from './secret-api.fake.js';
import { buildSecret } from './secret-io.js';

const log = createLogger('test', 'silent');
const config = { leaseNamespace: 'tofu-operator-system' };
const subject = { namespace: 'ns', name: 'web-p1', uid: 'u1' };

describe('RunnerKeyService', () => {
  it('creates the key Secret once and every replica uses it', async () => {
    const api = new FakeSecretApi();
    const a = new RunnerKeyService(api, config, log);
    const b = new RunnerKeyService(api, config, log);
    const [ka, kb] = await Promise.all([a.key(), b.key()]);
    assert.equal(ka.length, 32);
    assert.ok(ka.equals(kb));
    assert.deepEqual(api.names('tofu-operator-system'), ['tofu-operator-runner-key']);
    const secret = api.objects.get('tofu-operator-system/tofu-operator-runner-key');
    assert.equal(secret?.type, 'Opaque');
    assert.equal(secret?.metadata.labels?.[Labels.artifact], 'runner-key');
    assert.equal(await b.verify(subject, await a.mint(subject)), true);
    assert.equal(await b.verify({ ...subject, uid: 'u2' }, await a.mint(subject)), false);
  });

  it('reads the key once per minute, not per request', async () => {
    const api = new FakeSecretApi();
    const keys = new RunnerKeyService(api, config, log);
    for (let i = 0; i < 20; i++) await keys.mint(subject);
    assert.ok(api.calls.length <= 3, `${api.calls.length} calls`);
  });

  it('fails (for a 503) when the Secret can be neither read nor created, and recovers', async () => {
    const api = new FakeSecretApi();
    api.before = () => {
      throw new Error('forbidden');
    };
    const keys = new RunnerKeyService(api, config, log);
    await assert.rejects(keys.key(), RunnerKeyError);
    api.before = undefined;
    assert.equal((await keys.key()).length, 32);
  });

  it('refuses a foreign Secret of that name and a short key', async () => {
    const api = new FakeSecretApi();
    const foreign = buildSecret('tofu-operator-system', 'tofu-operator-runner-key', {}, { key: Buffer.alloc(32) });
    api.objects.set('tofu-operator-system/tofu-operator-runner-key', { ...foreign, metadata: { ...foreign.metadata, labels: {} } });
    await assert.rejects(new RunnerKeyService(api, config, log).key(), RunnerKeyError);
    const short = buildSecret(
      'tofu-operator-system',
      'tofu-operator-runner-key',
      { [Labels.artifact]: 'runner-key' },
      { key: Buffer.alloc(8) },
    );
    api.objects.set('tofu-operator-system/tofu-operator-runner-key', short);
    await assert.rejects(new RunnerKeyService(api, config, log).key(), RunnerKeyError);
  });
});
