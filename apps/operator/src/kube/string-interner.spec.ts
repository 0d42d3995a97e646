import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StringInterner } from './string-interner.js';

/** Two objects parsed from the same text: equal strings, separate copies (as the watch gives them). */
function twoParsed(): [Record<string, unknown>, Record<string, unknown>] {
  const text = JSON.stringify({
    apiVersion: 'tofu-operator.io/v1alpha1',
    metadata: { namespace: 'team-a', uid: 'u-1', labels: { 'tofu-operator.io/module': 'web' } },
    status: { conditions: [{ type: 'Ready', reason: 'JobCreated' }], tags: ['x', 'y'] },
  });
  return [JSON.parse(text) as Record<string, unknown>, JSON.parse(text) as Record<string, unknown>];
}

describe('StringInterner', () => {
  it('returns one copy per string value and leaves the objects equal', () => {
    const interner = new StringInterner();
    const [a, b] = twoParsed();
    const copy = structuredClone(a);
    assert.deepEqual(interner.deep(a), copy);
    interner.deep(b);
    assert.deepEqual(b, copy);
    // Every non-unique string of b is now the one of a: the table held 7 (the uid is not kept).
    assert.equal(interner.size, 7);
    assert.equal(interner.string('team-a'), 'team-a');
    assert.equal(interner.size, 7, 'a string already there is not added again');
  });

  it('does not keep values of keys that never repeat (uid, resourceVersion, creationTimestamp)', () => {
    const interner = new StringInterner();
    interner.deep({ metadata: { uid: 'u-1', resourceVersion: '42', creationTimestamp: '2026-12-01T00:00:00Z' } });
    assert.equal(interner.size, 0);
  });

  it('empties its table at maxEntries instead of growing, and skips long strings', () => {
    const interner = new StringInterner(3, 10);
    for (const s of ['a', 'b', 'c']) interner.string(s);
    assert.equal(interner.size, 3);
    interner.string('d');
    assert.equal(interner.size, 1, 'emptied, then d');
    interner.string('x'.repeat(11));
    assert.equal(interner.size, 1, 'longer than maxLength: not kept');
  });

  it('walks arrays of strings and nested arrays, and leaves numbers, booleans and null alone', () => {
    const interner = new StringInterner();
    const value = { list: ['p', ['q', { r: 's' }]], n: 1, t: true, z: null };
    assert.deepEqual(interner.deep(value), { list: ['p', ['q', { r: 's' }]], n: 1, t: true, z: null });
    assert.equal(interner.size, 3);
  });
});
