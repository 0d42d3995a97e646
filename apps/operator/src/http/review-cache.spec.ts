import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RejectedTokens, ReviewCache } from './review-cache.js';

describe('ReviewCache', () => {
  it('computes once for concurrent callers of a key', async () => {
    const cache = new ReviewCache<number>(10);
    let calls = 0;
    let release: (v: number) => void = () => undefined;
    const compute = () => {
      calls++;
      return new Promise<number>((r) => (release = r));
    };
    const all = Promise.all(Array.from({ length: 100 }, () => cache.get('k', compute, () => 1000)));
    release(7);
    assert.deepEqual(new Set(await all), new Set([7]));
    assert.equal(calls, 1);
  });

  it('keeps an answer for its time to live, per answer', async () => {
    let now = 0;
    const cache = new ReviewCache<boolean>(10, () => now);
    let calls = 0;
    const compute = (v: boolean) => () => {
      calls++;
      return Promise.resolve(v);
    };
    const ttl = (allowed: boolean) => (allowed ? 10_000 : 5_000);
    await cache.get('yes', compute(true), ttl);
    await cache.get('no', compute(false), ttl);
    now = 6_000;
    await cache.get('yes', compute(true), ttl);
    await cache.get('no', compute(false), ttl);
    assert.equal(calls, 3, 'the denial expired after 5 s, the grant did not');
    now = 10_500;
    await cache.get('yes', compute(true), ttl);
    assert.equal(calls, 4);
  });

  it('computes again an answer older than maxAgeMs, and keeps the new one', async () => {
    let now = 0;
    const cache = new ReviewCache<boolean>(10, () => now);
    let calls = 0;
    const compute = () => {
      calls++;
      return Promise.resolve(calls === 1);
    };
    const ttl = () => 10_000;
    assert.equal(await cache.get('k', compute, ttl), true);
    now = 4_000;
    assert.equal(await cache.get('k', compute, ttl, 5_000), true, 'younger than maxAgeMs: the cached answer');
    now = 6_000;
    assert.equal(await cache.get('k', compute, ttl), true, 'without maxAgeMs the answer lives its ttl');
    assert.equal(await cache.get('k', compute, ttl, 5_000), false, 'older than maxAgeMs: asked again');
    assert.equal(calls, 2);
    assert.equal(await cache.get('k', compute, ttl), false, 'the new answer replaced the old one for every caller');
  });

  it('does not cache failures or answers with no time to live', async () => {
    const cache = new ReviewCache<number>(10);
    await assert.rejects(
      cache.get(
        'k',
        () => Promise.reject(new Error('down')),
        () => 1000,
      ),
    );
    assert.equal(
      await cache.get(
        'k',
        () => Promise.resolve(1),
        () => 0,
      ),
      1,
    );
    assert.equal(cache.size, 0);
    assert.equal(
      await cache.get(
        'k',
        () => Promise.resolve(2),
        () => 1000,
      ),
      2,
    );
  });

  it('stays within its bound, dropping the oldest', async () => {
    const cache = new ReviewCache<number>(3);
    for (let i = 0; i < 5; i++)
      await cache.get(
        `k${i}`,
        () => Promise.resolve(i),
        () => 60_000,
      );
    assert.equal(cache.size, 3);
    let recomputed = false;
    await cache.get(
      'k0',
      () => ((recomputed = true), Promise.resolve(0)),
      () => 60_000,
    );
    assert.ok(recomputed, 'the oldest was dropped');
  });
});

describe('RejectedTokens', () => {
  it('remembers a rejected hash for its time to live only', () => {
    let now = 0;
    const rejected = new RejectedTokens(10, 10_000, () => now);
    rejected.add('h1');
    assert.equal(rejected.has('h1'), true);
    assert.equal(rejected.has('h2'), false);
    now = 9_999;
    assert.equal(rejected.has('h1'), true);
    now = 10_000;
    assert.equal(rejected.has('h1'), false);
    assert.equal(rejected.size, 0, 'an expired rejection is dropped when looked up');
  });

  it('stays bounded under a flood of distinct tokens, forgetting the oldest first', () => {
    const rejected = new RejectedTokens(100, 10_000, () => 0);
    for (let i = 0; i < 5_000; i++) rejected.add(`h${i}`);
    assert.equal(rejected.size, 100);
    assert.equal(rejected.has('h4999'), true);
    assert.equal(rejected.has('h4900'), true);
    assert.equal(rejected.has('h4899'), false);
  });
});
