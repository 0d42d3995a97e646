import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clipLine, LineSplitter, MAX_LINE_BYTES, parseTimestamped, ResumeFilter, timestampNs } from './log-lines.js';

describe('LineSplitter', () => {
  it('joins lines across chunks and keeps the unterminated rest', () => {
    const s = new LineSplitter();
    assert.deepEqual(s.push('a\nb'), ['a']);
    assert.deepEqual(s.push('c\n\nd'), ['bc', '']);
    assert.equal(s.flush(), 'd');
    assert.equal(s.flush(), undefined);
  });
});

describe('timestampNs', () => {
  const cases: [string, bigint | undefined][] = [
    ['2026-11-25T22:35:55Z', 1795646155_000_000_000n],
    ['2026-11-25T22:35:55.1Z', 1795646155_100_000_000n],
    ['2026-11-25T22:35:55.123456789Z', 1795646155_123_456_789n],
    ['2026-11-25T23:35:55.5+01:00', 1795646155_500_000_000n],
    ['not-a-time', undefined],
    ['2026-11-25 22:35:55Z', undefined],
  ];
  for (const [input, want] of cases) it(input, () => assert.equal(timestampNs(input), want));
  it('orders times whose fractions have different lengths (kubelet trims trailing zeros)', () => {
    assert.ok(timestampNs('2026-11-25T22:35:55.9Z')! > timestampNs('2026-11-25T22:35:55.123456789Z')!);
  });
});

describe('parseTimestamped', () => {
  it('splits time and text', () => {
    const l = parseTimestamped('2026-11-25T22:35:55.5Z Plan: 2 to add');
    assert.equal(l.text, 'Plan: 2 to add');
    assert.equal(l.time, '2026-11-25T22:35:55.5Z');
  });
  it('keeps an empty line', () => assert.equal(parseTimestamped('2026-11-25T22:35:55.5Z ').text, ''));
  it('keeps a line without timestamp whole', () =>
    assert.deepEqual(parseTimestamped('hello world'), { ts: 0n, time: '', text: 'hello world' }));
});

describe('clipLine', () => {
  it('keeps short lines', () => assert.equal(clipLine('x'.repeat(100)), 'x'.repeat(100)));
  it('cuts long lines under the limit and marks them', () => {
    const cut = clipLine('é'.repeat(MAX_LINE_BYTES));
    assert.ok(Buffer.byteLength(cut) <= MAX_LINE_BYTES);
    assert.match(cut, /line cut at 64 KiB\]$/);
  });
});

describe('ResumeFilter', () => {
  const line = (t: string, text: string) => parseTimestamped(`2026-11-25T22:35:${t}Z ${text}`);
  it('keeps everything on the first stream, including lines with equal timestamps', () => {
    const f = new ResumeFilter();
    assert.deepEqual(
      [line('01.1', 'a'), line('01.1', 'b'), line('01.2', 'c')].map((l) => f.accept(l)),
      [true, true, true],
    );
    assert.equal(f.sinceTime(), '2026-11-25T22:35:01.2Z');
  });
  it('drops what a resumed stream repeats from the same second, keeps what is new', () => {
    const f = new ResumeFilter();
    for (const l of [line('01.0', 'a'), line('01.5', 'b'), line('01.5', 'c')]) f.accept(l);
    f.restart();
    // sinceTime has whole seconds: the stream repeats the second from its start.
    const got = [line('01.0', 'a'), line('01.5', 'b'), line('01.5', 'c'), line('01.5', 'd'), line('02.0', 'e')].filter((l) => f.accept(l));
    assert.deepEqual(
      got.map((l) => l.text),
      ['d', 'e'],
    );
  });
  it('keeps a line of the first stream stamped earlier than the one before it (stdout and stderr interleaved)', () => {
    const f = new ResumeFilter();
    f.restart();
    assert.deepEqual(
      [line('01.5', 'out'), line('01.4', 'err'), line('01.6', 'out2')].map((l) => f.accept(l)),
      [true, true, true],
    );
    assert.equal(f.sinceTime(), '2026-11-25T22:35:01.6Z');
    f.restart();
    assert.deepEqual(
      [line('01.5', 'out'), line('01.4', 'err'), line('01.6', 'out2'), line('01.7', 'new')].map((l) => f.accept(l)),
      [false, false, false, true],
      'a resumed stream drops what it repeats',
    );
  });
  it('a stream resumed twice still drops only repeats', () => {
    const f = new ResumeFilter();
    for (const l of [line('01.5', 'a')]) f.accept(l);
    f.restart();
    assert.deepEqual(
      [line('01.5', 'a'), line('01.5', 'b')].map((l) => f.accept(l)),
      [false, true],
    );
    f.restart();
    assert.deepEqual(
      [line('01.5', 'a'), line('01.5', 'b'), line('01.6', 'c')].map((l) => f.accept(l)),
      [false, false, true],
    );
  });
});

describe('LineSplitter with one endless line', () => {
  it('keeps at most maxChars of a line however long it grows, then goes on with the next line', () => {
    const s = new LineSplitter(10);
    for (let i = 0; i < 1000; i++) assert.deepEqual(s.push('x'.repeat(1000)), []);
    assert.deepEqual(s.push('y\nnext\nrest'), ['x'.repeat(10), 'next']);
    assert.equal(s.flush(), 'rest');
  });
  it('a line cut by the splitter is marked as cut once its timestamp is removed', () => {
    const s = new LineSplitter();
    s.push(`2026-11-25T22:35:55.123456789Z ${'z'.repeat(10 * MAX_LINE_BYTES)}`);
    const [raw] = s.push('\n');
    assert.match(parseTimestamped(raw!).text, /line cut at 64 KiB\]$/);
  });
});
