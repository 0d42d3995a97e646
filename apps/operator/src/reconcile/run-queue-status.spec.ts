import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TofuExecution } from '@tofu-operator/api-types';
import { executionStatusFor } from './execution-status.js';
import type { QueuePlace } from './run-queue-order.js';
import { queuedRun, supersededRun } from './run-queue-status.js';

const now = new Date('2026-11-30T12:00:00.000Z');
const later = new Date('2026-11-30T12:05:00.000Z');

const execution = (status?: TofuExecution['status'], annotations?: Record<string, string>): TofuExecution => ({
  apiVersion: 'tofu-operator.io/v1alpha1',
  kind: 'TofuExecution',
  metadata: { name: 'plan-1', namespace: 'team-a', uid: 'u1', generation: 1, ...(annotations ? { annotations } : {}) },
  spec: { action: 'plan', moduleRef: { name: 'm' } },
  ...(status ? { status } : {}),
});

const place: QueuePlace = {
  uid: 'u1',
  namespace: 'team-a',
  name: 'plan-1',
  admit: false,
  position: 3,
  length: 12,
  limit: 'Operator',
  going: 16,
  cap: 16,
};

const condition = (x: TofuExecution['status'], type: string) => x?.conditions?.find((c) => c.type === type);

describe('queued runs in status', () => {
  it('shows a waiting run: Pending, Queued True with its place, Reconciling Queued, status.queue', () => {
    const x = execution();
    const status = executionStatusFor(x, undefined, queuedRun(place, x, now), now);
    assert.equal(status.phase, 'Pending');
    assert.deepEqual(status.queue, { position: 3, length: 12, limit: 'Operator', since: now.toISOString() });
    const message = '3rd of 12 waiting: 16 of 16 runs going (TOFU_OPERATOR_MAX_CONCURRENT_RUNS)';
    assert.deepEqual(
      [condition(status, 'Queued')?.status, condition(status, 'Queued')?.reason, condition(status, 'Queued')?.message],
      ['True', 'Queued', message],
    );
    assert.deepEqual([condition(status, 'Reconciling')?.status, condition(status, 'Reconciling')?.reason], ['True', 'Queued']);
    assert.equal(status.message, message);
  });

  it('keeps the time it started waiting as its place moves', () => {
    const first = execution();
    const waiting = execution(executionStatusFor(first, undefined, queuedRun(place, first, now), now));
    const moved = executionStatusFor(waiting, undefined, queuedRun({ ...place, position: 1, length: 4 }, waiting, later), later);
    assert.deepEqual(moved.queue, { position: 1, length: 4, limit: 'Operator', since: now.toISOString() });
    assert.equal(condition(moved, 'Queued')?.lastTransitionTime, '2026-11-30T12:00:00Z', 'still the same wait');
  });

  it('drops status.queue and turns Queued False once the run has its Job', () => {
    const first = execution();
    const waiting = execution(executionStatusFor(first, undefined, queuedRun(place, first, now), now));
    const started = executionStatusFor(
      waiting,
      'plan-1',
      { phase: 'Running', reason: 'Running', message: 'tofu is running', startTime: later.toISOString() },
      later,
    );
    assert.equal(started.queue, undefined);
    assert.deepEqual(
      [condition(started, 'Queued')?.status, condition(started, 'Queued')?.reason, condition(started, 'Queued')?.message],
      ['False', 'Running', 'left the queue: tofu is running'],
    );
    assert.equal(started.jobName, 'plan-1');
  });

  it('gives a run that never waited no Queued condition', () => {
    const status = executionStatusFor(execution(), 'plan-1', { phase: 'Running', reason: 'Running', message: 'tofu is running' }, now);
    assert.equal(condition(status, 'Queued'), undefined);
    assert.equal(status.queue, undefined);
  });

  it('shows a namespace cap as the limit', () => {
    const x = execution();
    const run = queuedRun({ ...place, limit: 'Namespace', position: 1, length: 1, going: 1, cap: 1, capSource: 'annotation' }, x, now);
    assert.equal(run.queue?.limit, 'Namespace');
    assert.match(
      run.message,
      /^1st of 1 waiting in namespace team-a: 1 of 1 runs going \(annotation tofu-operator\.io\/max-concurrent-runs/,
    );
  });
});

describe('supersededRun', () => {
  it('ends a marked run Failed, Superseded, naming the newer plan', () => {
    const x = execution(undefined, { 'tofu-operator.io/superseded-by': 'plan-2' });
    const run = supersededRun(x, now);
    assert.equal(run?.phase, 'Failed');
    assert.equal(run?.reason, 'Superseded');
    assert.equal(run?.failureCategory, 'Superseded');
    assert.match(run?.message ?? '', /superseded by plan-2/);
    const status = executionStatusFor(x, undefined, run, now);
    assert.equal(status.failureCategory, 'Superseded');
    assert.equal(condition(status, 'Ready')?.reason, 'Superseded');
  });

  it('leaves an unmarked run alone', () => {
    assert.equal(supersededRun(execution(), now), undefined);
  });
});
