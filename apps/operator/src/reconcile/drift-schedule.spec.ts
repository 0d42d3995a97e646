import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Annotations, type TofuExecution, type TofuModule, type TofuModuleStatus, type TofuStack } from '@tofu-operator/api-types';
import { executionNameFor } from '../execution/naming.js';
import { driftCheckDue, driftSpecOf, fractionOf, lastAppliedAt, nextCheckAt, skippedTo } from './drift-schedule.js';

const MIN = 60_000;
const CREATED = '2026-11-30T10:00:00Z';
const T0 = Date.parse(CREATED);

function moduleWith(uid: string, status: TofuModuleStatus = {}, annotations: Record<string, string> = {}): TofuModule {
  return {
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuModule',
    metadata: { name: 'web', namespace: 'ns', uid, creationTimestamp: CREATED, annotations },
    spec: { source: { repository: 'git://git.example.com/web.git' }, driftDetection: { interval: '10m' } },
    status,
  };
}
const spec = { interval: '10m' };
const apply = (completionTime: string, phase: 'Succeeded' | 'Failed' = 'Succeeded') =>
  ({ metadata: { name: 'a' }, spec: { action: 'apply' }, status: { phase, completionTime } }) as TofuExecution;

describe('driftSpecOf', () => {
  it("a stack's driftDetection replaces its module's as a whole; a module's is its own", () => {
    const module = moduleWith('m');
    const stack = { kind: 'TofuStack', metadata: {}, spec: { moduleRef: { name: 'web' } } } as TofuStack;
    assert.deepEqual(driftSpecOf(stack, module), { interval: '10m' });
    const own = { ...stack, spec: { ...stack.spec, driftDetection: { mode: 'Approve' as const } } };
    assert.deepEqual(driftSpecOf(own, module), { mode: 'Approve' });
    assert.equal(driftSpecOf({ ...module, spec: { source: module.spec.source } }, module), undefined);
  });
});

describe('nextCheckAt', () => {
  it('the first check lands at a uid-derived offset within the interval after the last apply, else the creation', () => {
    const owner = moduleWith('uid-1');
    const first = nextCheckAt(owner, spec, [], T0);
    assert.equal(first, T0 + Math.floor(fractionOf('uid-1/first') * 10 * MIN));
    assert.ok(first >= T0 && first < T0 + 10 * MIN);
    const applied = '2026-11-30T11:00:00Z';
    assert.equal(
      nextCheckAt(owner, spec, [apply(applied), apply('2026-11-30T12:00:00Z', 'Failed')], T0),
      Date.parse(applied) + (first - T0),
    );
    assert.equal(lastAppliedAt([apply(applied)]), Date.parse(applied));
  });

  it('later checks: the last check + the interval + up to 10% jitter per owner; the same after a restart', () => {
    const last = '2026-11-30T11:00:00Z';
    const owner = moduleWith('uid-1', { drift: { lastCheckTime: last } });
    const next = nextCheckAt(owner, spec, [], T0);
    assert.ok(next >= Date.parse(last) + 10 * MIN && next < Date.parse(last) + 11 * MIN);
    assert.equal(nextCheckAt(owner, spec, [], T0 + 5 * MIN), next, 'the time of the reconcile does not move it');
  });

  it('1000 owners with the same schedule spread over the interval (no minute holds more than a fifth)', () => {
    const slots = new Map<number, number>();
    for (let i = 0; i < 1000; i++) {
      const at = nextCheckAt(moduleWith(`uid-${i}`), spec, [], T0);
      const minute = Math.floor((at - T0) / MIN);
      slots.set(minute, (slots.get(minute) ?? 0) + 1);
    }
    assert.equal(slots.size, 10);
    for (const n of slots.values()) assert.ok(n < 200, `${n} checks in one minute`);
  });

  it('a skipped check moves the next one on by whole intervals; a stored time from a longer interval is not kept', () => {
    const due = T0 + 3 * MIN;
    assert.equal(skippedTo(due, 10 * MIN, due + 1), due + 10 * MIN);
    assert.equal(skippedTo(due, 10 * MIN, due + 25 * MIN), due + 30 * MIN);
    const owner = moduleWith('uid-1', { drift: { nextCheckTime: new Date(T0 + 50 * MIN).toISOString() } });
    const computed = nextCheckAt(moduleWith('uid-1'), spec, [], T0);
    assert.equal(nextCheckAt(owner, spec, [], T0 + 45 * MIN), T0 + 50 * MIN, 'skipped to a later time');
    assert.equal(nextCheckAt(owner, spec, [], T0), computed, 'more than one interval ahead: not kept');
  });
});

describe('driftCheckDue', () => {
  const owner = moduleWith('uid-1');
  it('the scheduled check once due, named after its due time; none while its execution exists or before', () => {
    const due = T0 + MIN;
    const got = driftCheckDue(owner, [], due, due);
    const trigger = `drift/t${Math.floor(due / 1000)}`;
    assert.deepEqual(got, { trigger, name: executionNameFor('web', 'uid-1', trigger), requested: false });
    assert.equal(driftCheckDue(owner, [{ metadata: { name: got?.name } } as TofuExecution], due, due + 5), undefined);
    assert.equal(driftCheckDue(owner, [], due, due - 1), undefined);
  });

  it('a request asks for a check now, once per value', () => {
    const requested = moduleWith('uid-1', {}, { [Annotations.driftCheckRequestedAt]: 'v1' });
    const got = driftCheckDue(requested, [], T0 + 99 * MIN, T0);
    assert.deepEqual(got, { trigger: 'drift/rv1', name: executionNameFor('web', 'uid-1', 'drift/rv1'), requested: true });
    assert.equal(driftCheckDue(requested, [{ metadata: { name: got?.name } } as TofuExecution], T0 + 99 * MIN, T0), undefined);
    const recorded = moduleWith('uid-1', { drift: { lastCheckExecution: got?.name } }, { [Annotations.driftCheckRequestedAt]: 'v1' });
    assert.equal(driftCheckDue(recorded, [], T0 + 99 * MIN, T0), undefined, 'its check was the latest (and was pruned)');
  });
});
