import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { KubeApiError, type KubeClient, type Logger } from '@tofu-operator/reconcile-runtime';
import type { TofuModule } from '@tofu-operator/api-types';
import { ApiError } from '../http/errors.js';
import { RetryLaterError } from '../http/review-limits.js';
import type { ClusterCache } from '../kube/cluster-cache.js';
import type { SourcePoller } from '../source/source-poller.js';
import { HooksService } from './hooks.service.js';

const SECRET = 'hook-secret';
const body = Buffer.from('{"ref":"refs/heads/main"}');
const signed = (b: Buffer = body, s = SECRET) => ({ 'x-hub-signature-256': `sha256=${createHmac('sha256', s).update(b).digest('hex')}` });

function setup() {
  const modules: Record<string, TofuModule['spec']['source']> = {
    hooked: { repository: 'git://h/r', webhookSecretRef: { name: 'push' } },
    custom: { repository: 'git://h/r', webhookSecretRef: { name: 'push', key: 'other' } },
    plain: { repository: 'git://h/r' },
    broken: { repository: 'git://h/r', webhookSecretRef: { name: 'gone' } },
  };
  const cache = {
    modules: { get: (_ns: string, name: string) => (modules[name] ? { spec: { source: modules[name] } } : undefined) },
  } as unknown as ClusterCache;
  const client = {
    get: (_rt: unknown, _ns: string, name: string) =>
      name === 'push'
        ? Promise.resolve({ data: { token: Buffer.from(`${SECRET}\n`).toString('base64'), other: Buffer.from('x').toString('base64') } })
        : Promise.reject(new KubeApiError('GET', '/x', 404, undefined)),
  } as unknown as KubeClient;
  const polled: string[] = [];
  const poller = { requestPoll: (_ns: string, name: string) => Promise.resolve(polled.push(name) > 0) } as unknown as SourcePoller;
  const log = { info: () => undefined, warn: () => undefined } as unknown as Logger;
  return { hooks: new HooksService(cache, client, poller, log), polled };
}

async function status(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 202;
  } catch (err) {
    assert.ok(err instanceof ApiError, String(err));
    if (err.status === 401) assert.equal(err.message, 'the webhook is not signed with the secret of spec.source.webhookSecretRef');
    return err.status;
  }
}

describe('HooksService', () => {
  it('polls on a valid signature (the Secret value without its trailing line break, the key of the reference)', async () => {
    const { hooks, polled } = setup();
    assert.deepEqual(await hooks.push('ns', 'hooked', signed(), body, '10.0.0.1'), { polled: true });
    assert.equal(await status(hooks.push('ns', 'custom', { 'x-gitlab-token': 'x' }, body, '10.0.0.1')), 202);
    assert.deepEqual(polled, ['hooked', 'custom']);
  });

  it('answers the same 401 for every refusal and polls nothing', async () => {
    const { hooks, polled } = setup();
    const cases: [string, Record<string, string>][] = [
      ['hooked', {}],
      ['hooked', signed(body, 'wrong')],
      ['hooked', signed(Buffer.from('other body'))],
      ['custom', signed()],
      ['plain', signed()],
      ['broken', signed()],
      ['nowhere', signed()],
    ];
    for (const [name, headers] of cases)
      assert.equal(await status(hooks.push('ns', name, headers, body, `10.0.1.${name.length}`)), 401, name);
    assert.deepEqual(polled, []);
  });

  it('limits refusals per address with 429, other addresses unaffected', async () => {
    const { hooks } = setup();
    let last = 0;
    for (let i = 0; i < 25; i++) last = await status(hooks.push('ns', 'hooked', {}, body, '10.0.2.1'));
    assert.equal(last, 429);
    await assert.rejects(hooks.push('ns', 'hooked', signed(), body, '10.0.2.1'), RetryLaterError);
    assert.equal(await status(hooks.push('ns', 'hooked', signed(), body, '10.0.2.2')), 202);
  });
});
