import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Condition, TofuExecution, TofuModule, TofuStack } from '@tofu-operator/api-types';
import { driftBadge, driftCounts, exactTime, ordinal, purposeLabel, queueLabel, relativeTime, sourceProblem } from './continuous.ts';

const cond = (type: string, status: Condition['status'], reason = 'R', message = 'm'): Condition => ({
  type,
  status,
  reason,
  message,
  lastTransitionTime: '2026-11-30T10:00:00Z',
});
const mod = (spec: Partial<TofuModule['spec']> = {}, conditions?: Condition[]): TofuModule => ({
  apiVersion: 'tofu-operator.io/v1alpha1',
  kind: 'TofuModule',
  metadata: { name: 'm', namespace: 'ns' },
  spec: { source: { repository: 'https://example.com/r.git' }, ...spec },
  ...(conditions ? { status: { conditions } } : {}),
});
const stack = (spec: Partial<TofuStack['spec']> = {}): TofuStack => ({
  apiVersion: 'tofu-operator.io/v1alpha1',
  kind: 'TofuStack',
  metadata: { name: 's', namespace: 'ns' },
  spec: { moduleRef: { name: 'm' }, ...spec },
});

describe('driftBadge', () => {
  it('shows nothing without drift detection', () => {
    assert.equal(driftBadge(mod()), undefined);
    assert.equal(driftBadge(stack(), mod()), undefined);
  });
  it('reads the Drifted condition: Drifted, No drift, or not checked yet', () => {
    assert.equal(driftBadge(mod({ driftDetection: {} }, [cond('Drifted', 'True')])), 'drifted');
    assert.equal(driftBadge(mod({ driftDetection: {} }, [cond('Drifted', 'False')])), 'clean');
    assert.equal(driftBadge(mod({ driftDetection: {} }, [cond('Drifted', 'Unknown')])), 'unchecked');
    assert.equal(driftBadge(mod({ driftDetection: { interval: '1h' } })), 'unchecked');
  });
  it("takes a stack's drift detection from its module when it has none", () => {
    assert.equal(driftBadge(stack(), mod({ driftDetection: {} })), 'unchecked');
    assert.equal(driftBadge({ ...stack(), status: { conditions: [cond('Drifted', 'True')] } }), 'drifted');
  });
});

describe('sourceProblem', () => {
  it('is the SourceReady condition when False, nothing otherwise', () => {
    assert.deepEqual(sourceProblem(mod({}, [cond('SourceReady', 'False', 'SourceUnreachable', 'connection refused')])), {
      reason: 'SourceUnreachable',
      message: 'connection refused',
    });
    assert.equal(sourceProblem(mod({}, [cond('SourceReady', 'True')])), undefined);
    assert.equal(sourceProblem(mod()), undefined);
  });
});

describe('queue and purpose labels', () => {
  it('writes ordinals', () => {
    assert.deepEqual([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111].map(ordinal), [
      '1st',
      '2nd',
      '3rd',
      '4th',
      '11th',
      '12th',
      '13th',
      '21st',
      '22nd',
      '23rd',
      '101st',
      '111th',
    ]);
  });
  it('says a queued run’s place and cap', () => {
    assert.equal(queueLabel({ position: 3, length: 12, limit: 'Operator' }), 'Queued: 3rd of 12 (operator cap)');
    assert.equal(queueLabel({ position: 1, limit: 'Namespace' }), 'Queued: 1st (namespace cap)');
  });
  it('names drift checks only', () => {
    const e = (purpose?: 'Change' | 'DriftCheck') =>
      ({ metadata: { name: 'x' }, spec: { action: 'plan', ...(purpose ? { purpose } : {}) } }) as TofuExecution;
    assert.equal(purposeLabel(e('DriftCheck')), 'Drift check');
    assert.equal(purposeLabel(e('Change')), undefined);
    assert.equal(purposeLabel(e()), undefined);
  });
});

describe('times and counts', () => {
  const now = Date.parse('2026-11-30T12:00:00Z');
  it('says how long ago or how soon', () => {
    assert.equal(relativeTime('2026-11-30T11:59:30Z', now), '30s ago');
    assert.equal(relativeTime('2026-11-30T11:55:00Z', now), '5m ago');
    assert.equal(relativeTime('2026-11-30T13:00:00Z', now), 'in 60m');
    assert.equal(relativeTime('2026-11-28T12:00:00Z', now), '2d ago');
    assert.equal(relativeTime(undefined, now), '—');
    assert.equal(relativeTime('not a time', now), '—');
  });
  it('gives the exact time for a title', () => {
    assert.equal(exactTime('2026-11-30T11:44:27.123Z'), '2026-11-30 11:44:27 UTC');
    assert.equal(exactTime(undefined), undefined);
  });
  it('counts a drift plan', () => {
    assert.equal(driftCounts({ add: 1, change: 2 }), '+1 ~2 -0');
    assert.equal(driftCounts(undefined), '+0 ~0 -0');
  });
});
