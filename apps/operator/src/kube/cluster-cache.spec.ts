import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KubeApiError, type KubeClient, type Logger } from '@tofu-operator/reconcile-runtime';
import type { OperatorConfig } from '../config/operator-config.js';
import { ClusterCache } from './cluster-cache.js';

/** A client whose lists are empty and whose watches wait until stopped; namespaces answer `namespaces`. */
function fakeClient(namespaces: 'ok' | 403) {
  const listed: string[] = [];
  const client = {
    list: (rt: { plural: string }) => {
      listed.push(rt.plural);
      if (rt.plural === 'namespaces' && namespaces === 403)
        return Promise.reject(new KubeApiError('GET', '/api/v1/namespaces', 403, { reason: 'Forbidden', code: 403 }));
      const items =
        rt.plural === 'namespaces' ? [{ metadata: { name: 'team-a', annotations: { 'tofu-operator.io/max-concurrent-runs': '2' } } }] : [];
      return Promise.resolve({ items, metadata: { resourceVersion: '1' } });
    },
    watch: (_path: string, _q: unknown, _on: unknown, signal: AbortSignal) =>
      new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true })),
  } as unknown as KubeClient;
  return { client, listed };
}

const warnings: string[] = [];
const log = {
  info: () => undefined,
  debug: () => undefined,
  error: () => undefined,
  warn: (...args: unknown[]) => warnings.push(String(args.at(-1))),
} as unknown as Logger;

describe('ClusterCache namespaces', () => {
  it('watches Namespaces (metadata) for the run queue and waits for their first list', async () => {
    const { client } = fakeClient('ok');
    const cache = new ClusterCache(client, log, { watchNamespace: undefined } as OperatorConfig);
    cache.start();
    await cache.waitForSync();
    assert.equal(cache.namespaces?.get(undefined, 'team-a')?.metadata?.annotations?.['tofu-operator.io/max-concurrent-runs'], '2');
    await cache.stop();
  });

  it('starts without them when the operator may not list namespaces (403), saying so once', async () => {
    warnings.length = 0;
    const { client } = fakeClient(403);
    const cache = new ClusterCache(client, log, { watchNamespace: undefined } as OperatorConfig);
    cache.start();
    await cache.waitForSync();
    assert.equal(cache.namespaces, undefined);
    assert.equal(warnings.filter((w) => w.includes('may not list namespaces')).length, 1);
    await cache.stop();
  });

  it('has none when one namespace is watched', async () => {
    const { client, listed } = fakeClient('ok');
    const cache = new ClusterCache(client, log, { watchNamespace: 'team-a' } as OperatorConfig);
    cache.start();
    await cache.waitForSync();
    assert.equal(cache.namespaces, undefined);
    assert.ok(!listed.includes('namespaces'));
    await cache.stop();
  });
});
