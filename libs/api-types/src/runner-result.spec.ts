import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseRunnerResult } from './runner-result.js';

describe('parseRunnerResult', () => {
  it('reads a successful plan result', () => {
    const text = JSON.stringify({
      v: 1,
      ok: true,
      summary: { add: 2, change: 0, destroy: 0, hasChanges: true, text: 'Plan: 2 to add, 0 to change, 0 to destroy.' },
    });
    assert.deepEqual(parseRunnerResult(text)?.summary?.add, 2);
  });

  it('reads a failure with its category', () => {
    const r = parseRunnerResult('{"v":1,"ok":false,"category":"RevisionNotFound","message":"revision v9 not found"}');
    assert.equal(r?.ok, false);
    assert.equal(r?.category, 'RevisionNotFound');
  });

  for (const [label, text] of [
    ['empty', ''],
    ['undefined', undefined],
    ['not JSON', 'panic: runtime error'],
    ['truncated JSON', '{"v":1,"ok":tr'],
    ['another version', '{"v":2,"ok":true}'],
    ['ok missing', '{"v":1}'],
    ['a JSON array', '[1,2]'],
  ] as const) {
    it(`ignores ${label}`, () => assert.equal(parseRunnerResult(text), undefined));
  }
});
