import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TofuLogChunk } from '@tofu-operator/api-types';
import { assembleChunks, chunkName, decodeLines, encodeLines } from './log-chunks.js';

function chunk(index: number, firstLine: number, lines: string[], extra: Partial<TofuLogChunk['spec']> = {}): TofuLogChunk {
  const { data, bytes } = encodeLines(lines);
  return {
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuLogChunk',
    metadata: { name: chunkName('x', index), namespace: 'ns' },
    spec: {
      executionName: 'x',
      executionUid: 'u1',
      index,
      firstLine,
      lineCount: lines.length,
      bytes,
      encoding: 'gzip+base64',
      data,
      ...extra,
    },
  };
}

describe('log chunks', () => {
  it('round-trips lines, including empty ones and none', () => {
    for (const lines of [[], [''], ['a', '', 'b'], ['\u001b[1mbold\u001b[0m', 'ünïcode']]) {
      assert.deepEqual(decodeLines(encodeLines(lines).data), lines);
    }
  });
  it('names chunks in order', () => assert.ok(chunkName('e', 2) < chunkName('e', 10)));
  it('assembles chunks in index order up to the final one', () => {
    const got = assembleChunks([chunk(1, 2, ['c'], { final: true }), chunk(0, 0, ['a', 'b'])], 'u1');
    assert.deepEqual(got, { lines: ['a', 'b', 'c'], final: true });
  });
  it('reports why a final log is incomplete', () => {
    assert.equal(assembleChunks([chunk(0, 0, ['a'], { final: true, incomplete: 'pod gone' })], 'u1').incomplete, 'pod gone');
  });
  it('stops at a gap and is then not final', () => {
    assert.deepEqual(assembleChunks([chunk(0, 0, ['a']), chunk(2, 5, ['x'], { final: true })], 'u1'), { lines: ['a'], final: false });
  });
  it('ignores chunks of another execution with the same name', () => {
    const other = chunk(0, 0, ['old'], { executionUid: 'u0', final: true });
    assert.deepEqual(assembleChunks([other, chunk(0, 0, ['new'])], 'u1'), { lines: ['new'], final: false });
  });
  it('stops at a chunk whose first line does not follow', () => {
    assert.deepEqual(assembleChunks([chunk(0, 0, ['a']), chunk(1, 3, ['d'], { final: true })], 'u1'), { lines: ['a'], final: false });
  });
});
