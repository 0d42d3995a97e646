import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import type { TofuExecution } from '@tofu-operator/api-types';
import type { Job, KubeClient, Logger, Pod } from '@tofu-operator/reconcile-runtime';
import type { ClusterCache } from '../kube/cluster-cache.js';
import type { MetricsService } from '../metrics/metrics.service.js';
import type { StoredLog } from './log-chunks.js';
import { LogHub } from './log-hub.service.js';
import type { LogStore } from './log-store.service.js';

const execution: TofuExecution = {
  apiVersion: 'tofu-operator.io/v1alpha1',
  kind: 'TofuExecution',
  metadata: { name: 'x', namespace: 'ns', uid: 'xu' },
  spec: { action: 'plan', moduleRef: { name: 'm' } },
  status: { jobName: 'x' },
};
const job: Job = { metadata: { name: 'x', namespace: 'ns', uid: 'ju' } };
const runnerPod = (state: 'waiting' | 'running'): Pod => ({
  metadata: { name: 'x-pod', namespace: 'ns', creationTimestamp: '2026-01-01T00:00:00Z' },
  status: { containerStatuses: [{ name: 'runner', state: { [state]: {} } }] },
});

/** A hub over a fixed cache view (the execution's Job and its pods), a scripted pod log and a scripted store. */
function hub(pods: Pod[], stored: StoredLog) {
  const reads: string[] = [];
  const cache = {
    pods: { onEvent: () => undefined, byIndex: (_i: string, uid: string) => (uid === 'ju' ? pods : []) },
    executions: { onEvent: () => undefined },
    jobs: { get: (ns: string, name: string) => (ns === 'ns' && name === 'x' ? job : undefined) },
  } as unknown as ClusterCache;
  const client = {
    stream: (path: string) => {
      reads.push(`pod ${path}`);
      return Promise.resolve(Readable.from([Buffer.from('2026-01-01T00:00:01Z one\n2026-01-01T00:00:02Z two\n')]));
    },
  } as unknown as KubeClient;
  const store = {
    read: () => {
      reads.push('store');
      return Promise.resolve(stored);
    },
  } as unknown as LogStore;
  return { h: new LogHub(cache, client, store, {} as MetricsService, { logMaxBytes: 2 ** 20 }, {} as Logger), reads };
}

describe('LogHub.read', () => {
  it('reads the pod while its runner has started, not the store', async () => {
    const { h, reads } = hub([runnerPod('running')], { lines: ['stale'], final: false });
    assert.deepEqual(await h.read(execution), ['one', 'two']);
    assert.deepEqual(reads, ['pod /api/v1/namespaces/ns/pods/x-pod/log']);
  });

  it('reads the store for an ended run whose log is stored to the end, though the pod is still there (its log may be rotated)', async () => {
    const { h, reads } = hub([runnerPod('running')], { lines: ['a', 'b', 'c'], final: true });
    const ended = { ...execution, status: { ...execution.status, phase: 'Succeeded' as const } };
    assert.deepEqual(await h.read(ended), ['a', 'b', 'c']);
    assert.deepEqual(reads, ['store']);
  });

  it('reads the pod for an ended run whose log is not stored to the end yet', async () => {
    const { h, reads } = hub([runnerPod('running')], { lines: ['one'], final: false });
    const ended = { ...execution, status: { ...execution.status, phase: 'Failed' as const } };
    assert.deepEqual(await h.read(ended), ['one', 'two']);
    assert.deepEqual(reads, ['store', 'pod /api/v1/namespaces/ns/pods/x-pod/log']);
  });

  it('reads the store once the pod is gone', async () => {
    const { h, reads } = hub([], { lines: ['a', 'b'], final: true });
    assert.deepEqual(await h.read(execution), ['a', 'b']);
    assert.deepEqual(reads, ['store']);
  });

  it('serves the stored prefix when the pod is gone before its log was stored to the end', async () => {
    const { h } = hub([], { lines: ['a'], final: false });
    assert.deepEqual(await h.read(execution), ['a']);
  });

  it('has no log before the runner starts or when none was kept', async () => {
    assert.equal(await hub([runnerPod('waiting')], { lines: [], final: false }).h.read(execution), undefined);
    assert.equal(await hub([], { lines: [], final: false }).h.read(execution), undefined);
  });

  it('a stored empty log is a log', async () => {
    assert.deepEqual(await hub([], { lines: [], final: true }).h.read(execution), []);
  });
});
