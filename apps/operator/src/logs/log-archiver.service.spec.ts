import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TofuExecution } from '@tofu-operator/api-types';
import type { Logger } from '@tofu-operator/reconcile-runtime';
import type { OperatorConfig } from '../config/operator-config.js';
import type { ClusterCache } from '../kube/cluster-cache.js';
import { Leadership } from '../kube/leadership.js';
import { LogArchiver } from './log-archiver.service.js';
import { gapMarker, namespaceFullMarker, type StoredTail } from './log-chunks.js';
import type { LogHub } from './log-hub.service.js';
import type { LogSink } from './log-session.js';
import type { ChunkWrite, LogStore } from './log-store.service.js';

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

/** An archiver over one running execution, with a fake hub session the test drives and a fake store. */
function archiving(tail: StoredTail, usage = { chunks: 0, bytes: 0 }, caps = { chunks: 100, bytes: 2 ** 30 }) {
  const leadership = new Leadership();
  const execution = {
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuExecution',
    metadata: { name: 'x', namespace: 'ns', uid: 'xu' },
    spec: { action: 'plan', moduleRef: { name: 'm' } },
    status: { phase: 'Running', startTime: '2026-11-25T22:00:00Z' },
  } as TofuExecution;
  const writes: ChunkWrite[] = [];
  let sink: LogSink | undefined;
  let closed = false;
  const store = {
    finishedUids: () => Promise.resolve(new Set<string>()),
    tail: () => Promise.resolve(tail),
    usage: () => Promise.resolve({ ...usage }),
    write: (_x: TofuExecution, c: ChunkWrite) => {
      writes.push(c);
      return Promise.resolve(0);
    },
  } as unknown as LogStore;
  const hub = {
    open: (_ns: string, _name: string, s: LogSink) => {
      sink = s;
      return { close: () => (closed = true) };
    },
  } as unknown as LogHub;
  const cache = { executions: { onEvent: () => undefined, list: () => [execution] } } as unknown as ClusterCache;
  const log = { warn: () => undefined } as unknown as Logger;
  const config = { role: 'all', watchNamespace: undefined, logNamespaceMaxChunks: caps.chunks, logNamespaceMaxBytes: caps.bytes };
  const a = new LogArchiver(cache, hub, store, leadership, config as OperatorConfig, log);
  const settle = () => new Promise((r) => setImmediate(r));
  return {
    a,
    writes,
    closed: () => closed,
    async start() {
      leadership.set(true);
      await settle();
      await settle();
      assert.ok(sink, 'the archiver opened its own session');
      return sink;
    },
    settle,
  };
}

describe('LogArchiver storing a log', () => {
  it('resumes after the stored chunks when the pod log has the same lines: stored lines are not written again', async () => {
    const t = archiving({ final: false, next: { index: 2, firstLine: 4 }, last: { index: 1, firstLine: 2, lines: ['c', 'd'] } });
    const sink = await t.start();
    await sink.lines(0, ['a', 'b', 'c', 'd', 'e']);
    sink.state('ended', { lines: 5, stored: false });
    await t.settle();
    assert.deepEqual(t.writes, [{ index: 1, firstLine: 2, lines: ['c', 'd', 'e'], final: true }]);
    await t.a.onApplicationShutdown();
  });

  it('records a gap instead of overwriting when the pod log no longer has the stored lines (rotated)', async () => {
    const t = archiving({ final: false, next: { index: 2, firstLine: 4 }, last: { index: 1, firstLine: 2, lines: ['c', 'd'] } });
    const sink = await t.start();
    await sink.lines(0, ['w', 'x', 'y', 'z']);
    sink.state('ended', { lines: 4, stored: false });
    await t.settle();
    assert.deepEqual(t.writes, [{ index: 1, firstLine: 2, lines: ['c', 'd', gapMarker(4), 'y', 'z'], final: true }]);
    await t.a.onApplicationShutdown();
  });

  it('records a gap when the pod log ends before the stored lines', async () => {
    const t = archiving({ final: false, next: { index: 1, firstLine: 3 }, last: { index: 0, firstLine: 0, lines: ['a', 'b', 'c'] } });
    const sink = await t.start();
    await sink.lines(0, ['a']);
    sink.state('ended', { lines: 1, stored: false, message: 'the runner pod was removed before its log ended' });
    await t.settle();
    assert.deepEqual(t.writes, [
      {
        index: 0,
        firstLine: 0,
        lines: ['a', 'b', 'c', gapMarker(3)],
        final: true,
        incomplete: 'the runner pod was removed before its log ended',
      },
    ]);
    await t.a.onApplicationShutdown();
  });

  it('seals full chunks and holds the session until each sealed chunk is written', async () => {
    const t = archiving({ final: false, next: { index: 0, firstLine: 0 } });
    const sink = await t.start();
    const line = 'x'.repeat(1023); // 1 KiB with its newline
    const wait = sink.lines(
      0,
      Array.from({ length: 300 }, () => line),
    );
    assert.ok(wait instanceof Promise, 'sealing a chunk answers a promise (back-pressure)');
    await wait;
    assert.deepEqual(
      t.writes.map((w) => [w.index, w.firstLine, w.lines.length, w.final]),
      [[0, 0, 256, false]],
    );
    sink.state('ended', { lines: 300, stored: false });
    await t.settle();
    assert.deepEqual(t.writes[1] && [t.writes[1].index, t.writes[1].firstLine, t.writes[1].lines.length, t.writes[1].final], [
      1,
      256,
      44,
      true,
    ]);
    await t.a.onApplicationShutdown();
  });

  it('ends the log with a marker when its namespace has no room for another chunk', async () => {
    const t = archiving({ final: false, next: { index: 0, firstLine: 0 } }, { chunks: 5, bytes: 0 }, { chunks: 5, bytes: 2 ** 30 });
    const sink = await t.start();
    await sink.lines(
      0,
      Array.from({ length: 300 }, () => 'y'.repeat(1023)),
    );
    await t.settle();
    assert.equal(t.writes.length, 1);
    const w = t.writes[0]!;
    const marker = namespaceFullMarker('ns', '5 of 5 chunks stored');
    assert.deepEqual([w.index, w.final, w.lines.length, w.lines.at(-1), w.incomplete], [0, true, 257, marker, marker]);
    assert.equal(t.closed(), true, 'the session is closed: nothing more is read');
    assert.equal(sink.lines(300, ['late']), undefined);
    await t.a.onApplicationShutdown();
    assert.equal(t.writes.length, 1);
  });
});
