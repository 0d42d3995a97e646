import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  API_GROUP_VERSION,
  Annotations,
  Reason,
  type Condition,
  type Phase,
  type TofuExecution,
  type TofuModule,
  type TofuStack,
} from '@tofu-operator/api-types';
import { byNewest, executionsToPrune, lastExecutionOf, ownerStatusFor, triggerOf } from './owner-status.js';

const NOW = new Date('2024-04-01T10:00:00.789Z');
const NOW_TEXT = '2024-04-01T10:00:00Z';

function module(meta: Partial<TofuModule['metadata']> = {}, status?: TofuModule['status']): TofuModule {
  return {
    apiVersion: API_GROUP_VERSION,
    kind: 'TofuModule',
    metadata: { name: 'web', namespace: 'team-a', uid: 'uid-m', generation: 4, ...meta },
    spec: { source: { repository: 'https://git.example.com/infra.git' } },
    ...(status ? { status } : {}),
  };
}

function stack(meta: Partial<TofuStack['metadata']> = {}): TofuStack {
  return {
    apiVersion: API_GROUP_VERSION,
    kind: 'TofuStack',
    metadata: { name: 'web-prod', namespace: 'team-a', uid: 'uid-s', generation: 2, ...meta },
    spec: { moduleRef: { name: 'web' } },
  };
}

function execution(name: string, created: string, phase?: Phase, extra: Partial<NonNullable<TofuExecution['status']>> = {}): TofuExecution {
  return {
    apiVersion: API_GROUP_VERSION,
    kind: 'TofuExecution',
    metadata: { name, namespace: 'team-a', creationTimestamp: created },
    spec: { action: 'plan', moduleRef: { name: 'web' } },
    ...(phase ? { status: { phase, ...extra } } : {}),
  };
}

describe('triggerOf', () => {
  const table: { name: string; owner: TofuModule | TofuStack; moduleGeneration?: number; expected: string }[] = [
    { name: 'a module: its generation', owner: module(), expected: 'g4' },
    { name: 'a module without generation', owner: module({ generation: undefined }), expected: 'g0' },
    { name: 'a stack: its generation and the module generation', owner: stack(), moduleGeneration: 7, expected: 'g2/m7' },
    { name: 'a module generation of 0 is kept', owner: stack(), moduleGeneration: 0, expected: 'g2/m0' },
    {
      name: 'a re-plan request',
      owner: module({ annotations: { [Annotations.requestedAt]: '2024-04-01T09:00:00Z' } }),
      expected: 'g4/r2024-04-01T09:00:00Z',
    },
    {
      name: 'a stack with a re-plan request',
      owner: stack({ annotations: { [Annotations.requestedAt]: 'now' } }),
      moduleGeneration: 3,
      expected: 'g2/m3/rnow',
    },
    { name: 'an empty re-plan request is ignored', owner: module({ annotations: { [Annotations.requestedAt]: '' } }), expected: 'g4' },
    { name: 'other annotations are ignored', owner: module({ annotations: { other: 'x' } }), expected: 'g4' },
  ];
  for (const { name, owner, moduleGeneration, expected } of table) {
    it(`${name}: ${expected}`, () => {
      assert.equal(triggerOf(owner, moduleGeneration), expected);
      assert.equal(triggerOf(owner, moduleGeneration), triggerOf(structuredClone(owner), moduleGeneration), 'deterministic');
    });
  }

  it('changes with each input', () => {
    const triggers = [
      triggerOf(module()),
      triggerOf(module({ generation: 5 })),
      triggerOf(module({ annotations: { [Annotations.requestedAt]: 'a' } })),
      triggerOf(module({ annotations: { [Annotations.requestedAt]: 'b' } })),
      triggerOf(module(), 1),
    ];
    assert.equal(new Set(triggers).size, triggers.length);
  });
});

describe('byNewest', () => {
  it('sorts by creation time, newest first, then by name', () => {
    const list = [
      execution('b', '2024-01-01T00:00:00Z'),
      execution('a', '2024-01-02T00:00:00Z'),
      execution('c', '2024-01-01T00:00:00Z'),
      execution('d', '2024-01-03T00:00:00Z'),
    ];
    assert.deepEqual(
      list.sort(byNewest).map((e) => e.metadata.name),
      ['d', 'a', 'c', 'b'],
    );
  });

  it('orders executions created within one second by the created-at annotation (milliseconds)', () => {
    const at = (name: string, ms: string): TofuExecution => {
      const e = execution(name, '2024-01-01T00:00:00Z');
      e.metadata.annotations = { [Annotations.createdAt]: `2024-01-01T00:00:00.${ms}Z` };
      return e;
    };
    // Names sort the other way round, so only the annotation can give this order.
    const list = [at('z-first', '100'), at('a-third', '900'), at('m-second', '500'), execution('zz-no-annotation', '2023-12-31T23:59:59Z')];
    assert.deepEqual(
      list.sort(byNewest).map((e) => e.metadata.name),
      ['a-third', 'm-second', 'z-first', 'zz-no-annotation'],
    );
  });
});

describe('executionsToPrune', () => {
  // e1 is the oldest; e6 is still running.
  const all = [
    execution('e3', '2024-01-03T00:00:00Z', 'Failed'),
    execution('e1', '2024-01-01T00:00:00Z', 'Succeeded'),
    execution('e6', '2024-01-06T00:00:00Z', 'Running'),
    execution('e5', '2024-01-05T00:00:00Z', 'Succeeded'),
    execution('e2', '2024-01-02T00:00:00Z', 'Succeeded'),
    execution('e4', '2024-01-04T00:00:00Z', 'Failed'),
    execution('e0', '2023-12-31T00:00:00Z', 'Pending'),
    execution('ex', '2023-12-30T00:00:00Z'),
  ];
  const table: { name: string; limit: number; keep?: string; expected: string[] }[] = [
    { name: 'nothing beyond the limit', limit: 10, expected: [] },
    { name: 'exactly at the limit', limit: 5, expected: [] },
    { name: 'the oldest finished ones beyond the limit, oldest first', limit: 2, expected: ['e1', 'e2', 'e3'] },
    { name: 'limit 0 deletes every finished one', limit: 0, expected: ['e1', 'e2', 'e3', 'e4', 'e5'] },
    { name: 'a kept finished execution takes a slot of the history', limit: 2, keep: 'e5', expected: ['e1', 'e2', 'e3'] },
    { name: 'the kept one is never deleted, even when it is the oldest', limit: 2, keep: 'e1', expected: ['e2', 'e3', 'e4'] },
    { name: 'the kept one survives limit 0', limit: 0, keep: 'e3', expected: ['e1', 'e2', 'e4', 'e5'] },
    { name: 'a kept running execution takes no slot', limit: 2, keep: 'e6', expected: ['e1', 'e2', 'e3'] },
    { name: 'a kept name that does not exist changes nothing', limit: 2, keep: 'gone', expected: ['e1', 'e2', 'e3'] },
    { name: 'limit 1 with the newest kept', limit: 1, keep: 'e5', expected: ['e1', 'e2', 'e3', 'e4'] },
  ];
  for (const { name, limit, keep, expected } of table) {
    it(`${name} (limit ${limit}, keep ${keep ?? '-'})`, () => {
      const pruned = executionsToPrune(all, limit, keep).map((e) => e.metadata.name);
      assert.deepEqual(pruned, expected);
      assert.ok(!pruned.includes('e6') && !pruned.includes('e0') && !pruned.includes('ex'), 'unfinished executions are never pruned');
      if (keep) assert.ok(!pruned.includes(keep), 'the kept execution is never pruned');
      const finishedLeft = all.filter((e) => e.status?.phase === 'Succeeded' || e.status?.phase === 'Failed').length - pruned.length;
      assert.equal(finishedLeft, Math.min(5, Math.max(limit, keep && ['e1', 'e2', 'e3', 'e4', 'e5'].includes(keep) ? 1 : 0)));
    });
  }

  it('does not reorder its input', () => {
    const input = [...all];
    executionsToPrune(input, 1, undefined);
    assert.deepEqual(input, all);
  });
});

describe('lastExecutionOf', () => {
  it('copies the execution state and trigger', () => {
    const ex = execution('e1', '2024-01-01T00:00:00Z', 'Succeeded', {
      summary: { text: 'No changes.' },
      message: 'No changes.',
      startTime: 'S',
      completionTime: 'C',
    });
    ex.metadata.annotations = { [Annotations.trigger]: 'g1' };
    assert.deepEqual(lastExecutionOf(ex), {
      name: 'e1',
      action: 'plan',
      phase: 'Succeeded',
      summary: { text: 'No changes.' },
      message: 'No changes.',
      startTime: 'S',
      completionTime: 'C',
      trigger: 'g1',
    });
  });

  it('reports a new execution as Pending, without empty fields', () => {
    assert.deepEqual(lastExecutionOf(execution('e1', 'x')), { name: 'e1', action: 'plan', phase: 'Pending' });
  });
});

describe('ownerStatusFor', () => {
  const cond = (list: Condition[] | undefined, type: string) => list?.find((c) => c.type === type);

  const table: {
    name: string;
    owner: TofuModule | TofuStack;
    obs: Omit<Parameters<typeof ownerStatusFor>[1], 'now'>;
    phase: Phase;
    ready: Pick<Condition, 'status' | 'reason' | 'message'>;
    reconciling: Pick<Condition, 'status' | 'reason' | 'message'>;
  }[] = [
    {
      name: 'module not found',
      owner: stack(),
      obs: { moduleMissing: 'web' },
      phase: 'Pending',
      ready: { status: 'False', reason: Reason.ModuleNotFound, message: 'TofuModule "web" not found in namespace team-a' },
      reconciling: { status: 'False', reason: Reason.ModuleNotFound, message: 'waiting for the module to exist' },
    },
    {
      name: 'invalid stored spec',
      owner: module(),
      obs: { invalid: 'the spec does not match the schema: spec.historyLimit must be at least 1' },
      phase: 'Failed',
      ready: {
        status: 'False',
        reason: Reason.InvalidSpec,
        message: 'the spec does not match the schema: spec.historyLimit must be at least 1',
      },
      reconciling: { status: 'False', reason: Reason.InvalidSpec, message: 'not planned until the spec is fixed' },
    },
    {
      name: 'no execution yet',
      owner: module(),
      obs: {},
      phase: 'Pending',
      ready: { status: 'Unknown', reason: Reason.ExecutionRunning, message: 'no execution yet' },
      reconciling: { status: 'True', reason: Reason.ExecutionRunning, message: 'no execution yet' },
    },
    {
      name: 'succeeded',
      owner: module(),
      obs: { last: execution('web-1', 't', 'Succeeded', { summary: { text: 'Plan: 1 to add, 0 to change, 0 to destroy.' } }) },
      phase: 'Succeeded',
      ready: { status: 'True', reason: Reason.ExecutionSucceeded, message: 'web-1: Plan: 1 to add, 0 to change, 0 to destroy.' },
      reconciling: { status: 'False', reason: Reason.ExecutionSucceeded, message: 'up to date' },
    },
    {
      name: 'succeeded without a summary',
      owner: module(),
      obs: { last: execution('web-1', 't', 'Succeeded') },
      phase: 'Succeeded',
      ready: { status: 'True', reason: Reason.ExecutionSucceeded, message: 'web-1: succeeded' },
      reconciling: { status: 'False', reason: Reason.ExecutionSucceeded, message: 'up to date' },
    },
    {
      name: 'failed',
      owner: module(),
      obs: { last: execution('web-1', 't', 'Failed', { message: 'revision not found' }) },
      phase: 'Failed',
      ready: { status: 'False', reason: Reason.ExecutionFailed, message: 'web-1: revision not found' },
      reconciling: { status: 'False', reason: Reason.ExecutionFailed, message: 'up to date' },
    },
    {
      name: 'running',
      owner: module(),
      obs: { last: execution('web-1', 't', 'Running') },
      phase: 'Running',
      ready: { status: 'Unknown', reason: Reason.ExecutionRunning, message: 'web-1 is running' },
      reconciling: { status: 'True', reason: Reason.ExecutionRunning, message: 'web-1 is running' },
    },
    {
      name: 'a change waits for the running execution',
      owner: module(),
      obs: { last: execution('web-1', 't', 'Running'), waiting: true },
      phase: 'Running',
      ready: { status: 'Unknown', reason: Reason.ExecutionRunning, message: 'web-1 is running' },
      reconciling: {
        status: 'True',
        reason: Reason.WaitingForRunningExecution,
        message: 'a change arrived while web-1 runs; a new plan starts when it ends',
      },
    },
  ];

  for (const { name, owner, obs, phase, ready, reconciling } of table) {
    it(`${name}: phase ${phase}, Ready ${ready.status}, Reconciling ${reconciling.status}`, () => {
      const status = ownerStatusFor(owner, { ...obs, now: NOW });
      assert.equal(status.phase, phase);
      assert.equal(status.observedGeneration, owner.metadata.generation);
      assert.deepEqual(cond(status.conditions, 'Ready'), {
        type: 'Ready',
        observedGeneration: owner.metadata.generation,
        lastTransitionTime: NOW_TEXT,
        ...ready,
      });
      assert.deepEqual(cond(status.conditions, 'Reconciling'), {
        type: 'Reconciling',
        observedGeneration: owner.metadata.generation,
        lastTransitionTime: NOW_TEXT,
        ...reconciling,
      });
    });
  }

  it('sets lastExecution from the last execution', () => {
    const status = ownerStatusFor(module(), { last: execution('web-1', 't', 'Running', { startTime: 'S' }), now: NOW });
    assert.deepEqual(status.lastExecution, { name: 'web-1', action: 'plan', phase: 'Running', startTime: 'S' });
  });

  it('sets lastTrigger and lastHandledRequestedAt only when given', () => {
    const without = ownerStatusFor(module(), { now: NOW });
    assert.equal('lastTrigger' in without, false);
    assert.equal('lastHandledRequestedAt' in without, false);

    const withBoth = ownerStatusFor(module(), { handledTrigger: 'g4/rX', handledRequestedAt: 'X', now: NOW });
    assert.equal(withBoth.lastTrigger, 'g4/rX');
    assert.equal(withBoth.lastHandledRequestedAt, 'X');

    const onlyTrigger = ownerStatusFor(module(), { handledTrigger: 'g4', now: NOW });
    assert.equal(onlyTrigger.lastTrigger, 'g4');
    assert.equal('lastHandledRequestedAt' in onlyTrigger, false);
  });

  it('keeps the previous lastTrigger, lastHandledRequestedAt and lastExecution when none is given', () => {
    const prev = {
      lastTrigger: 'g3',
      lastHandledRequestedAt: 'old',
      lastExecution: { name: 'web-0', phase: 'Succeeded' as const, summary: { text: 'No changes.' } },
    };
    const status = ownerStatusFor(module({}, prev), { now: NOW });
    assert.equal(status.lastTrigger, 'g3');
    assert.equal(status.lastHandledRequestedAt, 'old');
    assert.equal(status.phase, 'Succeeded', 'derived from the kept lastExecution');
    assert.equal(cond(status.conditions, 'Ready')?.message, 'web-0: No changes.');
  });

  it('keeps lastTransitionTime when a condition status does not change', () => {
    const earlier = new Date('2024-04-01T09:00:00Z');
    const first = ownerStatusFor(module(), { last: execution('web-1', 't', 'Pending'), now: earlier });
    const second = ownerStatusFor(module({}, first), { last: execution('web-1', 't', 'Running'), now: NOW });
    assert.equal(cond(second.conditions, 'Ready')?.lastTransitionTime, '2024-04-01T09:00:00Z');
    assert.equal(cond(second.conditions, 'Reconciling')?.lastTransitionTime, '2024-04-01T09:00:00Z');
    const third = ownerStatusFor(module({}, second), { last: execution('web-1', 't', 'Succeeded'), now: NOW });
    assert.equal(cond(third.conditions, 'Ready')?.lastTransitionTime, NOW_TEXT);
    assert.equal(cond(third.conditions, 'Reconciling')?.lastTransitionTime, NOW_TEXT);
  });
});
