import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { ResourceType } from '@tofu-operator/api-types';
import { StatusWriter, updateStatus } from './status-writer.js';
import { isConflict, KubeApiError } from './kube-errors.js';
import { FakeClock, flush, track } from '../testing/fake-clock.js';
import { FakeObjects } from '../testing/fake-objects.js';
import type { KubeObject } from './types.js';

interface Run extends KubeObject {
  status?: { phase?: string };
}
const Runs: ResourceType = { group: 'example.com', version: 'v1', plural: 'runs', kind: 'Run', namespaced: true };
const log = pino({ level: 'silent' });
const conflict = () => new KubeApiError('PUT', 'x', 409, { reason: 'Conflict', code: 409 });

const running = { phase: 'Running' };
const final = { phase: 'Succeeded' };
/** Like the operator's statusUnlessFinished: a finished status is kept, anything else becomes Running. */
const keepFinished = (o: Run): Run['status'] => (o.status?.phase === 'Succeeded' ? o.status : running);

function setup(concurrency = 8) {
  const clock = new FakeClock();
  const server = new FakeObjects();
  const writer = new StatusWriter<Run>(server, Runs, log, concurrency, { clock, random: () => 1 });
  const run = (name: string, status?: Run['status']) =>
    server.put<Run>({ apiVersion: 'example.com/v1', kind: 'Run', metadata: { name, namespace: 'ns' }, status });
  const replaces = (name: string) => server.writes().filter((c) => c.key === `ns/${name}`);
  return { clock, server, writer, run, replaces, statusOf: (name: string) => server.peek<Run>('ns', name)?.status };
}

describe('updateStatus', () => {
  it('returns undefined and writes nothing when the status is already as computed', async () => {
    const { server, run } = setup();
    const obj = run('r', running);
    assert.equal(await updateStatus(server, Runs, obj, () => ({ phase: 'Running' })), undefined);
    assert.deepEqual(server.calls, []);
  });

  it('returns the updated object', async () => {
    const { server, run } = setup();
    const updated = await updateStatus(server, Runs, run('r'), () => final);
    assert.deepEqual(updated?.status, final);
    assert.equal(updated?.metadata?.resourceVersion, server.peek('ns', 'r')?.metadata?.resourceVersion);
  });

  it('retries conflicts 10, 20, 30, 40 ms apart, re-reading each time, and gives up after the fifth', async () => {
    const { server, run, clock } = setup();
    server.failures.replace.push(conflict(), conflict(), conflict(), conflict(), conflict());
    const result = track(updateStatus(server, Runs, run('r'), () => final, 'low', clock));
    const replacesAt: number[] = [];
    const start = clock.now();
    for (let t = 0; t <= 100; t++) {
      await flush();
      while (replacesAt.length < server.calls.filter((c) => c.verb === 'replace').length) replacesAt.push(clock.now() - start);
      if (t < 100) await clock.advance(1);
    }
    assert.deepEqual(replacesAt, [0, 10, 30, 60, 100]);
    assert.equal(server.calls.filter((c) => c.verb === 'get').length, 4);
    assert.ok(server.calls.every((c) => c.priority === 'low'));
    assert.equal(result.settled, true);
    assert.ok(isConflict(result.error), 'the fifth conflict is thrown');
  });

  it('throws other errors at once', async () => {
    const { server, run } = setup();
    server.failures.replace.push(new KubeApiError('PUT', 'x', 422, { reason: 'Invalid', code: 422 }));
    await assert.rejects(
      updateStatus(server, Runs, run('r'), () => final),
      (e: unknown) => e instanceof KubeApiError && e.code === 422,
    );
    assert.equal(server.calls.length, 1);
  });
});

describe('StatusWriter and a final status written synchronously', () => {
  it('cancel() drops a queued write, so nothing follows the final status', async () => {
    const { writer, server, clock, run, replaces, statusOf } = setup(1);
    const busy = server.holdNext('replace');
    writer.submit(run('busy'), () => running);
    await busy.reached;
    const obj = run('r', { phase: 'Pending' });
    // Queued behind "busy"; computes Running from whatever object it is given.
    writer.submit(obj, () => running);
    writer.cancel(obj);
    await updateStatus(server, Runs, obj, () => final);
    busy.release();
    await clock.advance(100);
    await writer.idle();
    assert.equal(replaces('r').length, 1, 'only the final write');
    assert.deepEqual(statusOf('r'), final);
  });

  it('a background write in flight loses to the final write: it re-reads and does not replace it', async () => {
    const { writer, server, clock, run, replaces, statusOf } = setup();
    const obj = run('r', { phase: 'Pending' });
    const inFlight = server.holdNext('replace');
    const seen: (string | undefined)[] = [];
    writer.submit(obj, (o) => {
      seen.push(o.status?.phase);
      return keepFinished(o);
    });
    await inFlight.reached;
    writer.cancel(obj);
    await updateStatus(server, Runs, obj, () => final);
    inFlight.release();
    await clock.advance(100);
    await writer.idle();
    assert.deepEqual(seen, ['Pending', 'Pending', 'Succeeded'], 'computed again from the object the final write left');
    assert.equal(replaces('r').length, 2, 'the background write and the final one, nothing after');
    assert.deepEqual(statusOf('r'), final);
  });

  it('a failed write retried after its backoff does not replace a final status written meanwhile', async () => {
    const { writer, server, clock, run, replaces, statusOf } = setup();
    const obj = run('r', { phase: 'Pending' });
    server.failures.replace.push(new KubeApiError('PUT', 'x', 503, { reason: 'ServiceUnavailable', code: 503 }));
    writer.submit(obj, keepFinished);
    await flush();
    assert.deepEqual(clock.pending(), [500]);
    writer.cancel(obj);
    await updateStatus(server, Runs, obj, () => final);
    await clock.advance(1_000);
    await writer.idle();
    assert.deepEqual(statusOf('r'), final);
    assert.equal(replaces('r').length, 3, 'failed, final, the retry that conflicted; none wrote over the final status');
  });
});
