import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Permissions } from '@tofu-operator/api-contracts';
import { ConditionType, type ApprovalRecord, type TofuExecution, type TofuModule, type TofuStack } from '@tofu-operator/api-types';
import {
  actionLabel,
  AWAITING_APPROVAL,
  decisionText,
  effectiveAutoApply,
  reviewActions,
  reviewState,
  supersededBy,
  type ReviewState,
} from './approval.ts';

const DIGEST = `sha256:${'a'.repeat(64)}`;

function plan(
  name: string,
  opts: {
    phase?: 'Running' | 'Succeeded';
    hasChanges?: boolean;
    awaiting?: 'True' | 'False';
    approval?: ApprovalRecord;
    action?: TofuExecution['spec']['action'];
  } = {},
): TofuExecution {
  const phase = opts.phase ?? 'Succeeded';
  return {
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuExecution',
    metadata: { name, namespace: 'ns' },
    spec: { action: opts.action ?? 'plan', moduleRef: { name: 'web' } },
    status: {
      phase,
      ...(phase === 'Succeeded' ? { plan: { digest: DIGEST, commit: 'c'.repeat(40), hasChanges: opts.hasChanges ?? true, add: 1 } } : {}),
      ...(opts.awaiting
        ? { conditions: [{ type: AWAITING_APPROVAL, status: opts.awaiting, reason: 'PlanWaiting', message: '', lastTransitionTime: 't' }] }
        : {}),
      ...(opts.approval ? { approval: opts.approval } : {}),
    },
  };
}

const module = (pending?: string, autoApply?: boolean): TofuModule => ({
  apiVersion: 'tofu-operator.io/v1alpha1',
  kind: 'TofuModule',
  metadata: { name: 'web' },
  spec: { source: { repository: 'https://h/r' }, ...(autoApply === undefined ? {} : { autoApply }) },
  ...(pending ? { status: { pendingPlan: { name: pending, digest: DIGEST } } } : {}),
});

describe('reviewState', () => {
  const cases: { what: string; e: TofuExecution; owner: TofuModule | undefined; want: ReviewState }[] = [
    { what: "the owner's pending plan waits", e: plan('p2'), owner: module('p2'), want: 'waiting' },
    { what: 'an older plan while another is pending is stale', e: plan('p1', { awaiting: 'True' }), owner: module('p2'), want: 'stale' },
    {
      what: 'AwaitingApproval=True waits (owner without pendingPlan field yet)',
      e: plan('p1', { awaiting: 'True' }),
      owner: module(),
      want: 'waiting',
    },
    { what: 'AwaitingApproval=False does not wait', e: plan('p1', { awaiting: 'False' }), owner: module(), want: 'stale' },
    { what: 'no condition and the owner names no plan: not waiting', e: plan('p1'), owner: module(), want: 'stale' },
    { what: 'owner not readable: offered, the API decides', e: plan('p1'), owner: undefined, want: 'waiting' },
    { what: 'a plan without changes', e: plan('p1', { hasChanges: false }), owner: module('p1'), want: 'no-changes' },
    { what: 'a running plan', e: plan('p1', { phase: 'Running' }), owner: module(), want: 'planning' },
    { what: 'an apply is not a plan', e: plan('p1-apply', { action: 'apply' }), owner: module(), want: 'not-a-plan' },
    {
      what: 'approved',
      e: plan('p1', { approval: { state: 'Approved', by: 'alice', at: 't', digest: DIGEST } }),
      owner: module(),
      want: 'approved',
    },
    {
      what: 'rejected wins over pendingPlan',
      e: plan('p1', { approval: { state: 'Rejected', at: 't' } }),
      owner: module('p1'),
      want: 'rejected',
    },
    {
      what: 'superseded',
      e: plan('p1', { approval: { state: 'Superseded', at: 't', message: 'superseded by p2' } }),
      owner: module('p2'),
      want: 'superseded',
    },
  ];
  for (const c of cases) it(c.what, () => assert.equal(reviewState(c.e, c.owner), c.want));

  it('names the condition as api-types does', () => assert.equal(AWAITING_APPROVAL, ConditionType.AwaitingApproval));
});

describe('reviewActions (permission → buttons)', () => {
  const perms = (approve: boolean | undefined): Permissions => ({
    modules: {},
    stacks: {},
    executions: approve === undefined ? { get: true } : { get: true, approve },
  });
  const states: ReviewState[] = ['not-a-plan', 'planning', 'no-changes', 'waiting', 'stale', 'approved', 'rejected', 'superseded'];
  for (const s of states) {
    it(`${s} with approve: ${s === 'waiting' ? 'Approve and Reject' : 'no buttons'}`, () => {
      const a = reviewActions(s, perms(true), 'ns');
      assert.deepEqual([a.approve, a.reject], s === 'waiting' ? [true, true] : [false, false]);
    });
  }
  it('waiting without approve: no buttons, and a note naming the verb', () => {
    const a = reviewActions('waiting', perms(false), 'team');
    assert.deepEqual([a.approve, a.reject], [false, false]);
    assert.equal(a.note, 'Your token may not approve tofuexecutions in team (Kubernetes RBAC).');
  });
  it('waiting, approve not reported (an older API): no buttons', () => {
    const a = reviewActions('waiting', perms(undefined), 'team');
    assert.deepEqual([a.approve, a.reject], [false, false]);
  });
  it('waiting, permissions not loaded yet: no buttons and no note', () => {
    assert.deepEqual(reviewActions('waiting', undefined, 'team'), { approve: false, reject: false });
  });
});

describe('decision texts', () => {
  it('says who decided', () => {
    assert.equal(decisionText({ state: 'Approved', by: 'alice', at: 't' }), 'Approved by alice');
    assert.equal(decisionText({ state: 'Approved', at: 't' }), 'Approved automatically (autoApply)');
    assert.equal(decisionText({ state: 'Rejected', by: 'bob', at: 't' }), 'Rejected by bob');
    assert.equal(decisionText({ state: 'Superseded', at: 't', message: 'superseded by p2' }), 'Superseded');
  });
  it('finds the newer plan in a superseded message', () => {
    assert.equal(supersededBy({ state: 'Superseded', at: 't', message: 'superseded by web-plan-7' }), 'web-plan-7');
    assert.equal(supersededBy({ state: 'Superseded', at: 't' }), undefined);
    assert.equal(supersededBy({ state: 'Rejected', at: 't', message: 'superseded by x' }), undefined);
  });
});

describe('effectiveAutoApply', () => {
  const stack = (autoApply?: boolean): TofuStack => ({
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuStack',
    metadata: { name: 's' },
    spec: { moduleRef: { name: 'web' }, ...(autoApply === undefined ? {} : { autoApply }) },
  });
  it('off by default', () => assert.equal(effectiveAutoApply(module()), false));
  it("a module's own value", () => assert.equal(effectiveAutoApply(module(undefined, true)), true));
  it("a stack's value wins over its module's", () => assert.equal(effectiveAutoApply(stack(false), module(undefined, true)), false));
  it("a stack without one takes its module's", () => assert.equal(effectiveAutoApply(stack(), module(undefined, true)), true));
  it('a stack whose module is not loaded: off', () => assert.equal(effectiveAutoApply(stack()), false));
  it('tells a stack from a module without `kind` (list items may lack it)', () => {
    const { kind: _k, ...rest } = stack();
    assert.equal(effectiveAutoApply(rest as TofuStack, module(undefined, true)), true);
  });
});

describe('actionLabel', () => {
  it('names plans, destroy plans, applies and destroys', () => {
    assert.equal(actionLabel(plan('p')), 'plan');
    const d = plan('d');
    d.spec.destroy = true;
    assert.equal(actionLabel(d), 'destroy plan');
    assert.equal(actionLabel(plan('a', { action: 'apply' })), 'apply');
    assert.equal(actionLabel(plan('x', { action: 'destroy' })), 'destroy');
  });
});
