import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff } from './backoff.js';

/** The next `n` delays of a backoff. */
function delays(b: Backoff, n: number): number[] {
  return Array.from({ length: n }, () => b.next());
}

describe('Backoff', () => {
  const caps = [100, 200, 400, 800, 1_000, 1_000, 1_000];

  const table: { random: number; expected: number[] }[] = [
    { random: 0, expected: caps.map((c) => c / 2) },
    { random: 1, expected: caps },
    { random: 0.5, expected: caps.map((c) => (c * 3) / 4) },
  ];
  for (const { random, expected } of table) {
    it(`with random() = ${random} gives ${expected.join(', ')}`, () => {
      assert.deepEqual(delays(new Backoff(100, 1_000, () => random), expected.length), expected);
    });
  }

  it('stays within [cap/2, cap] for any random value', () => {
    let i = 0;
    const randoms = [0, 0.999999, 0.1, 0.9, 0.33, 0.5, 0.75, 0.01, 0.42, 0.66];
    const b = new Backoff(100, 1_000, () => randoms[i++ % randoms.length] ?? 0);
    for (const cap of [...caps, 1_000, 1_000, 1_000]) {
      const d = b.next();
      assert.ok(d >= cap / 2 && d <= cap, `${d} outside [${cap / 2}, ${cap}]`);
    }
  });

  it('rounds to whole milliseconds', () => {
    const b = new Backoff(3, 1_000, () => 0.3);
    for (const d of delays(b, 8)) assert.ok(Number.isInteger(d), `${d} is not an integer`);
  });

  it('does not overflow for many attempts', () => {
    const b = new Backoff(1, Number.MAX_SAFE_INTEGER, () => 1);
    const all = delays(b, 100);
    assert.equal(all.at(-1), 2 ** 30, 'the exponent stops growing at 30');
    assert.ok(all.every((d) => Number.isFinite(d)));
  });

  it('starts over from the base delay after reset()', () => {
    const b = new Backoff(100, 1_000, () => 1);
    assert.deepEqual(delays(b, 4), [100, 200, 400, 800]);
    b.reset();
    assert.deepEqual(delays(b, 3), [100, 200, 400]);
  });

  it('uses Math.random by default, within bounds', () => {
    const b = new Backoff(100, 1_000);
    for (const cap of caps) {
      const d = b.next();
      assert.ok(d >= cap / 2 && d <= cap, `${d} outside [${cap / 2}, ${cap}]`);
    }
  });
});
