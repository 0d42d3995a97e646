import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type { ServerResponse } from 'node:http';
import { hookBodyReader, MAX_HOOK_BODY, type HookRequest } from './hooks-body.js';

function request(headers: Record<string, string> = {}) {
  const stream = new PassThrough() as unknown as HookRequest & PassThrough;
  (stream as { headers: Record<string, string> }).headers = headers;
  return stream;
}
function response() {
  const res = { statusCode: 200, headers: {} as Record<string, string>, body: '' };
  return Object.assign(res, {
    setHeader: (k: string, v: string) => (res.headers[k] = v),
    end: (b: string) => (res.body = b),
  });
}

describe('hookBodyReader', () => {
  it('hands the exact bytes on as a Buffer and marks the body read', async () => {
    const req = request();
    const done = new Promise<unknown>((resolve) => hookBodyReader(req, response() as unknown as ServerResponse, resolve));
    req.end(Buffer.from('{"a": 1}\n'));
    assert.equal(await done, undefined);
    assert.deepEqual(req.body, Buffer.from('{"a": 1}\n'));
    assert.equal(req._body, true);
  });
  it('answers 413 for a declared or streamed body over the limit, without calling the route', async () => {
    for (const declared of [true, false]) {
      const req = request(declared ? { 'content-length': String(MAX_HOOK_BODY + 1) } : {});
      const res = response();
      let called = false;
      hookBodyReader(req, res as unknown as ServerResponse, () => (called = true));
      req.end(Buffer.alloc(MAX_HOOK_BODY + 1));
      await new Promise((r) => setImmediate(r));
      assert.equal(res.statusCode, 413);
      assert.match(res.body, /RequestEntityTooLarge/);
      assert.equal(called, false);
    }
  });
});
