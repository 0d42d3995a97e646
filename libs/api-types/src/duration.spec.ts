import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDuration } from './duration.js';
import { FieldRules } from './crds/field-rules.js';

describe('parseDuration', () => {
  for (const [text, ms] of [
    ['0', 0],
    ['10s', 10_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['2h0m5s', 7_205_000],
  ] as const) {
    it(`reads ${text}`, () => assert.equal(parseDuration(text), ms));
  }
  for (const bad of ['', '5', '1d', '5m1h', '-1m', '1.5h', ' 5m', '5M']) {
    it(`refuses ${JSON.stringify(bad)}`, () => assert.equal(parseDuration(bad), undefined));
  }
  it('formats whole seconds back', () => {
    assert.equal(formatDuration(5_400_000), '1h30m');
    assert.equal(formatDuration(45_000), '45s');
    assert.equal(formatDuration(0), '0');
  });
});

describe('duration field rules (the JavaScript twins of the CEL rules)', () => {
  it('pollInterval: 10s to 24h, or 0', () => {
    for (const ok of ['0', '10s', '1m', '24h']) assert.equal(FieldRules.pollInterval.test(ok), true, ok);
    for (const bad of ['', '9s', '25h', '0s', '1d']) assert.equal(FieldRules.pollInterval.test(bad), false, bad);
  });
  it('driftInterval: 1m to 720h, never 0', () => {
    for (const ok of ['1m', '60s', '720h']) assert.equal(FieldRules.driftInterval.test(ok), true, ok);
    for (const bad of ['0', '59s', '721h', '']) assert.equal(FieldRules.driftInterval.test(bad), false, bad);
  });
});
