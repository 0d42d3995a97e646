import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Logger } from '@tofu-operator/reconcile-runtime';
import type { OperatorConfig } from '../config/operator-config.js';
import type { ClusterCache } from '../kube/cluster-cache.js';
import { Leadership } from '../kube/leadership.js';
import { LogArchiver } from './log-archiver.service.js';
import type { LogHub } from './log-hub.service.js';
import type { LogStore } from './log-store.service.js';

/** An archiver over an empty cache, counting how often it lists the stored logs (once per sweep until it has them). */
function archiver(role: OperatorConfig['role'], failLists = 0) {
  const leadership = new Leadership();
  let lists = 0;
  const store = {
    finishedUids: () => {
      lists++;
      return lists <= failLists ? Promise.reject(new Error('API server away')) : Promise.resolve(new Set<string>());
    },
  } as unknown as LogStore;
  const cache = { executions: { onEvent: () => undefined, list: () => [] } } as unknown as ClusterCache;
  const log = { warn: () => undefined } as unknown as Logger;
  const a = new LogArchiver(cache, {} as LogHub, store, leadership, { role, watchNamespace: undefined } as OperatorConfig, log);
  return { a, leadership, lists: () => lists };
}

describe('LogArchiver and leadership', () => {
  it('sweeps at once when this replica becomes leader, and not before', async () => {
    const { a, leadership, lists } = archiver('all');
    assert.equal(lists(), 0, 'a standby archives nothing');
    leadership.set(true);
    assert.equal(lists(), 1, 'the first sweep starts with the leadership event');
    await a.onApplicationShutdown();
  });

  it('retries a failed first sweep within the tick, and stops when leadership ends', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval', 'setTimeout'] });
    const { a, leadership, lists } = archiver('all', 1);
    leadership.set(true);
    await Promise.resolve(); // the failed list settles
    t.mock.timers.tick(1000);
    assert.equal(lists(), 2, 'retried at the next tick');
    await Promise.resolve();
    leadership.set(false);
    t.mock.timers.tick(60_000);
    assert.equal(lists(), 2, 'no sweeps after leadership ended');
    await a.onApplicationShutdown();
  });

  it('an API-only replica never archives', async () => {
    const { a, leadership, lists } = archiver('api');
    leadership.set(true);
    assert.equal(lists(), 0);
    await a.onApplicationShutdown();
  });
});
