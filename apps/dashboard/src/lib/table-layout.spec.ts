import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tableMinWidth, trackMinimum } from './table-layout.ts';

describe('trackMinimum', () => {
  it('is a fixed track itself or the minimum of minmax()', () => {
    assert.equal(trackMinimum('8.5rem'), '8.5rem');
    assert.equal(trackMinimum('minmax(12rem, 2fr)'), '12rem');
    assert.equal(trackMinimum(' minmax( 120px ,1fr) '), '120px');
  });
  it('is nothing for flexible tracks', () => {
    assert.equal(trackMinimum('1fr'), '0px');
    assert.equal(trackMinimum('auto'), '0px');
    assert.equal(trackMinimum('minmax(auto, 1fr)'), '0px');
  });
});

describe('tableMinWidth', () => {
  it('adds the minimums, the gaps between the columns and the row padding', () => {
    assert.equal(tableMinWidth(['minmax(12rem, 2fr)', '8.5rem', '5rem']), 'calc(12rem + 8.5rem + 5rem + 2 * 0.75rem + 2rem)');
    assert.equal(tableMinWidth(['4rem'], '1rem', '0px'), 'calc(4rem + 0 * 1rem + 0px)');
    assert.equal(tableMinWidth([]), '0px');
  });
});
