import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TofuLogChunk } from '@tofu-operator/api-types';
import {
  assembleChunks,
  chunkName,
  decodeLines,
  encodeLines,
  formatBytes,
  gapMarker,
  LogCap,
  tailOf,
  truncationMarker,
} from './log-chunks.js';

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

describe('LogCap', () => {
  it('keeps lines while their text fits, then ends with one truncation marker and keeps nothing more', () => {
    const cap = new LogCap(10);
    assert.deepEqual(cap.take(['abc', 'def']), ['abc', 'def']); // 8 bytes with newlines
    assert.deepEqual(cap.take(['g', 'hi']), ['g', truncationMarker(10)]);
    assert.equal(cap.reached, true);
    assert.deepEqual(cap.take(['more']), []);
  });
  it('counts bytes, not characters', () => {
    assert.deepEqual(new LogCap(4).take(['éé']), [truncationMarker(4)]);
  });
  it('the marker names the cap and the setting', () => {
    assert.match(truncationMarker(64 * 2 ** 20), /first 64 MiB .*TOFU_OPERATOR_LOG_MAX_BYTES/);
  });
});

describe('formatBytes', () => {
  const cases: [number, string][] = [
    [512, '512 B'],
    [1536, '1.5 KiB'],
    [64 * 2 ** 20, '64 MiB'],
    [3 * 2 ** 30, '3 GiB'],
  ];
  for (const [n, want] of cases) it(`${n}`, () => assert.equal(formatBytes(n), want));
});

describe('tailOf', () => {
  const summary = (index: number, firstLine: number, lines: string[], final = false) => ({
    index,
    firstLine,
    lineCount: lines.length,
    ...(final ? { final } : {}),
    data: encodeLines(lines).data,
  });
  it('starts at chunk 0, line 0 when nothing is stored', () => {
    assert.deepEqual(tailOf([]), { final: false, next: { index: 0, firstLine: 0 } });
  });
  it('resumes after the last chunk of the consecutive prefix, with its lines', () => {
    assert.deepEqual(tailOf([summary(1, 2, ['c', 'd']), summary(0, 0, ['a', 'b'])]), {
      final: false,
      next: { index: 2, firstLine: 4 },
      last: { index: 1, firstLine: 2, lines: ['c', 'd'] },
    });
  });
  it('stops at a gap in the chunks', () => {
    const got = tailOf([summary(0, 0, ['a']), summary(2, 5, ['x'])]);
    assert.deepEqual(got.next, { index: 1, firstLine: 1 });
    assert.deepEqual(got.last?.lines, ['a']);
  });
  it('a stored final chunk means nothing more to write', () => {
    assert.equal(tailOf([summary(0, 0, ['a'], true)]).final, true);
  });
  it('the gap marker says how many lines were stored', () => assert.match(gapMarker(42), /the 42 lines stored/));
});
