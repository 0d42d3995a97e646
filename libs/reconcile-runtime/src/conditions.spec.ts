import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Condition } from '@tofu-operator/api-types';
import { findCondition, isConditionTrue, setCondition } from './conditions.js';
import { microTime } from './kube/leader-election.js';
import { jsonEqual } from './kube/status-writer.js';

const T0 = '2024-01-01T00:00:00Z';
const NOW = new Date('2024-05-06T07:08:09.123Z');
const NOW_TEXT = '2024-05-06T07:08:09Z';

function cond(type: string, status: Condition['status'], extra: Partial<Condition> = {}): Condition {
  return { type, status, reason: 'Some', message: 'msg', lastTransitionTime: T0, ...extra };
}

describe('setCondition', () => {
  it('keeps lastTransitionTime when the status is unchanged, but updates the rest', () => {
    const before = [cond('Ready', 'True', { reason: 'Old', message: 'old', observedGeneration: 1 })];
    const after = setCondition(before, { type: 'Ready', status: 'True', reason: 'New', message: 'new', observedGeneration: 2 }, NOW);
    assert.deepEqual(after, [
      { type: 'Ready', status: 'True', reason: 'New', message: 'new', observedGeneration: 2, lastTransitionTime: T0 },
    ]);
  });

  const transitions: [Condition['status'], Condition['status']][] = [
    ['True', 'False'],
    ['False', 'True'],
    ['Unknown', 'True'],
    ['True', 'Unknown'],
  ];
  for (const [from, to] of transitions) {
    it(`sets lastTransitionTime to now (whole seconds) when the status changes ${from} -> ${to}`, () => {
      const after = setCondition([cond('Ready', from)], { type: 'Ready', status: to, reason: 'R', message: 'm' }, NOW);
      assert.equal(after.length, 1);
      assert.equal(after[0]?.status, to);
      assert.equal(after[0]?.lastTransitionTime, NOW_TEXT);
    });
  }

  it('appends a new condition type at the end with lastTransitionTime now', () => {
    const before = [cond('Ready', 'True')];
    const after = setCondition(before, { type: 'Reconciling', status: 'False', reason: 'Done', message: '' }, NOW);
    assert.deepEqual(
      after.map((c) => [c.type, c.lastTransitionTime]),
      [
        ['Ready', T0],
        ['Reconciling', NOW_TEXT],
      ],
    );
  });

  it('starts a list from undefined', () => {
    assert.deepEqual(setCondition(undefined, { type: 'Ready', status: 'Unknown', reason: 'R', message: 'm' }, NOW), [
      { type: 'Ready', status: 'Unknown', reason: 'R', message: 'm', lastTransitionTime: NOW_TEXT },
    ]);
  });

  it('replaces a condition in place, keeping the order of the others', () => {
    const before = [cond('A', 'True'), cond('B', 'True'), cond('C', 'True')];
    const after = setCondition(before, { type: 'B', status: 'False', reason: 'R', message: 'm' }, NOW);
    assert.deepEqual(
      after.map((c) => c.type),
      ['A', 'B', 'C'],
    );
    assert.equal(after[1]?.status, 'False');
    assert.deepEqual(after[0], before[0]);
    assert.deepEqual(after[2], before[2]);
  });

  it('does not modify the input list', () => {
    const before = [cond('Ready', 'True')];
    const snapshot = structuredClone(before);
    setCondition(before, { type: 'Ready', status: 'False', reason: 'R', message: 'm' }, NOW);
    setCondition(before, { type: 'Other', status: 'False', reason: 'R', message: 'm' }, NOW);
    assert.deepEqual(before, snapshot);
  });
});

describe('findCondition and isConditionTrue', () => {
  const list = [cond('Ready', 'True'), cond('Reconciling', 'False')];
  const table: { type: string; found: boolean; isTrue: boolean }[] = [
    { type: 'Ready', found: true, isTrue: true },
    { type: 'Reconciling', found: true, isTrue: false },
    { type: 'Missing', found: false, isTrue: false },
  ];
  for (const { type, found, isTrue } of table) {
    it(`${type}: found ${found}, true ${isTrue}`, () => {
      assert.equal(findCondition(list, type)?.type, found ? type : undefined);
      assert.equal(isConditionTrue(list, type), isTrue);
    });
  }
  it('handles an undefined list', () => {
    assert.equal(findCondition(undefined, 'Ready'), undefined);
    assert.equal(isConditionTrue(undefined, 'Ready'), false);
  });
});

describe('microTime', () => {
  const table: { date: string; expected: string }[] = [
    { date: '2024-05-06T07:08:09.123Z', expected: '2024-05-06T07:08:09.123000Z' },
    { date: '2024-05-06T07:08:09.000Z', expected: '2024-05-06T07:08:09.000000Z' },
    { date: '2024-05-06T07:08:09.007Z', expected: '2024-05-06T07:08:09.007000Z' },
    { date: '1999-12-31T23:59:59.999Z', expected: '1999-12-31T23:59:59.999000Z' },
  ];
  for (const { date, expected } of table) {
    it(`formats ${date} as ${expected}`, () => {
      const text = microTime(new Date(date));
      assert.equal(text, expected);
      assert.match(text, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    });
  }
});

describe('jsonEqual', () => {
  const table: { name: string; a: unknown; b: unknown; equal: boolean }[] = [
    { name: 'equal scalars', a: 1, b: 1, equal: true },
    { name: 'different scalars', a: 1, b: 2, equal: false },
    { name: 'number and string', a: 1, b: '1', equal: false },
    { name: 'null and null', a: null, b: null, equal: true },
    { name: 'null and object', a: null, b: {}, equal: false },
    { name: 'undefined and object', a: undefined, b: {}, equal: false },
    { name: 'undefined and undefined', a: undefined, b: undefined, equal: true },
    { name: 'key order ignored', a: { x: 1, y: { p: 1, q: 2 } }, b: { y: { q: 2, p: 1 }, x: 1 }, equal: true },
    { name: 'undefined fields ignored', a: { x: 1, y: undefined }, b: { x: 1 }, equal: true },
    { name: 'undefined fields ignored on both sides', a: { x: 1, y: undefined }, b: { x: 1, z: undefined }, equal: true },
    { name: 'nested undefined fields ignored', a: { s: { x: 1, y: undefined } }, b: { s: { x: 1 } }, equal: true },
    { name: 'null is not undefined', a: { x: null }, b: {}, equal: false },
    { name: 'extra key', a: { x: 1 }, b: { x: 1, y: 2 }, equal: false },
    { name: 'same key count, different keys', a: { x: 1 }, b: { y: 1 }, equal: false },
    { name: 'different nested value', a: { s: { x: 1 } }, b: { s: { x: 2 } }, equal: false },
    { name: 'equal arrays', a: [1, { a: 2 }], b: [1, { a: 2 }], equal: true },
    { name: 'array order matters', a: [1, 2], b: [2, 1], equal: false },
    { name: 'array lengths differ', a: [1, 2], b: [1, 2, 3], equal: false },
    { name: 'array and object', a: [], b: {}, equal: false },
    { name: 'array and array-like object', a: [1], b: { 0: 1 }, equal: false },
    {
      name: 'status with conditions in another key order',
      a: { phase: 'Ready', conditions: [{ type: 'Ready', status: 'True', reason: 'R' }] },
      b: { conditions: [{ reason: 'R', status: 'True', type: 'Ready' }], phase: 'Ready', message: undefined },
      equal: true,
    },
    {
      name: 'status with a changed condition',
      a: { conditions: [{ type: 'Ready', status: 'True' }] },
      b: { conditions: [{ type: 'Ready', status: 'False' }] },
      equal: false,
    },
  ];
  for (const { name, a, b, equal } of table) {
    it(`${name}: ${equal}`, () => {
      assert.equal(jsonEqual(a, b), equal);
      assert.equal(jsonEqual(b, a), equal, 'symmetric');
    });
  }
});
