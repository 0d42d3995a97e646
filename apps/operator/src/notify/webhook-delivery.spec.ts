import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { outcomeOfStatus, SIGNATURE_HEADER, signatureOf, webhookDelivery, type WebhookIo } from './webhook-delivery.js';
import { NotificationRefusedError, postNotification } from './webhook-post.js';

const target = { namespace: 'ns', secretName: 'hook', key: 'url' };
const TOKEN_URL = 'https://hooks.example/services/T0K3N';

function io(data: Record<string, string> | undefined | Error, answer: number | Error = 200) {
  const posts: { url: string; body: string; headers: Record<string, string> }[] = [];
  const value: WebhookIo = {
    readSecret: () => (data instanceof Error ? Promise.reject(data) : Promise.resolve(data)),
    isRetryable: (err) => (err as Error).message.includes('503'),
    post: (url, body, headers) => {
      posts.push({ url: url.href, body, headers });
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
  };
  return { posts, value };
}

async function once(data: Record<string, string> | undefined | Error, answer: number | Error = 200) {
  const { posts, value } = io(data, answer);
  let settledWith: [string, string | undefined, string | undefined] | undefined;
  const delivery = webhookDelivery(target, '{"event":"RunStarted"}', value, (r, p, h) => (settledWith = [r, p, h]));
  const outcome = await delivery.attempt(1);
  return { outcome, posts, delivery, settled: () => settledWith };
}

describe('webhookDelivery', () => {
  it('posts to the URL of the Secret with the User-Agent, and signs when the Secret has a secret key', async () => {
    const { outcome, posts } = await once({ url: TOKEN_URL, secret: 'k3y' });
    assert.deepEqual(outcome, { outcome: 'sent' });
    assert.equal(posts[0]?.url, TOKEN_URL);
    assert.equal(posts[0]?.headers['User-Agent'], 'tofu-operator');
    const mac = createHmac('sha256', 'k3y').update('{"event":"RunStarted"}').digest('hex');
    assert.equal(posts[0]?.headers[SIGNATURE_HEADER], `sha256=${mac}`);
    const unsigned = await once({ url: TOKEN_URL });
    assert.equal(unsigned.posts[0]?.headers[SIGNATURE_HEADER], undefined);
  });

  it('names the Secret and key, never the URL, in every problem', async () => {
    const cases: [Record<string, string> | undefined | Error, number | Error, string, RegExp][] = [
      [undefined, 200, 'failed', /the Secret ns\/hook, key "url" does not exist/],
      [{ other: 'x' }, 200, 'failed', /Secret ns\/hook, key "url" is missing or empty/],
      [{ url: 'ftp://hooks.example/T0K3N' }, 200, 'failed', /the URL in the Secret ns\/hook, key "url" has the scheme ftp/],
      [new Error('GET secrets: 503'), 200, 'retry', /could not read the Secret ns\/hook/],
      [new Error('GET secrets: 403 Forbidden'), 200, 'failed', /could not read the Secret ns\/hook/],
      [{ url: TOKEN_URL }, 500, 'retry', /^hooks\.example answered 500$/],
      [{ url: TOKEN_URL }, 429, 'retry', /answered 429/],
      [{ url: TOKEN_URL }, 404, 'failed', /answered 404/],
      [{ url: TOKEN_URL }, new Error('POST to hooks.example failed: ECONNRESET'), 'retry', /ECONNRESET \(Secret ns\/hook, key "url"\)/],
      [{ url: TOKEN_URL }, new NotificationRefusedError('hooks.example resolves to a refused link-local address'), 'failed', /^refused: /],
    ];
    for (const [data, answer, want, message] of cases) {
      const { outcome } = await once(data, answer);
      assert.equal(outcome.outcome, want, JSON.stringify(outcome));
      const problem = outcome.outcome === 'sent' ? '' : outcome.problem;
      assert.match(problem, message);
      assert.ok(!problem.includes('T0K3N'), problem);
    }
  });

  it('reads the Secret once, tells the host when settled', async () => {
    let reads = 0;
    const value: WebhookIo = {
      ...io({}).value,
      readSecret: () => (reads++, Promise.resolve({ url: TOKEN_URL })),
      post: () => Promise.resolve(503),
    };
    let host: string | undefined;
    const delivery = webhookDelivery(target, '{}', value, (_r, _p, h) => (host = h));
    await delivery.attempt(1);
    await delivery.attempt(2);
    delivery.settled('failed', 'x');
    assert.equal(reads, 1);
    assert.equal(host, 'hooks.example');
  });

  it('outcomeOfStatus', () => {
    assert.deepEqual(outcomeOfStatus(204, 'h'), { outcome: 'sent' });
    assert.equal(outcomeOfStatus(302, 'h').outcome, 'failed');
    assert.equal(outcomeOfStatus(502, 'h').outcome, 'retry');
  });

  it('signatureOf matches an independent HMAC', () => {
    assert.equal(signatureOf('s', 'body'), `sha256=${createHmac('sha256', 's').update('body').digest('hex')}`);
  });
});

describe('postNotification (a real local server)', () => {
  let server: Server;
  let port = 0;
  const seen: { headers: IncomingHttpHeaders; body: string; path: string }[] = [];
  let status = 200;
  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ headers: req.headers, body, path: req.url ?? '' });
        if (status === 0) return; // never answer
        res.writeHead(status).end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  const opts = { allowLoopback: true, timeoutMs: 500, headers: { 'User-Agent': 'tofu-operator' } };

  it('POSTs the JSON body and returns the status', async () => {
    status = 202;
    const code = await postNotification(new URL(`http://127.0.0.1:${port}/hook?t=1`), '{"a":1}', opts);
    assert.equal(code, 202);
    const last = seen.at(-1);
    assert.equal(last?.body, '{"a":1}');
    assert.equal(last?.path, '/hook?t=1');
    assert.equal(last?.headers['content-type'], 'application/json');
    assert.equal(last?.headers['user-agent'], 'tofu-operator');
  });

  it('resolves localhost and refuses loopback unless allowed, before connecting', async () => {
    const before = seen.length;
    await assert.rejects(
      postNotification(new URL(`http://localhost:${port}/`), '{}', { ...opts, allowLoopback: false }),
      NotificationRefusedError,
    );
    await assert.rejects(
      postNotification(new URL(`http://[::1]:${port}/`), '{}', { ...opts, allowLoopback: false }),
      NotificationRefusedError,
    );
    await assert.rejects(postNotification(new URL('http://169.254.169.254/latest'), '{}', opts), /cloud-metadata/);
    assert.equal(seen.length, before);
  });

  it('gives up at the deadline', async () => {
    status = 0;
    const started = Date.now();
    await assert.rejects(postNotification(new URL(`http://127.0.0.1:${port}/slow`), '{}', opts), /failed/);
    assert.ok(Date.now() - started < 3_000);
    status = 200;
  });
});
