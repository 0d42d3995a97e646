import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { KubeApiError, type KubeClient } from '@tofu-operator/reconcile-runtime';
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
    assert.deepEqual(await readRunnerLog(c, 'ns', 'p'), ['first', 'second', '', 'last']);
    assert.equal(calls.length, 1, 'one request, no follow');
  });

  it('is empty while the container waits to start (400)', async () => {
    const { c } = client(() => Promise.reject(new KubeApiError('GET', '/log', 400, { message: 'waiting to start' })));
    assert.deepEqual(await readRunnerLog(c, 'ns', 'p'), []);
  });

  it('passes other errors on', async () => {
    const { c } = client(() => Promise.reject(new KubeApiError('GET', '/log', 403, { message: 'forbidden' })));
    await assert.rejects(readRunnerLog(c, 'ns', 'p'), (e: unknown) => e instanceof KubeApiError && e.code === 403);
  });
});
