import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { logText, parseOffset } from './logs.service.js';
import { ApiError } from '../http/errors.js';

describe('logText', () => {
  const table: [string[], number, string][] = [
    [['a', 'b', 'c'], 0, 'a\nb\nc\n'],
    [['a', 'b', 'c'], 2, 'c\n'],
    [['a', '', 'c'], 1, '\nc\n'],
    [['a'], 3, ''],
    [[], 0, ''],
  ];
  for (const [lines, offset, expected] of table) {
    it(`${JSON.stringify(lines)} from line ${offset}`, () => assert.equal(logText(lines, offset), expected));
  }
});

describe('parseOffset', () => {
  it('defaults to 0', () => {
    assert.equal(parseOffset(undefined), 0);
    assert.equal(parseOffset(''), 0);
  });
  it('reads a line number', () => assert.equal(parseOffset('12'), 12));
  for (const bad of ['-1', '1.5', 'x', ['1', '2']]) {
    it(`refuses ${JSON.stringify(bad)} with a 400`, () =>
      assert.throws(
        () => parseOffset(bad),
        (e: unknown) => e instanceof ApiError && e.status === 400,
      ));
  }
});
