import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { matchesSelector, parseLabelSelector } from './label-selector.js';
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
