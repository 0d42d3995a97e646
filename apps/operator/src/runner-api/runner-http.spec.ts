import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { basicCredentials, ByteBudget, readBody, RunnerHttpError } from './runner-http.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('basicCredentials', () => {
  const cases: { header: string | undefined; want: { username: string; password: string } | undefined }[] = [
    { header: `Basic ${b64('web-p1:tok')}`, want: { username: 'web-p1', password: 'tok' } },
    { header: `basic ${b64('web-p1:tok')}`, want: { username: 'web-p1', password: 'tok' } },
    { header: `Basic ${b64('web-p1:a:b')}`, want: { username: 'web-p1', password: 'a:b' } },
    { header: `Basic ${b64('web-p1:')}`, want: { username: 'web-p1', password: '' } },
    { header: `Basic ${b64(':tok')}`, want: undefined },
    { header: `Basic ${b64('no-colon')}`, want: undefined },
    { header: 'Bearer abc', want: undefined },
    { header: 'Basic', want: undefined },
    { header: 'Basic !!!', want: undefined },
    { header: undefined, want: undefined },
  ];
  for (const c of cases) it(`${String(c.header)}`, () => assert.deepEqual(basicCredentials(c.header), c.want));
});

function request(body: Buffer, contentLength?: number): IncomingMessage {
  const stream = Readable.from([body.subarray(0, body.length / 2), body.subarray(body.length / 2)]) as unknown as IncomingMessage;
  stream.headers = contentLength === undefined ? {} : { 'content-length': String(contentLength) };
  return stream;
}

describe('readBody', () => {
  it('reads a body up to the limit', async () => {
    assert.equal((await readBody(request(Buffer.from('0123456789'), 10), 10)).toString(), '0123456789');
    assert.equal((await readBody(request(Buffer.from('0123456789')), 10)).length, 10);
  });
  it('refuses by Content-Length before reading', async () => {
    await assert.rejects(readBody(request(Buffer.from('x'), 11), 10), (e: unknown) => e instanceof RunnerHttpError && e.status === 413);
  });
  it('refuses a body without Content-Length once it passes the limit', async () => {
    await assert.rejects(readBody(request(Buffer.alloc(11)), 10), (e: unknown) => e instanceof RunnerHttpError && e.status === 413);
  });
});

describe('ByteBudget', () => {
  it('hands out bytes up to its capacity and takes them back', () => {
    const b = new ByteBudget(100);
    assert.equal(b.take(60), true);
    assert.equal(b.take(50), false);
    assert.equal(b.take(40), true);
    assert.equal(b.inUse, 100);
    b.release(60);
    assert.equal(b.take(50), true);
    b.release(1000);
    assert.equal(b.inUse, 0);
  });
});
