import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { ResourceType } from '@tofu-operator/api-types';
import { OWN_WRITE_MEMORY_MS, StatusWriter } from './status-writer.js';
import { FakeClock } from '../testing/fake-clock.js';
import { FakeObjects } from '../testing/fake-objects.js';
import type { KubeObject } from './types.js';

// A reconciler's cache shows the writer's own status write a little later than the write's answer
// comes: submissions made meanwhile carry the version that write replaced. They are rebased onto the
// answer instead of conflicting (a failed write and a read each time, under load).

interface Thing extends KubeObject {
  status?: { phase?: string; step?: number; reason?: string };
}
const Things: ResourceType = { group: 'example.com', version: 'v1', plural: 'things', kind: 'Thing', namespaced: true };
const log = pino({ level: 'silent' });

function setup() {
  const clock = new FakeClock();
  const server = new FakeObjects();
  const writer = new StatusWriter<Thing>(server, Things, log, 8, { clock, random: () => 1 });
  const cached = server.put<Thing>({ apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 'a', namespace: 'ns' } });
  const verbs = () => server.calls.map((c) => `${c.verb} ${c.body?.metadata?.resourceVersion ?? ''}`.trim());
  return { clock, server, writer, cached, verbs };
}

describe('StatusWriter rebases submissions made from the version its own write replaced', () => {
  it('writes a new status on top of its last write: no conflict, no re-read', async () => {
    const { writer, server, cached, verbs } = setup();
    writer.submit(cached, () => ({ phase: 'Pending' }));
    await writer.idle();
    const afterFirst = server.peek<Thing>('ns', 'a')!.metadata!.resourceVersion;
    // The cache still shows `cached` (before the first write); the pod's state changed.
    assert.equal(
      writer.submit(cached, (o) => ({ ...o.status, reason: 'Unschedulable' })),
      true,
    );
    await writer.idle();
    assert.deepEqual(verbs(), [`replace ${cached.metadata!.resourceVersion}`, `replace ${afterFirst}`]);
    assert.deepEqual(server.peek<Thing>('ns', 'a')!.status, { phase: 'Pending', reason: 'Unschedulable' });
  });

  it('does not write again what its last write already wrote (submit answers false)', async () => {
    const { writer, server, cached } = setup();
    writer.submit(cached, () => ({ phase: 'Pending' }));
    await writer.idle();
    assert.equal(
      writer.submit(cached, () => ({ phase: 'Pending' })),
      false,
    );
    await writer.idle();
    assert.equal(server.calls.length, 1);
  });

  it('rebases through a chain of its own writes while the cache lags behind all of them', async () => {
    const { writer, server, cached } = setup();
    writer.submit(cached, () => ({ step: 1 }));
    await writer.idle();
    const afterFirst = server.peek<Thing>('ns', 'a')!;
    writer.submit(cached, () => ({ step: 2 }));
    await writer.idle();
    // Submissions from either older version land on the second write's answer.
    writer.submit(afterFirst, (o) => ({ step: (o.status?.step ?? 0) + 10 }));
    await writer.idle();
    writer.submit(cached, (o) => ({ step: (o.status?.step ?? 0) + 100 }));
    await writer.idle();
    assert.deepEqual(
      server.calls.map((c) => [c.verb, (c.body as Thing).status?.step]),
      [
        ['replace', 1],
        ['replace', 2],
        ['replace', 12],
        ['replace', 112],
      ],
    );
  });

  it('uses a submission from any other version as it is (another writer changed the object)', async () => {
    const { writer, server, cached } = setup();
    writer.submit(cached, () => ({ phase: 'Pending' }));
    await writer.idle();
    // Someone else wrote after us: the reconciler now sees their version, status included.
    const theirs = server.put<Thing>({ ...server.peek<Thing>('ns', 'a')!, status: { phase: 'Running' } });
    writer.submit(theirs, (o) => ({ ...o.status, step: 1 }));
    await writer.idle();
    assert.deepEqual(server.peek<Thing>('ns', 'a')!.status, { phase: 'Running', step: 1 });
    assert.deepEqual(
      server.calls.map((c) => c.verb),
      ['replace', 'replace'],
    );
  });

  it('forgets its writes after OWN_WRITE_MEMORY_MS: a submission that stale conflicts, re-reads and still ends right', async () => {
    const { writer, server, cached, clock } = setup();
    writer.submit(cached, () => ({ phase: 'Pending' }));
    await writer.idle();
    await clock.advance(OWN_WRITE_MEMORY_MS);
    writer.submit(cached, (o) => ({ ...o.status, step: 1 }));
    await clock.advance(100);
    await writer.idle();
    assert.deepEqual(
      server.calls.map((c) => c.verb),
      ['replace', 'replace', 'get', 'replace'],
    );
    assert.deepEqual(server.peek<Thing>('ns', 'a')!.status, { phase: 'Pending', step: 1 });
  });

  it('writeNow: a final status written at once lands on its own last background write and is remembered', async () => {
    const { writer, server, cached, clock, verbs } = setup();
    writer.submit(cached, () => ({ phase: 'Pending' }));
    await writer.idle();
    const afterFirst = server.peek<Thing>('ns', 'a')!.metadata!.resourceVersion;
    // The run ended; the reconciler's cache still shows the version before the background write.
    const writing = writer.writeNow(cached, (o) => ({ ...o.status, reason: 'Cancelled' }));
    await clock.advance(100); // what a conflict's retry would wait
    const written = await writing;
    assert.deepEqual(written?.status, { phase: 'Pending', reason: 'Cancelled' });
    assert.deepEqual(server.peek<Thing>('ns', 'a')!.status, { phase: 'Pending', reason: 'Cancelled' });
    // A later submission from the stale cache is rebased onto the final write: it computes the same, no write.
    assert.equal(
      writer.submit(cached, (o) => o.status),
      false,
    );
    await writer.idle();
    assert.deepEqual(verbs(), [`replace ${cached.metadata!.resourceVersion}`, `replace ${afterFirst}`]);
  });

  it('writeNow: a version another writer replaced conflicts as before, is re-read once and written on top', async () => {
    const { writer, server, cached, clock, verbs } = setup();
    const theirs = server.put<Thing>({ ...cached, status: { phase: 'Running' } });
    const writing = writer.writeNow(cached, (o) => ({ ...o.status, reason: 'Cancelled' }));
    await clock.advance(100);
    const written = await writing;
    assert.deepEqual(written?.status, { phase: 'Running', reason: 'Cancelled' });
    assert.deepEqual(verbs(), [`replace ${cached.metadata!.resourceVersion}`, 'get', `replace ${theirs.metadata!.resourceVersion}`]);
  });
});
