import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendLogLines } from './log-buffer.js';

describe('appendLogLines', () => {
  const cases: { name: string; held: string[]; seq: number; lines: string[]; want: string[]; gap: boolean }[] = [
    { name: 'first lines', held: [], seq: 0, lines: ['a', 'b'], want: ['a', 'b'], gap: false },
    { name: 'contiguous', held: ['a'], seq: 1, lines: ['b'], want: ['a', 'b'], gap: false },
    { name: 'overlap drops what is held', held: ['a', 'b'], seq: 1, lines: ['b', 'c'], want: ['a', 'b', 'c'], gap: false },
    { name: 'replay of held lines', held: ['a', 'b'], seq: 0, lines: ['a'], want: ['a', 'b'], gap: false },
    { name: 'gap', held: ['a'], seq: 3, lines: ['d'], want: ['a'], gap: true },
    { name: 'empty event', held: ['a'], seq: 1, lines: [], want: ['a'], gap: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = appendLogLines(c.held, { seq: c.seq, lines: c.lines });
      assert.deepEqual(got.lines, c.want);
      assert.equal(got.gap, c.gap);
    });
  }
  it('returns the same array when nothing is new', () => {
    const held = ['a', 'b'];
    assert.equal(appendLogLines(held, { seq: 0, lines: ['a', 'b'] }).lines, held);
  });
});
