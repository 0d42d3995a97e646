import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import nextConfig from '../../next.config.ts';
import { THEME_SCRIPT } from '../lib/theme.ts';
import {
  API_CONTENT_SECURITY_POLICY,
  COMMON_SECURITY_HEADERS,
  pageContentSecurityPolicy,
  proxiedResponseHeaders,
} from './security-headers.ts';

const directives = (policy: string): Map<string, string[]> =>
  new Map(
    policy.split(';').map((d) => {
      const [name = '', ...values] = d.trim().split(/\s+/);
      return [name, values];
    }),
  );

describe('pageContentSecurityPolicy', () => {
  it('allows scripts from the origin and inline ones with the nonce only', () => {
    const csp = directives(pageContentSecurityPolicy('abc123=='));
    assert.deepEqual(csp.get('script-src'), ["'self'", "'nonce-abc123=='"]);
    assert.deepEqual(csp.get('object-src'), ["'none'"]);
    assert.deepEqual(csp.get('frame-ancestors'), ["'none'"]);
    assert.deepEqual(csp.get('base-uri'), ["'none'"]);
    assert.deepEqual(csp.get('form-action'), ["'self'"]);
    assert.deepEqual(csp.get('connect-src'), ["'self'"]);
    for (const [name, values] of csp) {
      if (name !== 'style-src') assert.ok(!values.includes("'unsafe-inline'"), `${name} allows no inline code`);
    }
  });

  it("adds only 'unsafe-eval' for Next's development server", () => {
    assert.deepEqual(directives(pageContentSecurityPolicy('n', true)).get('script-src'), ["'self'", "'nonce-n'", "'unsafe-eval'"]);
  });

  it('refuses a nonce that could end the directive', () => {
    assert.throws(() => pageContentSecurityPolicy("x'; script-src *"), /base64/);
  });

  it('leaves the inline theme script to the nonce: it is the only inline script the layout renders', () => {
    assert.ok(THEME_SCRIPT.length > 0);
    assert.ok(!pageContentSecurityPolicy('n').includes('sha256-'), 'no hash that would pin one version of the script');
  });
});

describe('proxiedResponseHeaders', () => {
  it("adds the dashboard's headers and the API policy, drops cookies, keeps the rest", () => {
    const out = proxiedResponseHeaders({
      'content-type': 'application/json',
      'set-cookie': ['a=b'],
      'x-frame-options': 'SAMEORIGIN',
      'transfer-encoding': 'chunked',
      'x-missing': undefined,
    });
    assert.deepEqual(out, {
      'content-type': 'application/json',
      'transfer-encoding': 'chunked',
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'same-origin',
      'content-security-policy': API_CONTENT_SECURITY_POLICY,
    });
    assert.deepEqual(directives(API_CONTENT_SECURITY_POLICY).get('default-src'), ["'none'"]);
  });

  it("keeps the operator's own policy of its API docs page", () => {
    const policy = "default-src 'self'";
    assert.equal(proxiedResponseHeaders({ 'content-security-policy': policy })['content-security-policy'], policy);
  });
});

describe('next.config headers', () => {
  it('sends the common security headers on every page path', async () => {
    const rules = await nextConfig.headers?.();
    const all = rules?.find((r) => r.source === '/:path*');
    assert.ok(all, 'a rule for every path');
    assert.deepEqual(Object.fromEntries(all.headers.map((h) => [h.key, h.value])), COMMON_SECURITY_HEADERS);
  });
});
