import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readCookie, sameOrigin, sessionCookie, SESSION_COOKIE, upstreamHeaders } from './session.ts';
import { isApiPath } from './proxy.ts';

describe('session cookie', () => {
  it('is http-only, SameSite=Strict, and Secure over https', () => {
    assert.equal(sessionCookie('t.o.k', false), `${SESSION_COOKIE}=t.o.k; Path=/; HttpOnly; SameSite=Strict; Max-Age=28800`);
    assert.match(sessionCookie('t', true), /; Secure;/);
  });
  it('sign-out clears it', () => assert.match(sessionCookie(undefined, false), /^tofu_session=; .*Max-Age=0$/));
  it('is read back from a Cookie header among others', () => {
    assert.equal(readCookie(`a=1; ${SESSION_COOKIE}=abc%3D; b=2`, SESSION_COOKIE), 'abc=');
    assert.equal(readCookie('a=1', SESSION_COOKIE), undefined);
    assert.equal(readCookie(undefined, SESSION_COOKIE), undefined);
  });
});

describe('sameOrigin (CSRF)', () => {
  const table: [string, string | undefined, string | undefined, { publicUrl?: string; secure?: boolean }, boolean][] = [
    ['same host', 'http://localhost:3000', 'localhost:3000', {}, true],
    ['other port', 'http://localhost:3001', 'localhost:3000', {}, false],
    ['other host', 'http://evil.example', 'localhost:3000', {}, false],
    ['scheme mismatch', 'https://localhost:3000', 'localhost:3000', {}, false],
    ['https', 'https://dash.example', 'dash.example', { secure: true }, true],
    ['no Origin', undefined, 'localhost:3000', {}, false],
    ['null Origin', 'null', 'localhost:3000', {}, false],
    ['public URL behind a proxy', 'https://dash.example', 'internal:3000', { publicUrl: 'https://dash.example/' }, true],
    ['public URL mismatch', 'https://evil.example', 'internal:3000', { publicUrl: 'https://dash.example' }, false],
  ];
  for (const [what, origin, host, opts, want] of table) it(what, () => assert.equal(sameOrigin(origin, host, opts), want));
});

describe('upstreamHeaders', () => {
  it('adds the bearer token and strips cookie, origin, the browser authorization and hop-by-hop headers', () => {
    const h = upstreamHeaders(
      {
        cookie: 'tofu_session=x',
        origin: 'http://localhost:3000',
        authorization: 'Bearer forged',
        host: 'localhost:3000',
        connection: 'keep-alive',
        'content-type': 'application/json',
        'x-forwarded-for': '6.6.6.6',
      },
      'tok',
      { forwardedFor: '127.0.0.1' },
    );
    assert.deepEqual(h, { 'content-type': 'application/json', authorization: 'Bearer tok', 'x-forwarded-for': '127.0.0.1' });
  });
  it('keeps the websocket handshake headers on upgrade', () => {
    const h = upstreamHeaders({ connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'k' }, 'tok', { upgrade: true });
    assert.deepEqual(h, { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'k', authorization: 'Bearer tok' });
  });
});

describe('isApiPath', () => {
  for (const [p, want] of [
    ['/api/v1/namespaces', true],
    ['/api/socket.io/?EIO=4', true],
    ['/api', true],
    ['/apis', false],
    ['/ns/default', false],
  ] as const)
    it(p, () => assert.equal(isApiPath(p), want));
});
