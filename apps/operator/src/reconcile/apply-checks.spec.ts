import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Annotations, Reason, type TofuExecution } from '@tofu-operator/api-types';
import { executionsOfOwner, refusePlan } from './apply-checks.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const OTHER = `sha256:${'b'.repeat(64)}`;

function plan(name: string, createdAt: string, status: TofuExecution['status'] = {}): TofuExecution {
  return {
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuExecution',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, annotations: { [Annotations.createdAt]: createdAt } },
    spec: { action: 'plan', moduleRef: { name: 'm' }, stackRef: { name: 's' } },
    status: { phase: 'Succeeded', plan: { digest: DIGEST, commit: 'c', hasChanges: true }, ...status },
  };
}

function apply(name: string, planName: string, refs: Partial<TofuExecution['spec']> = { stackRef: { name: 's' } }): TofuExecution {
  return {
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuExecution',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, annotations: { [Annotations.createdAt]: '2026-01-01T00:00:09Z' } },
    spec: { action: 'apply', ...refs, planRef: { name: planName, digest: DIGEST } },
  };
}

const p1 = plan('p1', '2026-01-01T00:00:01Z');
const check = (over: Partial<Parameters<typeof refusePlan>[0]>) =>
  refusePlan({ plan: p1, planName: 'p1', digest: DIGEST, siblings: [p1], apply: apply('p1-apply', 'p1'), ...over })?.reason;

describe('refusePlan', () => {
  it('allows the newest succeeded plan with changes and the approved digest', () => {
    assert.equal(check({}), undefined);
    assert.equal(check({ apply: undefined }), undefined, 'before the apply exists (the approve route)');
  });

  const table: [string, Partial<Parameters<typeof refusePlan>[0]>, string][] = [
    ['a missing plan', { plan: undefined }, Reason.PlanNotFound],
    ['a plan being deleted', { plan: { ...p1, metadata: { ...p1.metadata, deletionTimestamp: 'now' } } }, Reason.PlanNotFound],
    ['a running plan', { plan: plan('p1', 't', { phase: 'Running', plan: undefined }) }, Reason.PlanNotSucceeded],
    ['an apply named as the plan', { plan: { ...apply('p1', 'x'), status: { phase: 'Succeeded' } } }, Reason.PlanNotSucceeded],
    ['another digest', { digest: OTHER }, Reason.PlanDigestMismatch],
    ['a plan without changes', { plan: plan('p1', 't', { plan: { digest: DIGEST, hasChanges: false } }) }, Reason.PlanHasNoChanges],
    ["an apply of another owner's plan", { apply: apply('p1-apply', 'p1', { moduleRef: { name: 'm' } }) }, Reason.PlanOfAnotherOwner],
    ['a rejected plan', { plan: plan('p1', 't', { approval: { state: 'Rejected', at: 't', by: 'bob' } }) }, Reason.PlanRejected],
    ['a superseded plan', { plan: plan('p1', 't', { approval: { state: 'Superseded', at: 't' } }) }, Reason.PlanSuperseded],
    ['a plan with a newer plan', { siblings: [p1, plan('p2', '2026-01-01T00:00:02Z', { phase: 'Running' })] }, Reason.PlanSuperseded],
    ['a plan another apply carries out', { siblings: [p1, apply('by-hand', 'p1')] }, Reason.PlanAlreadyApplied],
    [
      'a plan an apply carries out, before a second is created',
      { apply: undefined, siblings: [p1, apply('p1-apply', 'p1')] },
      Reason.PlanAlreadyApplied,
    ],
  ];
  for (const [what, over, reason] of table) {
    it(`refuses ${what}: ${reason}`, () => assert.equal(check(over), reason));
  }

  it('counts the apply itself, and an approval already recorded, as no obstacle', () => {
    const approved = plan('p1', '2026-01-01T00:00:01Z', { approval: { state: 'Approved', at: 't', digest: DIGEST } });
    const self = apply('p1-apply', 'p1');
    assert.equal(check({ plan: approved, siblings: [approved, self], apply: self }), undefined);
  });

  it('marks only a digest refusal as one', () => {
    assert.equal(refusePlan({ plan: p1, planName: 'p1', digest: OTHER, siblings: [p1] })?.digest, true);
    assert.equal(refusePlan({ plan: undefined, planName: 'p1', digest: DIGEST, siblings: [] })?.digest, undefined);
  });
});

describe('executionsOfOwner', () => {
  it("keeps the executions that share the state owner: a stack's runs, a module's own runs", () => {
    const own = apply('a', 'p1');
    const moduleRun = apply('b', 'p1', { moduleRef: { name: 'm' } });
    assert.deepEqual(
      executionsOfOwner([p1, own, moduleRun], p1).map((e) => e.metadata.name),
      ['p1', 'a'],
    );
    assert.deepEqual(
      executionsOfOwner([p1, own, moduleRun], moduleRun).map((e) => e.metadata.name),
      ['b'],
    );
  });
});
