import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  API_GROUP_VERSION,
  Annotations,
  type ExecutionAction,
  type TofuExecution,
  type TofuExecutionStatus,
  type TofuModule,
} from '@tofu-operator/api-types';
import { refusePlan } from './apply-checks.js';
import {
  approvalViewOf,
  decidedStatus,
  DRIFT_MODE_ANNOTATION,
  driftModeOfPlan,
  newestPlanOf,
  pendingPlanOf,
  planAwaitingCondition,
} from './approval.js';
import { ownerStatusFor } from './owner-status.js';
import { effectiveAutoApply } from './template-merge.js';

const NOW = new Date('2024-04-01T10:00:00.789Z');
const DIGEST = `sha256:${'a'.repeat(64)}`;
const SUMMARY = { add: 1, change: 0, destroy: 0, hasChanges: true, text: 'Plan: 1 to add, 0 to change, 0 to destroy.' };

/** An execution of module web created `second` seconds after a fixed time. */
function exec(
  name: string,
  second: number,
  action: ExecutionAction = 'plan',
  status?: TofuExecutionStatus,
  planRef?: string,
): TofuExecution {
  return {
    apiVersion: API_GROUP_VERSION,
    kind: 'TofuExecution',
    metadata: {
      name,
      namespace: 'team-a',
      generation: 1,
      annotations: { [Annotations.createdAt]: `2024-04-01T09:00:${10 + second}.000Z` },
    },
    spec: { action, moduleRef: { name: 'web' }, ...(planRef ? { planRef: { name: planRef, digest: DIGEST } } : {}) },
    ...(status ? { status } : {}),
  };
}

/** A succeeded plan; with changes unless told. */
function plan(name: string, second: number, hasChanges = true, extra: TofuExecutionStatus = {}): TofuExecution {
  return exec(name, second, 'plan', {
    phase: 'Succeeded',
    plan: { digest: DIGEST, commit: 'c0ffee', hasChanges },
    summary: hasChanges ? SUMMARY : { hasChanges: false, text: 'No changes.' },
    ...extra,
  });
}

const names = (xs: readonly TofuExecution[]) => xs.map((x) => x.metadata.name);

describe('newestPlanOf', () => {
  it('is the newest plan, running or finished; applies do not count', () => {
    const xs = [plan('p1', 1), exec('p2', 3, 'plan', { phase: 'Running' }), exec('p1-apply', 5, 'apply', { phase: 'Running' }, 'p1')];
    assert.equal(newestPlanOf(xs)?.metadata.name, 'p2');
  });
  it('counts a destroy plan as a plan', () => {
    const destroy = { ...plan('d', 4), spec: { ...plan('d', 4).spec, destroy: true } };
    assert.equal(newestPlanOf([plan('p1', 1), destroy])?.metadata.name, 'd');
  });
  it('a plan being deleted (history pruning, by hand) does not count', () => {
    const going = { ...plan('p2', 3), metadata: { ...plan('p2', 3).metadata, deletionTimestamp: '2024-04-01T10:00:00Z' } };
    assert.equal(newestPlanOf([plan('p1', 1), going])?.metadata.name, 'p1');
  });
  it('is undefined without plans, and leaves its input in order', () => {
    const xs = [exec('a', 1, 'apply', undefined, 'x'), plan('p1', 0)];
    assert.equal(newestPlanOf([xs[0] as TofuExecution]), undefined);
    newestPlanOf(xs);
    assert.deepEqual(names(xs), ['a', 'p1']);
  });
});

describe('approvalViewOf', () => {
  const table: { name: string; xs: TofuExecution[]; undecided?: string; superseded: string[] }[] = [
    { name: 'the newest plan with changes waits', xs: [plan('p1', 1)], undecided: 'p1', superseded: [] },
    { name: 'a plan without changes never waits', xs: [plan('p1', 1, false)], superseded: [] },
    { name: 'a running plan does not wait yet', xs: [exec('p1', 1, 'plan', { phase: 'Running' })], superseded: [] },
    { name: 'a failed plan never waits', xs: [exec('p1', 1, 'plan', { phase: 'Failed', plan: { hasChanges: true } })], superseded: [] },
    {
      name: 'a newer plan (even running) supersedes the waiting one',
      xs: [plan('p1', 1), exec('p2', 2, 'plan', { phase: 'Running' })],
      superseded: ['p1'],
    },
    { name: 'two waiting plans: the older is superseded', xs: [plan('p2', 2), plan('p1', 1)], undecided: 'p2', superseded: ['p1'] },
    {
      name: 'a decided plan is neither waiting nor superseded',
      xs: [plan('p1', 1, true, { approval: { state: 'Rejected', at: 't', by: 'alice' } }), plan('p2', 2, false)],
      superseded: [],
    },
    {
      name: 'a plan an apply carries out waits no more',
      xs: [plan('p1', 1), exec('p1-apply', 2, 'apply', undefined, 'p1')],
      superseded: [],
    },
    {
      name: 'an older plan that was applied is not superseded',
      xs: [plan('p1', 1), exec('p1-apply', 2, 'apply', { phase: 'Succeeded' }, 'p1'), plan('p2', 3)],
      undecided: 'p2',
      superseded: [],
    },
  ];
  for (const { name, xs, undecided, superseded } of table) {
    it(name, () => {
      const view = approvalViewOf(xs);
      assert.equal(view.undecided?.metadata.name, undecided);
      assert.deepEqual(names(view.superseded), superseded);
    });
  }
});

describe('planAwaitingCondition (a plan execution says whether it waits)', () => {
  it('True while a plan with changes waits, naming the plan, what it does and the digest', () => {
    assert.deepEqual(planAwaitingCondition(plan('p1', 1)), {
      type: 'AwaitingApproval',
      observedGeneration: 1,
      status: 'True',
      reason: 'PlanWaiting',
      message: `plan p1 (Plan: 1 to add, 0 to change, 0 to destroy.) waits for approval of digest ${DIGEST}`,
    });
  });
  const falses: { name: string; x: TofuExecution; carriedOut?: boolean; reason: string; message: string }[] = [
    { name: 'no changes', x: plan('p1', 1, false), reason: 'NoChanges', message: 'the plan changes nothing; nothing to approve' },
    {
      name: 'superseded',
      x: plan('p1', 1, true, { approval: { state: 'Superseded', at: 't', message: 'superseded by p2' } }),
      reason: 'Superseded',
      message: 'superseded by p2',
    },
    {
      name: 'rejected by a user',
      x: plan('p1', 1, true, { approval: { state: 'Rejected', at: 't', by: 'alice' } }),
      reason: 'Rejected',
      message: 'rejected by alice',
    },
    { name: 'carried out by an apply', x: plan('p1', 1), carriedOut: true, reason: 'Approved', message: 'an apply carries out this plan' },
  ];
  for (const { name, x, carriedOut, reason, message } of falses) {
    it(`False when ${name}`, () => {
      assert.deepEqual(planAwaitingCondition(x, carriedOut), {
        type: 'AwaitingApproval',
        observedGeneration: 1,
        status: 'False',
        reason,
        message,
      });
    });
  }
  it('says nothing before the plan succeeded, nor for an apply', () => {
    assert.equal(planAwaitingCondition(exec('p1', 1, 'plan', { phase: 'Running' })), undefined);
    assert.equal(planAwaitingCondition(exec('p1', 1, 'plan', { phase: 'Failed' })), undefined);
    assert.equal(planAwaitingCondition(exec('a', 1, 'apply', { phase: 'Succeeded' }, 'p1')), undefined);
  });
});

describe('decidedStatus', () => {
  it('records the decision and turns the plan condition False', () => {
    const waiting = plan('p1', 1);
    const status = decidedStatus(waiting, { state: 'Superseded', at: '2024-04-01T10:00:00Z', message: 'superseded by p2' }, NOW);
    assert.deepEqual(status.approval, { state: 'Superseded', at: '2024-04-01T10:00:00Z', message: 'superseded by p2' });
    const c = status.conditions?.find((x) => x.type === 'AwaitingApproval');
    assert.deepEqual([c?.status, c?.reason, c?.message], ['False', 'Superseded', 'superseded by p2']);
    assert.equal(status.plan?.digest, DIGEST, 'the rest of the status is kept');
  });
  it('keeps the first decision: a plan approved meanwhile is not superseded', () => {
    const approved = plan('p1', 1, true, { approval: { state: 'Approved', at: 't', by: 'alice', digest: DIGEST } });
    assert.equal(decidedStatus(approved, { state: 'Superseded', at: 'u' }, NOW), approved.status);
  });
});

describe('ownerStatusFor with a waiting plan', () => {
  const owner: TofuModule = {
    apiVersion: API_GROUP_VERSION,
    kind: 'TofuModule',
    metadata: { name: 'web', namespace: 'team-a', generation: 3 },
    spec: { source: { repository: 'https://git.example.com/infra.git' } },
  };
  const waiting = plan('p1', 1);
  const awaiting = (s: ReturnType<typeof ownerStatusFor>) => s.conditions?.find((c) => c.type === 'AwaitingApproval');

  it('sets status.pendingPlan and AwaitingApproval=True naming the plan and its digest', () => {
    const status = ownerStatusFor(owner, { last: waiting, pending: pendingPlanOf(waiting), now: NOW });
    assert.deepEqual(status.pendingPlan, { name: 'p1', digest: DIGEST, summary: SUMMARY });
    const c = awaiting(status);
    assert.deepEqual([c?.status, c?.reason, c?.observedGeneration], ['True', 'PlanWaiting', 3]);
    assert.match(c?.message ?? '', /^plan p1 \(Plan: 1 to add.*\) waits for approval of digest sha256:a{64}$/);
    assert.equal(status.phase, 'Succeeded', 'the phase is the last execution\'s; the column "Awaiting Approval" shows the plan');
  });
  it('clears both when none waits (applied, rejected, superseded)', () => {
    const before = { ...owner, status: ownerStatusFor(owner, { last: waiting, pending: pendingPlanOf(waiting), now: NOW }) };
    const status = ownerStatusFor(before, { last: waiting, pending: null, now: NOW });
    assert.equal(status.pendingPlan, undefined);
    assert.deepEqual([awaiting(status)?.status, awaiting(status)?.reason], ['False', 'NoPlanWaiting']);
  });
  it('keeps both when the reconciler did not look at the plans (e.g. an invalid spec)', () => {
    const before = { ...owner, status: ownerStatusFor(owner, { last: waiting, pending: pendingPlanOf(waiting), now: NOW }) };
    const status = ownerStatusFor(before, { invalid: 'bad', now: NOW });
    assert.equal(status.pendingPlan?.name, 'p1');
    assert.equal(awaiting(status)?.status, 'True');
  });
});

describe('effectiveAutoApply', () => {
  const m = (autoApply?: boolean) => ({ spec: autoApply === undefined ? {} : { autoApply } });
  const table: [boolean | undefined, boolean | undefined, boolean][] = [
    [undefined, undefined, false],
    [true, undefined, true],
    [true, false, false],
    [false, true, true],
    [undefined, true, true],
  ];
  for (const [module, stack, expected] of table) {
    it(`module ${String(module)}, stack ${String(stack)}: ${expected}`, () => {
      assert.equal(effectiveAutoApply(m(module), m(stack)), expected);
    });
  }
  it('a module alone: its own value', () => {
    assert.equal(effectiveAutoApply(m(true)), true);
    assert.equal(effectiveAutoApply(m()), false);
  });
});

describe('drift checks', () => {
  const drift = (name: string, second: number, mode?: string) => {
    const p = plan(name, second);
    p.spec.purpose = 'DriftCheck';
    if (mode) p.metadata.annotations = { ...p.metadata.annotations, [DRIFT_MODE_ANNOTATION]: mode };
    return p;
  };

  it('mode Detect (the default): never waits for approval, and its condition says it is not applied', () => {
    for (const p of [drift('d1', 1), drift('d1', 1, 'Detect')]) {
      assert.equal(driftModeOfPlan(p), 'Detect');
      assert.equal(approvalViewOf([p]).undecided, undefined);
      const c = planAwaitingCondition(p);
      assert.deepEqual([c?.status, c?.reason, c?.message], ['False', 'DriftCheckNotApplied', 'drift check (mode Detect): not applied']);
      const refusal = refusePlan({ plan: p, planName: 'd1', digest: DIGEST, siblings: [p] });
      assert.equal(refusal?.reason, 'DriftCheckNotApplied', 'REST approve, the approve annotation and a hand-made apply refuse it');
    }
  });

  it('modes Approve and AutoApply: waits like any plan (the owner applies AutoApply)', () => {
    for (const mode of ['Approve', 'AutoApply'] as const) {
      const p = drift('d1', 1, mode);
      assert.equal(driftModeOfPlan(p), mode);
      assert.equal(approvalViewOf([p]).undecided, p);
      assert.equal(refusePlan({ plan: p, planName: 'd1', digest: DIGEST, siblings: [p] }), undefined);
    }
    assert.equal(driftModeOfPlan(plan('p1', 1)), undefined, 'not a drift check');
  });
});
