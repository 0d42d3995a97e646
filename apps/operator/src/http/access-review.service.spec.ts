import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeClient, Logger } from '@tofu-operator/reconcile-runtime';
import type { OperatorConfig } from '../config/operator-config.js';
import { AccessReviewService, CLIENT_FAILURE_BURST, REVIEW_QUEUE_MAX } from './access-review.service.js';
import { ApiError } from './errors.js';

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as Logger;

/** A review client that accepts only "good" and counts the TokenReviews; `hold` keeps them pending. */
function fakeClient(opts: { hold?: boolean } = {}) {
  const seen: string[] = [];
  const pending: (() => void)[] = [];
  const client = {
    request: (_method: string, path: string, o: { body: { spec: { token?: string } } }) => {
      seen.push(path);
      const answer = { status: { authenticated: o.body.spec.token === 'good', user: { username: 'alice' } } };
      if (!opts.hold) return Promise.resolve(answer);
      return new Promise((r) => pending.push(() => r(answer)));
    },
  } as unknown as KubeClient;
  return { client, seen, pending };
}

const service = (client: KubeClient) => new AccessReviewService(client, silent, { insecureNoAuth: false } as OperatorConfig);

async function status(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (err) {
    assert.ok(err instanceof ApiError, String(err));
    return err.status;
  }
}

describe('AccessReviewService under a flood', () => {
  it('reviews a rejected token once and answers its repeats 401 from the cache', async () => {
    const { client, seen } = fakeClient();
    const reviews = service(client);
    for (let i = 0; i < 5; i++) assert.equal(await status(reviews.authenticate('bad-token')), 401);
    assert.equal(seen.length, 1);
  });

  it('answers 429 to an address after its failed authentications, without reviewing', async () => {
    const { client, seen } = fakeClient();
    const reviews = service(client);
    const codes: number[] = [];
    for (let i = 0; i < CLIENT_FAILURE_BURST + 50; i++) codes.push(await status(reviews.authenticate(`random-${i}`, '192.0.2.7')));
    assert.deepEqual(codes.slice(0, CLIENT_FAILURE_BURST), Array<number>(CLIENT_FAILURE_BURST).fill(401));
    assert.deepEqual(codes.slice(CLIENT_FAILURE_BURST), Array<number>(50).fill(429));
    assert.equal(seen.length, CLIENT_FAILURE_BURST, 'refused addresses cost no TokenReview');
    // Answers that cost no review stay 401: a missing token, a token rejected moments ago.
    assert.equal(await status(reviews.authenticate(undefined, '192.0.2.7')), 401);
    assert.equal(await status(reviews.authenticate('random-0', '192.0.2.7')), 401);
    // Another address, and a token accepted before, still pass.
    assert.equal(await status(reviews.authenticate('good', '192.0.2.8')), 200);
    assert.equal(await status(reviews.authenticate('good', '192.0.2.7')), 200);
  });

  it('answers 503 at once when too many reviews are pending', async () => {
    const { client, seen, pending } = fakeClient({ hold: true });
    const reviews = service(client);
    const waiting = Array.from({ length: REVIEW_QUEUE_MAX }, (_, i) => status(reviews.authenticate(`t-${i}`)));
    assert.equal(await status(reviews.authenticate('one-too-many')), 503);
    assert.equal(seen.length, REVIEW_QUEUE_MAX);
    for (const release of pending) release();
    assert.deepEqual(new Set(await Promise.all(waiting)), new Set([401]));
  });
});
