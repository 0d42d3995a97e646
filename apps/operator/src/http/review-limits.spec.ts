import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ClientFailureLimiter, RetryLaterError, ReviewQueue } from './review-limits.js';

function refusal(fn: () => unknown): RetryLaterError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof RetryLaterError, String(err));
    return err;
  }
  assert.fail('expected a refusal');
}

describe('ClientFailureLimiter', () => {
  it('answers 429 with Retry-After once an address used its failures, and refills over time', () => {
    let now = 0;
    const limiter = new ClientFailureLimiter(3, 0.5, 100, () => now);
    for (let i = 0; i < 3; i++) {
      limiter.check('10.0.0.1');
      limiter.fail('10.0.0.1');
    }
    const e = refusal(() => limiter.check('10.0.0.1'));
    assert.equal(e.status, 429);
    assert.equal(e.reason, 'TooManyRequests');
    assert.equal(e.retryAfterSeconds, 2);
    // Another address is not affected.
    limiter.check('10.0.0.2');
    now = 1_999;
    refusal(() => limiter.check('10.0.0.1'));
    now = 2_000;
    limiter.check('10.0.0.1');
    limiter.fail('10.0.0.1');
    refusal(() => limiter.check('10.0.0.1'));
  });

  it('forgets an address once its budget is full again, and stays bounded', () => {
    let now = 0;
    const limiter = new ClientFailureLimiter(2, 1, 50, () => now);
    for (let i = 0; i < 1_000; i++) limiter.fail(`a${i}`);
    assert.equal(limiter.size, 50);
    now = 10_000;
    limiter.check('a999');
    assert.equal(limiter.size, 49);
  });

  it('does not limit requests without an address', () => {
    const limiter = new ClientFailureLimiter(1, 0.001, 10, () => 0);
    for (let i = 0; i < 10; i++) limiter.fail(undefined);
    limiter.check(undefined);
    assert.equal(limiter.size, 0);
  });
});

describe('ReviewQueue', () => {
  it('refuses with 503 at once beyond its bound, and takes reviews again when one ends', async () => {
    const queue = new ReviewQueue(2, 60_000);
    const releases: (() => void)[] = [];
    const slow = () => queue.run(() => new Promise<string>((r) => releases.push(() => r('ok'))));
    const a = slow();
    const b = slow();
    assert.equal(queue.size, 2);
    const started = performance.now();
    await assert.rejects(slow(), (err: unknown) => err instanceof RetryLaterError && err.status === 503 && err.retryAfterSeconds === 1);
    assert.ok(performance.now() - started < 100, 'the refusal does not wait');
    releases[0]!();
    assert.equal(await a, 'ok');
    const c = slow();
    releases[1]!();
    releases[2]!();
    assert.deepEqual(await Promise.all([b, c]), ['ok', 'ok']);
    assert.equal(queue.size, 0);
  });

  it('aborts a review that takes longer than its timeout and answers 503', async () => {
    const queue = new ReviewQueue(2, 50);
    let aborted = false;
    const review = queue.run(
      (signal) =>
        new Promise<never>((_r, reject) =>
          signal.addEventListener('abort', () => {
            aborted = true;
            reject(signal.reason as Error);
          }),
        ),
    );
    await assert.rejects(review, (err: unknown) => err instanceof RetryLaterError && err.status === 503);
    assert.equal(aborted, true);
    assert.equal(queue.size, 0);
  });

  it('passes other failures through unchanged', async () => {
    const queue = new ReviewQueue(2, 60_000);
    const boom = new Error('boom');
    await assert.rejects(
      queue.run(() => Promise.reject(boom)),
      (err: unknown) => err === boom,
    );
    assert.equal(queue.size, 0);
  });
});
