import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ResumeCheck } from './log-resume.js';

describe('ResumeCheck', () => {
  it('skips lines before the last stored chunk and the same lines in it, then takes the new ones', () => {
    const r = new ResumeCheck(2, ['c', 'd']);
    assert.deepEqual(
      ['a', 'b', 'c', 'd', 'e'].map((l, i) => r.step(i, l)),
      ['skip', 'skip', 'skip', 'skip', 'new'],
    );
    assert.equal(r.endedShort(), false);
  });
  it('answers gap at the first line that differs from the stored one (a rotated log)', () => {
    const r = new ResumeCheck(2, ['c', 'd']);
    assert.deepEqual(
      ['x', 'y', 'z'].map((l, i) => r.step(i, l)),
      ['skip', 'skip', 'gap'],
    );
  });
  it('a pod log that ends before the resume point ended short', () => {
    const r = new ResumeCheck(2, ['c', 'd']);
    r.step(0, 'a');
    assert.equal(r.endedShort(), true);
    assert.equal(new ResumeCheck(0, []).endedShort(), false);
  });
});
