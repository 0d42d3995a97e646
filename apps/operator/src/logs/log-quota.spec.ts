import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LogQuota, overCaps, RECOUNT_MS, type NamespaceUsage } from './log-quota.js';

const caps = { maxChunks: 3, maxBytes: 1000 };

describe('overCaps', () => {
  it('fits under both caps', () => assert.equal(overCaps({ chunks: 2, bytes: 500 }, 1, 500, caps), undefined));
  it('names the chunk cap', () => assert.equal(overCaps({ chunks: 3, bytes: 0 }, 1, 10, caps), '3 of 3 chunks stored'));
  it('names the byte cap', () => assert.equal(overCaps({ chunks: 0, bytes: 990 }, 0, 11, caps), '990 of 1000 bytes stored'));
  it('a rewrite that adds nothing always fits', () => assert.equal(overCaps({ chunks: 9, bytes: 9999 }, 0, 0, caps), undefined));
});

describe('LogQuota', () => {
  /** A quota over a namespace whose stored usage the test sets, with a manual clock. */
  function quota(stored: NamespaceUsage) {
    let now = 0;
    let counts = 0;
    const q = new LogQuota(
      caps,
      () => {
        counts++;
        return Promise.resolve({ ...stored });
      },
      () => now,
    );
    return { q, tick: (ms: number) => (now += ms), counts: () => counts };
  }

  it('counts once, tallies its own writes, and refuses the write that goes past a cap', async () => {
    const { q, counts } = quota({ chunks: 1, bytes: 0 });
    assert.equal(await q.reserve('ns', 1, 100), undefined);
    assert.equal(await q.reserve('ns', 1, 100), undefined);
    assert.equal(await q.reserve('ns', 1, 100), '3 of 3 chunks stored');
    assert.equal(await q.reserve('ns', 0, 100), undefined, 'growing the open chunk still fits');
    assert.equal(counts(), 1);
  });

  it('counts again after RECOUNT_MS, so deleted logs free room', async () => {
    const stored = { chunks: 3, bytes: 0 };
    const { q, tick, counts } = quota(stored);
    assert.match((await q.reserve('ns', 1, 1)) ?? '', /chunks stored/);
    stored.chunks = 0; // the executions and their chunks were deleted
    tick(RECOUNT_MS - 1);
    assert.match((await q.reserve('ns', 1, 1)) ?? '', /chunks stored/, 'still the old count');
    tick(1);
    assert.equal(await q.reserve('ns', 1, 1), undefined);
    assert.equal(counts(), 2);
  });

  it('keeps namespaces apart and forgets counts on reset', async () => {
    const { q, counts } = quota({ chunks: 2, bytes: 0 });
    assert.equal(await q.reserve('a', 1, 0), undefined);
    assert.equal(await q.reserve('b', 1, 0), undefined);
    q.add('a', 1, 0);
    assert.match((await q.reserve('a', 1, 0)) ?? '', /4 of 3/);
    q.reset();
    assert.equal(await q.reserve('a', 1, 0), undefined);
    assert.equal(counts(), 3);
  });
});
