import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { stepMarker } from './step-marker.js';

describe('stepMarker', () => {
  it('ends the marker with the time in UTC, to the millisecond', () =>
    assert.equal(stepMarker('tofu init', new Date(Date.UTC(2026, 10, 30, 15, 10, 26, 123))), '==> tofu init @ 2026-11-30T15:10:26.123Z'));
  it('uses the current time by default', () => {
    const before = Date.now();
    const at = Date.parse(/ @ (\S+)$/.exec(stepMarker('tofu plan'))![1]!);
    assert.ok(at >= before && at <= Date.now());
  });
});
