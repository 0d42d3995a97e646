import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TofuExecution, TofuModule, TofuStack } from '@tofu-operator/api-types';
import { effectiveNotifications, executionTransitions, ownerTransitions, wants, webhookWanted } from './transitions.js';

const exec = (phase: string | undefined, extra: Partial<NonNullable<TofuExecution['status']>> = {}, action = 'plan'): TofuExecution =>
  ({
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuExecution',
    metadata: { name: 'run-1', namespace: 'ns' },
    spec: { action },
    status: { ...(phase ? { phase } : {}), ...extra },
  }) as TofuExecution;

const awaiting = (status: 'True' | 'False') => ({
  conditions: [{ type: 'AwaitingApproval', status, reason: 'x', message: '', lastTransitionTime: '' }],
});

describe('executionTransitions', () => {
  const table: [string, TofuExecution, TofuExecution, string[]][] = [
    ['created, no phase yet', exec(undefined), exec('Pending'), []],
    ['starts', exec('Pending'), exec('Running'), ['RunStarted']],
    ['a status write while running repeats nothing', exec('Running'), exec('Running', { podName: 'p' }), []],
    ['succeeds', exec('Running'), exec('Succeeded'), ['RunSucceeded']],
    ['fails', exec('Running'), exec('Failed', { failureCategory: 'RunnerFailed' }), ['RunFailed']],
    ['fails before starting (no startTime)', exec('Pending'), exec('Failed'), ['RunFailed']],
    [
      'the watch skipped Running: started and ended',
      exec('Pending'),
      exec('Succeeded', { startTime: 't' }),
      ['RunStarted', 'RunSucceeded'],
    ],
    ['an ended run stays ended', exec('Succeeded'), exec('Succeeded', { approval: { state: 'Approved', at: 't' } }), []],
    ['Failed is final even if a phase changes', exec('Failed'), exec('Succeeded'), []],
    ['a plan ends waiting for approval', exec('Running'), exec('Succeeded', awaiting('True')), ['RunSucceeded', 'AwaitingApproval']],
    ['still waiting: nothing again', exec('Succeeded', awaiting('True')), exec('Succeeded', awaiting('True')), []],
    ['approval decided', exec('Succeeded', awaiting('True')), exec('Succeeded', awaiting('False')), []],
  ];
  for (const [name, old, now, want] of table) it(name, () => assert.deepEqual(executionTransitions(old, now), want));

  it('an apply has no approval wait', () => {
    const apply = exec('Succeeded', awaiting('True'), 'apply');
    assert.deepEqual(executionTransitions(exec('Running', {}, 'apply'), apply), ['RunSucceeded']);
  });
});

const owner = (drifted: string | undefined, notifications?: object, kind = 'TofuModule'): TofuModule =>
  ({
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind,
    metadata: { name: 'm', namespace: 'ns' },
    spec: { source: { repository: 'git://x' }, moduleRef: { name: 'm' }, ...(notifications ? { notifications } : {}) },
    status: drifted ? { conditions: [{ type: 'Drifted', status: drifted, reason: 'r', message: '', lastTransitionTime: '' }] } : {},
  }) as unknown as TofuModule;

describe('ownerTransitions', () => {
  it('Drifted when the condition turns True, once', () => {
    assert.deepEqual(ownerTransitions(owner(undefined), owner('True')), ['Drifted']);
    assert.deepEqual(ownerTransitions(owner('False'), owner('True')), ['Drifted']);
    assert.deepEqual(ownerTransitions(owner('Unknown'), owner('True')), ['Drifted']);
    assert.deepEqual(ownerTransitions(owner('True'), owner('True')), []);
    assert.deepEqual(ownerTransitions(owner('True'), owner('False')), []);
  });
});

describe('effectiveNotifications', () => {
  const mine = { webhookSecretRef: { name: 'stack-hook' } };
  const modules = { webhookSecretRef: { name: 'module-hook' }, events: ['RunFailed' as const] };
  it("a stack's own settings replace its module's as a whole", () => {
    const stack = owner(undefined, mine, 'TofuStack') as unknown as TofuStack;
    assert.deepEqual(effectiveNotifications(stack, owner(undefined, modules)), mine);
  });
  it("a stack without settings takes its module's", () => {
    const stack = owner(undefined, undefined, 'TofuStack') as unknown as TofuStack;
    assert.deepEqual(effectiveNotifications(stack, owner(undefined, modules)), modules);
    assert.equal(effectiveNotifications(stack, undefined), undefined);
  });
  it('a module has only its own', () => assert.equal(effectiveNotifications(owner(undefined), owner(undefined, modules)), undefined));
  it('events filter, empty means all', () => {
    assert.equal(wants(modules, 'RunFailed'), true);
    assert.equal(wants(modules, 'RunStarted'), false);
    assert.equal(wants({ ...modules, events: [] }, 'Drifted'), true);
    assert.equal(wants(mine, 'AwaitingApproval'), true);
  });
});

describe('webhookWanted', () => {
  const all = { webhookSecretRef: { name: 'h' } };
  const check = { ...exec('Succeeded'), spec: { action: 'plan' as const, purpose: 'DriftCheck' as const } };
  it("a drift check's start and success are routine: no webhook", () => {
    assert.equal(webhookWanted(all, 'RunStarted', check), false);
    assert.equal(webhookWanted(all, 'RunSucceeded', check), false);
  });
  it('its failure, approval wait and the drift found are news', () => {
    assert.equal(webhookWanted(all, 'RunFailed', check), true);
    assert.equal(webhookWanted(all, 'AwaitingApproval', check), true);
    assert.equal(webhookWanted(all, 'Drifted', check), true);
  });
  it('other runs follow the events list', () => {
    assert.equal(webhookWanted(all, 'RunStarted', exec('Running')), true);
    assert.equal(webhookWanted({ ...all, events: ['RunFailed'] }, 'RunStarted', exec('Running')), false);
    assert.equal(webhookWanted({ ...all, events: ['Drifted'] }, 'Drifted', undefined), true);
  });
});
