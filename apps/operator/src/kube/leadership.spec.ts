import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Leadership } from './leadership.js';

describe('Leadership', () => {
  it('signals each change once, in order', () => {
    const l = new Leadership();
    const seen: boolean[] = [];
    l.onChange((leading) => seen.push(leading));
    l.set(false); // not leading already: nothing to say
    l.set(true);
    l.set(true);
    l.set(false);
    assert.deepEqual(seen, [true, false]);
    assert.equal(l.isLeader, false);
  });

  it('tells a listener that arrives while leading at once', () => {
    const l = new Leadership();
    l.set(true);
    const seen: boolean[] = [];
    l.onChange((leading) => seen.push(leading));
    assert.deepEqual(seen, [true]);
    assert.equal(l.isLeader, true);
  });

  it('stops calling a removed listener', () => {
    const l = new Leadership();
    const seen: boolean[] = [];
    const off = l.onChange((leading) => seen.push(leading));
    l.set(true);
    off();
    l.set(false);
    assert.deepEqual(seen, [true]);
  });
});
