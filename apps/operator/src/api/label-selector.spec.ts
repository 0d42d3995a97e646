import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_LABEL_SELECTOR_LENGTH, matchesSelector, parseLabelSelector } from './label-selector.js';
import { ApiError } from '../http/errors.js';
import { decodeContinue, encodeContinue } from './resources.service.js';

describe('parseLabelSelector', () => {
  it('parses equality-based requirements', () => {
    assert.deepEqual(parseLabelSelector('a=b, tofu-operator.io/module==net,c!=d,e,!f'), [
      { key: 'a', op: 'eq', value: 'b' },
      { key: 'tofu-operator.io/module', op: 'eq', value: 'net' },
      { key: 'c', op: 'neq', value: 'd' },
      { key: 'e', op: 'exists' },
      { key: 'f', op: 'notExists' },
    ]);
    assert.deepEqual(parseLabelSelector(''), []);
    assert.deepEqual(parseLabelSelector('a='), [{ key: 'a', op: 'eq', value: '' }]);
  });

  for (const bad of ['a in (b)', '=b', 'a=b c', 'a,,b', '-a=b', 'a=' + 'x'.repeat(64), 'Bad_Prefix/a=b']) {
    it(`rejects ${JSON.stringify(bad)} with a 400`, () => {
      assert.throws(
        () => parseLabelSelector(bad),
        (e: unknown) => e instanceof ApiError && e.status === 400,
      );
    });
  }

  it('refuses a selector longer than 4 KiB naming the parameter, without quoting it', () => {
    const long = Array.from({ length: 700 }, (_, i) => `k${i}=v`).join(',');
    assert.ok(long.length > MAX_LABEL_SELECTOR_LENGTH);
    assert.throws(
      () => parseLabelSelector(long),
      (e: unknown) =>
        e instanceof ApiError && e.status === 400 && /^labelSelector is \d+ characters long; at most 4096 are accepted$/.test(e.message),
    );
    assert.equal(parseLabelSelector(long.slice(0, MAX_LABEL_SELECTOR_LENGTH).replace(/,[^,]*$/, '')).length > 400, true);
  });

  // The old parser ran a lazy regular expression over each whole part: 'a' + spaces + 'b' cost time
  // quadratic in its length (~13 ms at 4 KiB, ~220 ms at 16 KiB). Linear work means 4x the input costs
  // about 4x the time; quadratic work costs 16x. Best of several batches keeps scheduling noise out.
  it('parses worst-case input in time linear in its length (4 KiB vs 1 KiB)', () => {
    const worst = (n: number) => 'a' + ' '.repeat(n - 2) + 'b';
    const cost = (s: string): number => {
      let best = Infinity;
      for (let batch = 0; batch < 7; batch++) {
        const t = process.hrtime.bigint();
        for (let i = 0; i < 20; i++) assert.throws(() => parseLabelSelector(s));
        best = Math.min(best, Number(process.hrtime.bigint() - t));
      }
      return best;
    };
    cost(worst(1024)); // warm up the JIT
    const small = cost(worst(1024));
    const large = cost(worst(MAX_LABEL_SELECTOR_LENGTH));
    assert.ok(large / small < 8, `4 KiB took ${(large / small).toFixed(1)}x the time of 1 KiB (linear: ~4x)`);
  });

  it('matches labels', () => {
    const sel = parseLabelSelector('env=prod,team!=b,tier,!legacy');
    assert.equal(matchesSelector({ env: 'prod', tier: 'x' }, sel), true);
    assert.equal(matchesSelector({ env: 'prod', tier: 'x', team: 'b' }, sel), false);
    assert.equal(matchesSelector({ env: 'prod' }, sel), false);
    assert.equal(matchesSelector({ env: 'prod', tier: 'x', legacy: '' }, sel), false);
    assert.equal(matchesSelector(undefined, parseLabelSelector('a!=b')), true);
  });
});

describe('continue tokens', () => {
  it('round-trip and reject garbage', () => {
    assert.equal(decodeContinue(encodeContinue('m-1')), 'm-1');
    assert.throws(
      () => decodeContinue('garbage'),
      (e: unknown) => e instanceof ApiError && e.status === 400,
    );
  });
});
