import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter } from './line-splitter.ts';

describe('LineSplitter', () => {
  it('keeps a line split across chunks until its newline', () => {
    const s = new LineSplitter();
    assert.deepEqual(s.push('one\ntw'), ['one']);
    assert.deepEqual(s.push('o\nthr'), ['two']);
    assert.deepEqual(s.push('ee\r\n\n'), ['three', '']);
    assert.deepEqual(s.flush(), []);
  });
  it('flush returns the unterminated last line', () => {
    const s = new LineSplitter();
    s.push('a\nb');
    assert.deepEqual(s.flush(), ['b']);
  });
});
