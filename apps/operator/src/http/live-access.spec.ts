import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AccessReviewService } from './access-review.service.js';
import { ApiError } from './errors.js';
import { RetryLaterError } from './review-limits.js';
import { LiveAccess } from './live-access.js';

const log = { info: () => undefined, warn: () => undefined };
const check = { req: { verb: 'get', resource: 'tofuexecutions' }, namespace: 'team-a', name: 'run-1' } as const;

describe('LiveAccess', () => {
  it('asks for answers no older than its period, and ends a grant once refused, once', async () => {
    let answer: Error | undefined;
    const maxAges: (number | undefined)[] = [];
    const reviews = {
      authenticate: () => Promise.resolve({ username: 'u' }),
      authorize: (_u: unknown, _r: unknown, _n: unknown, _m: unknown, opts?: { maxAgeMs?: number }) => {
        maxAges.push(opts?.maxAgeMs);
        return answer ? Promise.reject(answer) : Promise.resolve();
      },
    } as unknown as AccessReviewService;
    const live = new LiveAccess(reviews, 5_000, log);
    const ended: ApiError[] = [];
    live.add({ user: { username: 'u' }, checks: [check], end: (e) => ended.push(e) });
    await live.recheck();
    assert.equal(ended.length, 0);
    assert.deepEqual(maxAges, [5_000]);
    answer = new RetryLaterError(503, 'too many access reviews are waiting', 1);
    await live.recheck();
    assert.equal(ended.length, 0, 'a review that could not be made keeps the grant');
    answer = new ApiError(403, 'Forbidden', 'user "u" cannot get tofuexecutions "run-1"');
    await live.recheck();
    await live.recheck();
    assert.equal(ended.length, 1);
    assert.equal(ended[0]?.status, 403);
    assert.equal(live.size, 0);
  });

  it('ends a grant whose token is no longer valid, and forgets one removed by its owner', async () => {
    const reviews = {
      authenticate: (token: string) =>
        token === 'good'
          ? Promise.resolve({ username: 'u' })
          : Promise.reject(new ApiError(401, 'Unauthorized', 'the bearer token is not valid')),
      authorize: () => Promise.resolve(),
    } as unknown as AccessReviewService;
    const live = new LiveAccess(reviews, 5_000, log);
    const ended: string[] = [];
    live.add({ user: { username: 'u' }, token: 'good', checks: [check], end: () => ended.push('good') });
    live.add({ user: { username: 'u' }, token: 'expired', checks: [check], end: () => ended.push('expired') });
    const remove = live.add({ user: { username: 'u' }, token: 'expired', checks: [check], end: () => ended.push('removed') });
    remove();
    await live.recheck();
    assert.deepEqual(ended, ['expired']);
    assert.equal(live.size, 1);
  });
});
