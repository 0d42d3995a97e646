import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { KubeApiError, type KubeClient } from '@tofu-operator/reconcile-runtime';
import { truncationMarker } from './log-chunks.js';
import { openRunnerLog, readRunnerLog } from './pod-log.js';

/** A client whose pods/log answers are scripted; it records each request. */
function client(answer: () => Promise<Readable>) {
  const calls: { path: string; query: unknown }[] = [];
  const c = {
    stream: (path: string, query: unknown) => {
      calls.push({ path, query });
      return answer();
    },
  } as unknown as KubeClient;
  return { c, calls };
}
const body =
  (...parts: string[]) =>
  () =>
    Promise.resolve(Readable.from(parts.map((p) => Buffer.from(p))));

describe('openRunnerLog', () => {
  it('asks for the runner container with timestamps, following and resuming only when told', async () => {
    const { c, calls } = client(body());
    const signal = new AbortController().signal;
    await openRunnerLog(c, 'n s', 'p/1', {}, signal);
    await openRunnerLog(c, 'ns', 'p', { follow: true, sinceTime: '2026-01-01T00:00:01Z' }, signal);
    assert.deepEqual(calls, [
      { path: '/api/v1/namespaces/n%20s/pods/p%2F1/log', query: { container: 'runner', timestamps: true } },
      {
        path: '/api/v1/namespaces/ns/pods/p/log',
        query: { container: 'runner', timestamps: true, follow: true, sinceTime: '2026-01-01T00:00:01Z' },
      },
    ]);
  });
});

describe('readRunnerLog', () => {
  it('reads the lines to the current end, timestamps removed, across chunk boundaries', async () => {
    const { c, calls } = client(
      body('2026-11-25T22:00:01.000000001Z first\n2026-11-25T22:00:01.5Z sec', 'ond\n2026-11-25T22:00:02Z \n', '2026-11-25T22:00:03Z last'),
    );
    assert.deepEqual(await readRunnerLog(c, 'ns', 'p', 2 ** 20), ['first', 'second', '', 'last']);
    assert.equal(calls.length, 1, 'one request, no follow');
  });

  it('stops reading at the cap and ends with the truncation marker', async () => {
    let pulled = 0;
    const lines = function* () {
      for (let i = 0; i < 1000; i++) {
        pulled++;
        yield Buffer.from(`2026-11-25T22:00:01Z line ${String(i).padStart(4, '0')}\n`);
      }
    };
    const { c } = client(() => Promise.resolve(Readable.from(lines())));
    const got = await readRunnerLog(c, 'ns', 'p', 100); // 10 lines of 10 bytes
    assert.deepEqual(got, [...Array.from({ length: 10 }, (_, i) => `line ${String(i).padStart(4, '0')}`), truncationMarker(100)]);
    assert.ok(pulled < 20, `read ${pulled} pieces of a 1000-line log`);
  });

  it('is empty while the container waits to start (400)', async () => {
    const { c } = client(() => Promise.reject(new KubeApiError('GET', '/log', 400, { message: 'waiting to start' })));
    assert.deepEqual(await readRunnerLog(c, 'ns', 'p', 2 ** 20), []);
  });

  it('passes other errors on', async () => {
    const { c } = client(() => Promise.reject(new KubeApiError('GET', '/log', 403, { message: 'forbidden' })));
    await assert.rejects(readRunnerLog(c, 'ns', 'p', 2 ** 20), (e: unknown) => e instanceof KubeApiError && e.code === 403);
  });
});
