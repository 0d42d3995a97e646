import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { devModeRefusal, devModeRequestFilter } from './dev-mode-request.js';

describe('devModeRefusal', () => {
  const served: { host?: string; origin?: string }[] = [
    { host: '127.0.0.1:8080' },
    { host: 'localhost:8080' },
    { host: 'LOCALHOST' },
    { host: '127.0.0.2:1' },
    { host: '[::1]:8080' },
    { host: '127.0.0.1:8080', origin: 'http://127.0.0.1:8080' },
    { host: 'localhost:3000', origin: 'http://localhost:3000' },
    { host: '[::1]:8080', origin: 'http://[::1]:8080' },
  ];
  for (const headers of served) {
    it(`serves ${JSON.stringify(headers)}`, () => assert.equal(devModeRefusal(headers), undefined));
  }

  // DNS rebinding: the attacker's name resolves to 127.0.0.1, so the browser sends its name as Host.
  const refusedHost: { host?: string; origin?: string }[] = [
    { host: 'evil.example' },
    { host: 'evil.example:8080', origin: 'http://evil.example:8080' },
    { host: '127.0.0.1.evil.example' },
    { host: 'localhost.evil.example:8080' },
    { host: '10.0.0.1:8080' },
    { host: '' },
    {},
  ];
  for (const headers of refusedHost) {
    it(`refuses the Host of ${JSON.stringify(headers)}, naming the header`, () => {
      assert.match(devModeRefusal(headers) ?? '', /the Host header is "/);
    });
  }

  // A page elsewhere posting a form or calling fetch to the loopback address: Host is fine, Origin is not.
  const refusedOrigin: { host?: string; origin?: string }[] = [
    { host: '127.0.0.1:8080', origin: 'http://evil.example' },
    { host: '127.0.0.1:8080', origin: 'http://localhost:8080' },
    { host: '127.0.0.1:8080', origin: 'http://127.0.0.1:3000' },
    { host: '127.0.0.1:8080', origin: 'null' },
    { host: '127.0.0.1:8080', origin: 'file:///home/me/page.html' },
  ];
  for (const headers of refusedOrigin) {
    it(`refuses the Origin of ${JSON.stringify(headers)}, naming the header`, () => {
      assert.match(devModeRefusal(headers) ?? '', /the Origin header is "/);
    });
  }
});

describe('devModeRequestFilter', () => {
  function run(headers: Record<string, string>): { next: boolean; status: number; body: string } {
    const out = { next: false, status: 0, body: '' };
    const res = {
      statusCode: 200,
      setHeader: () => undefined,
      end(body: string) {
        out.status = this.statusCode;
        out.body = body;
      },
    };
    devModeRequestFilter({ headers } as unknown as IncomingMessage, res as unknown as ServerResponse, () => {
      out.next = true;
    });
    return out;
  }

  it('passes a loopback request on and answers 403 in the API error shape otherwise', () => {
    assert.deepEqual(run({ host: '127.0.0.1:1' }), { next: true, status: 0, body: '' });
    const refused = run({ host: '127.0.0.1:1', origin: 'http://evil.example' });
    assert.equal(refused.next, false);
    assert.equal(refused.status, 403);
    const body = JSON.parse(refused.body) as { status: number; reason: string; message: string };
    assert.equal(body.status, 403);
    assert.equal(body.reason, 'Forbidden');
    assert.match(body.message, /Origin header is "http:\/\/evil\.example"/);
  });
});
