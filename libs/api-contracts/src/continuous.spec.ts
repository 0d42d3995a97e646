import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { continuousPaths, queueEntries } from './continuous.js';

describe('continuous reconciliation contract', () => {
  it('builds the drift-check and queue paths with encoded segments', () => {
    assert.equal(continuousPaths.driftCheck('team a', 'stacks', 'x/y'), '/api/v1/namespaces/team%20a/stacks/x%2Fy/drift-check');
    assert.equal(continuousPaths.queue('n'), '/api/v1/namespaces/n/queue');
    assert.equal(continuousPaths.queue(), '/api/v1/queue');
  });

  it('lists only queued executions, ordered by position, then since, then namespace and name', () => {
    const exec = (ns: string, name: string, queue?: { position: number; since?: string }, stack?: string) => ({
      metadata: { namespace: ns, name },
      spec: { action: 'plan' as const, moduleRef: { name: 'm' }, ...(stack ? { stackRef: { name: stack } } : {}) },
      ...(queue ? { status: { queue: { ...queue, limit: 'Operator' as const, length: 3 } } } : {}),
    });
    const entries = queueEntries([
      exec('b', 'x', { position: 2, since: '2026-11-30T10:00:00Z' }),
      exec('a', 'running'),
      exec('a', 'z', { position: 1, since: '2026-11-30T10:05:00Z' }, 'net'),
      exec('a', 'y', { position: 2, since: '2026-11-30T10:00:00Z' }),
      exec('a', 'w', { position: 2, since: '2026-11-30T09:00:00Z' }),
    ]);
    assert.deepEqual(
      entries.map((e) => `${e.namespace}/${e.name}@${e.position}`),
      ['a/z@1', 'a/w@2', 'a/y@2', 'b/x@2'],
    );
    assert.deepEqual(entries[0], {
      namespace: 'a',
      name: 'z',
      owner: { kind: 'TofuStack', name: 'net' },
      action: 'plan',
      purpose: 'Change',
      position: 1,
      length: 3,
      limit: 'Operator',
      since: '2026-11-30T10:05:00Z',
    });
    assert.deepEqual(entries[1]?.owner, { kind: 'TofuModule', name: 'm' });
  });
});
