import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backoffAfterFailure, firstPollDelay, nextAfterSuccess } from './poll-schedule.js';

describe('nextAfterSuccess', () => {
  it('waits the interval plus at most 10% (30 s at most), never less', () => {
    assert.equal(nextAfterSuccess(60_000, 0), 60_000);
    assert.equal(nextAfterSuccess(60_000, 0.999), 65_994);
    assert.equal(nextAfterSuccess(3_600_000, 0.999), 3_629_970);
  });
});

describe('backoffAfterFailure', () => {
  it('doubles from 10 s, capped by the interval and by 10 minutes', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffAfterFailure(n, 3_600_000)),
      [10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 600_000, 600_000],
    );
    assert.deepEqual(
      [1, 2, 3].map((n) => backoffAfterFailure(n, 30_000)),
      [10_000, 20_000, 30_000],
    );
    assert.equal(backoffAfterFailure(1, 10_000), 10_000);
    assert.equal(backoffAfterFailure(1000, 60_000), 60_000);
  });
});

describe('firstPollDelay', () => {
  it('polls a new source within a second once the operator runs', () => {
    assert.equal(firstPollDelay(60_000, 120_000, 0.5), 500);
  });
  it('spreads first polls over min(interval, 30 s) just after the operator starts leading', () => {
    assert.equal(firstPollDelay(60_000, 0, 0.5), 15_000);
    assert.equal(firstPollDelay(10_000, 5_000, 0.5), 5_000);
  });
});
