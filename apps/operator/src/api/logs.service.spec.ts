import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dropLines, parseOffset } from './logs.service.js';
import { ApiError } from '../http/errors.js';

describe('dropLines', () => {
  it('drops whole lines and reports none left', () => assert.deepEqual(dropLines('a\nb\nc\n', 2), ['c\n', 0]));
  it('keeps everything for n = 0', () => assert.deepEqual(dropLines('a\nb', 0), ['a\nb', 0]));
  it('counts a line split across chunks once', () => {
    const [first, left] = dropLines('par', 1);
    assert.deepEqual([first, left], ['', 1]);
    assert.deepEqual(dropLines('tial\nnext\n', left), ['next\n', 0]);
  });
  it('reports lines still to drop when the text runs out', () => assert.deepEqual(dropLines('a\n', 3), ['', 2]));
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
