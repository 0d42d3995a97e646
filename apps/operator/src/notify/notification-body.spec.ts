import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TofuExecution, TofuModule, TofuStack } from '@tofu-operator/api-types';
import { eventNote } from './event-notes.js';
import { notificationBody } from './notification-body.js';

const module = {
  apiVersion: 'tofu-operator.io/v1alpha1',
  kind: 'TofuModule',
  metadata: { name: 'net', namespace: 'team-a' },
  spec: { source: { repository: 'git://x' }, variables: { password: 'hunter2' } },
  status: { drift: { drifted: true, counts: { change: 2 }, lastCheckExecution: 'net-plan-9' } },
} as unknown as TofuModule;

const plan = (status: Partial<NonNullable<TofuExecution['status']>>, spec: Partial<TofuExecution['spec']> = {}): TofuExecution => ({
  apiVersion: 'tofu-operator.io/v1alpha1',
  kind: 'TofuExecution',
  metadata: { name: 'net-plan-9', namespace: 'team-a' },
  spec: { action: 'plan', commit: 'a'.repeat(40), ...spec },
  status,
});

const at = new Date('2026-11-30T12:00:00Z');

describe('notificationBody', () => {
  it('describes the run, with a link when the dashboard is known', () => {
    const summary = { add: 1, change: 0, destroy: 0, hasChanges: true, text: 'Plan: 1 to add, 0 to change, 0 to destroy.' };
    const body = notificationBody('RunSucceeded', module, plan({ phase: 'Succeeded', summary }), at, 'https://tofu.example/ui/');
    assert.deepEqual(body, {
      event: 'RunSucceeded',
      time: '2026-11-30T12:00:00.000Z',
      namespace: 'team-a',
      kind: 'TofuModule',
      name: 'net',
      execution: { name: 'net-plan-9', action: 'plan', phase: 'Succeeded', purpose: 'Change', summary, commit: 'a'.repeat(40) },
      url: 'https://tofu.example/ui/ns/team-a/executions/net-plan-9',
    });
    assert.ok(!JSON.stringify(body).includes('hunter2'));
  });

  it('names the failure category of a failed run, the planned commit first, no link without a dashboard', () => {
    const failed = plan(
      { phase: 'Failed', failureCategory: 'RunnerFailed', message: 'boom', plan: { commit: 'b'.repeat(40) } },
      { purpose: 'DriftCheck' },
    );
    const body = notificationBody('RunFailed', module, failed, at, undefined);
    assert.equal(body.execution?.failureCategory, 'RunnerFailed');
    assert.equal(body.execution?.purpose, 'DriftCheck');
    assert.equal(body.execution?.commit, 'b'.repeat(40));
    assert.equal(body.url, undefined);
    assert.ok(!JSON.stringify(body).includes('boom'), 'the failure message may quote tofu output: not in the body');
  });

  it('Drifted carries the counts; without a known execution it links the owner', () => {
    const stack = { ...module, kind: 'TofuStack', spec: { moduleRef: { name: 'net' } } } as unknown as TofuStack;
    const body = notificationBody('Drifted', stack, undefined, at, 'https://tofu.example');
    assert.deepEqual(body.drift, { counts: { add: 0, change: 2, destroy: 0 } });
    assert.equal(body.execution, undefined);
    assert.equal(body.url, 'https://tofu.example/ns/team-a/stacks/net');
  });
});

describe('eventNote', () => {
  it('one line per notification, Warning for failures and drift', () => {
    const running = plan({ phase: 'Running' });
    assert.deepEqual(eventNote('RunStarted', module, running), { type: 'Normal', message: 'plan net-plan-9 started at aaaaaaaaaaaa' });
    const done = plan({ phase: 'Succeeded', summary: { text: 'Plan: 1 to add, 0 to change, 0 to destroy.' } });
    assert.equal(eventNote('RunSucceeded', module, done).message, 'plan net-plan-9 succeeded: Plan: 1 to add, 0 to change, 0 to destroy.');
    assert.equal(
      eventNote('AwaitingApproval', module, done).message,
      'plan net-plan-9 waits for approval: Plan: 1 to add, 0 to change, 0 to destroy.',
    );
    const failed = plan({ phase: 'Failed', failureCategory: 'OOMKilled', message: '\nkilled\nmore' });
    assert.deepEqual(eventNote('RunFailed', module, failed), { type: 'Warning', message: 'plan net-plan-9 failed (OOMKilled): killed' });
    const check = plan({ phase: 'Succeeded' }, { purpose: 'DriftCheck' });
    assert.deepEqual(eventNote('Drifted', module, check), {
      type: 'Warning',
      message: 'changes made outside OpenTofu, found by drift check net-plan-9 (to bring back: 0 to add, 2 to change, 0 to destroy)',
    });
  });
});
