import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TofuExecution } from '@tofu-operator/api-types';
import { age, countByPhase, duration, executionsOf, matches, recentFailures } from './format.ts';

const now = Date.parse('2025-01-01T12:00:00Z');

describe('age', () => {
  for (const [from, want] of [
    ['2025-01-01T11:59:30Z', '30s'],
    ['2025-01-01T11:55:00Z', '5m'],
    ['2025-01-01T09:00:00Z', '3h'],
    ['2024-12-25T12:00:00Z', '7d'],
  ] as const)
    it(`${from} -> ${want}`, () => assert.equal(age(from, now), want));
  it('no timestamp', () => assert.equal(age(undefined, now), '—'));
});

describe('duration', () => {
  for (const [ms, want] of [
    [850, '850ms'],
    [42_000, '42s'],
    [185_000, '3m 05s'],
    [3_720_000, '1h 02m'],
  ] as const)
    it(`${ms} -> ${want}`, () => assert.equal(duration(ms), want));
});

const ex = (
  name: string,
  o: { phase?: 'Failed' | 'Succeeded' | 'Running'; module?: string; stack?: string; done?: string; at?: string },
): TofuExecution => ({
  apiVersion: 'tofu-operator.io/v1alpha1',
  kind: 'TofuExecution',
  metadata: { name, creationTimestamp: o.at ?? '2025-01-01T00:00:00Z' },
  spec: { action: 'plan', ...(o.module ? { moduleRef: { name: o.module } } : {}), ...(o.stack ? { stackRef: { name: o.stack } } : {}) },
  status: { ...(o.phase ? { phase: o.phase } : {}), ...(o.done ? { completionTime: o.done } : {}) },
});

describe('lists', () => {
  const all = [
    ex('a', { phase: 'Failed', module: 'm', done: '2025-01-01T01:00:00Z', at: '2025-01-01T00:01:00Z' }),
    ex('b', { phase: 'Failed', module: 'm', stack: 's', done: '2025-01-01T03:00:00Z', at: '2025-01-01T00:02:00Z' }),
    ex('c', { phase: 'Succeeded', module: 'm', at: '2025-01-01T00:03:00Z' }),
    ex('d', { module: 'm', at: '2025-01-01T00:04:00Z' }),
  ];
  it('counts by phase, unknown for no status', () =>
    assert.deepEqual(countByPhase(all), { Pending: 0, Running: 0, Succeeded: 1, Failed: 2, Unknown: 1 }));
  it('recent failures, newest first', () =>
    assert.deepEqual(
      recentFailures(all).map((e) => e.metadata.name),
      ['b', 'a'],
    ));
  it("a module's executions exclude its stacks', newest first", () =>
    assert.deepEqual(
      executionsOf(all, 'modules', 'm').map((e) => e.metadata.name),
      ['d', 'c', 'a'],
    ));
  it("a stack's executions", () =>
    assert.deepEqual(
      executionsOf(all, 'stacks', 's').map((e) => e.metadata.name),
      ['b'],
    ));
  it('search is case-insensitive over several fields', () => {
    assert.equal(matches(['Hello', 'git://x'], 'GIT'), true);
    assert.equal(matches(['Hello', undefined], 'zz'), false);
    assert.equal(matches([], '  '), true);
  });
});
