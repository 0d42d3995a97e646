import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Connection } from './api-args.ts';
import { ApiClient } from './api-client.ts';
import { ApiCommandError, ExitCode } from './api-result.ts';

const conn: Connection = { server: 'http://api.test', serverGiven: false, token: 'secret-token', namespace: 'team-a' };

/** A fetch that records its requests and answers with `answer`. */
function fakeFetch(answer: (url: string, init: RequestInit) => Response | Promise<Response>) {
  const calls: { url: string; init: RequestInit }[] = [];
  const f = ((url: string, init: RequestInit) => {
    calls.push({ url, init });
    return Promise.resolve(answer(url, init));
  }) as unknown as typeof fetch;
  return { f, calls };
}

/** A streamed body of these chunks, optionally breaking off after them. */
function streamed(chunks: string[], breakOff = false): Response {
  const enc = new TextEncoder();
  const queue = [...chunks];
  // One chunk per read (erroring a stream discards what is still queued), then the end or the break.
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      const chunk = queue.shift();
      if (chunk !== undefined) c.enqueue(enc.encode(chunk));
      else if (breakOff) c.error(new Error('socket hang up'));
      else c.close();
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': 'text/plain' } });
}

describe('ApiClient', () => {
  it('sends the bearer token and a JSON body to the namespaced path', async () => {
    const { f, calls } = fakeFetch(() => Response.json({ metadata: { name: 'p-apply' } }, { status: 201 }));
    const answer = await new ApiClient(conn, f).json('approve p', 'POST', '/api/v1/namespaces/team-a/executions/p/approve', {
      planDigest: 'd',
    });
    assert.deepEqual(answer, { status: 201, body: { metadata: { name: 'p-apply' } } });
    assert.equal(calls[0]?.url, 'http://api.test/api/v1/namespaces/team-a/executions/p/approve');
    assert.deepEqual(calls[0]?.init.headers, { authorization: 'Bearer secret-token', 'content-type': 'application/json' });
    assert.equal(calls[0]?.init.body, '{"planDigest":"d"}');
  });

  it('sends no authorization header without a token', async () => {
    const { token: _t, ...noToken } = conn;
    const { f, calls } = fakeFetch(() => Response.json({}));
    await new ApiClient(noToken, f).execution('x');
    assert.deepEqual(calls[0]?.init.headers, {});
  });

  it("turns an error answer into ApiCommandError with the API's message and the status's exit code", async () => {
    const body = {
      status: 422,
      reason: 'Invalid',
      message: 'plan p has digest a, not the approved b',
      fields: [{ path: 'planDigest', message: 'x' }],
    };
    const { f } = fakeFetch(() => Response.json(body, { status: 422 }));
    await assert.rejects(
      new ApiClient(conn, f).json('approve p', 'POST', '/x', {}),
      (err: unknown) =>
        err instanceof ApiCommandError &&
        err.exitCode === ExitCode.Invalid &&
        err.message.startsWith('approve p: 422 Invalid: plan p has digest a, not the approved b') &&
        !err.message.includes('secret-token'),
    );
  });

  it('an unreachable API is exit code Unavailable, naming the server and the cause', async () => {
    const f = (() => Promise.reject(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }))) as unknown as typeof fetch;
    await assert.rejects(new ApiClient(conn, f).execution('x'), (err: unknown) => {
      assert.ok(err instanceof ApiCommandError);
      assert.equal(err.exitCode, ExitCode.Unavailable);
      assert.equal(err.message, 'get x: could not reach the API at http://api.test: ECONNREFUSED');
      return true;
    });
  });

  it('followLog passes complete lines across chunk borders and counts them, from the offset asked', async () => {
    const { f, calls } = fakeFetch(() => streamed(['one\ntw', 'o\nthree', '\n']));
    const written: string[] = [];
    const count = await new ApiClient(conn, f).followLog('p', 5, (t) => {
      written.push(t);
      return Promise.resolve();
    });
    assert.equal(count, 3);
    assert.equal(written.join(''), 'one\ntwo\nthree\n');
    assert.equal(calls[0]?.url, 'http://api.test/api/v1/namespaces/team-a/executions/p/logs?follow=true&offset=5');
  });

  it('followLog drops a line torn by a broken stream, so the resumed follow repeats it whole', async () => {
    const { f } = fakeFetch(() => streamed(['one\ntwo\nthr'], true));
    let text = '';
    const count = await new ApiClient(conn, f).followLog('p', 0, (t) => {
      text += t;
      return Promise.resolve();
    });
    assert.equal(count, 2);
    assert.equal(text, 'one\ntwo\n');
  });

  it('followLog of a missing execution is NotFound', async () => {
    const { f } = fakeFetch(() => Response.json({ status: 404, reason: 'NotFound', message: 'not found' }, { status: 404 }));
    await assert.rejects(
      new ApiClient(conn, f).followLog('p', 0, () => Promise.resolve()),
      (err: unknown) => err instanceof ApiCommandError && err.exitCode === ExitCode.NotFound,
    );
  });
});
