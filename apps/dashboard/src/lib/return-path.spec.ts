import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { requestedPath, safeReturnPath, signInUrl } from './return-path.ts';

describe('safeReturnPath', () => {
  const kept: [raw: string, want: string][] = [
    ['/ns/team-a/executions/plan-abc', '/ns/team-a/executions/plan-abc'],
    ['/ns/team-a/modules?q=web#top', '/ns/team-a/modules?q=web#top'],
    ['/', '/'],
    ['/ns/a%20b/modules', '/ns/a%20b/modules'],
    // Encoded slashes stay encoded in the path: a page of ours that does not exist, not another host.
    ['/%2F%2Fevil.example', '/%2F%2Fevil.example'],
    ['/ns/./team-a/../team-b', '/ns/team-b'],
  ];
  for (const [raw, want] of kept) it(`keeps ${raw}`, () => assert.equal(safeReturnPath(raw), want));

  const refused: [what: string, raw: unknown][] = [
    ['an absolute URL', 'https://evil.example/ns/a'],
    ['another scheme', 'javascript:alert(1)'],
    ['a data URL', 'data:text/html,<script>alert(1)</script>'],
    ['a scheme-relative URL', '//evil.example/x'],
    ['a backslash after the slash', '/\\evil.example'],
    ['two backslashes', '\\\\evil.example'],
    ['a backslash inside', '/ns/a\\b'],
    ['a tab that browsers drop', '/\t/evil.example'],
    ['a newline', '/ns/a\n/x'],
    ['a NUL', '/ns/\u0000'],
    ['a space', '/ns/a b'],
    ['dot segments that end as //', '/.//evil.example'],
    ['dot-dot segments that end as //', '/a/..//evil.example'],
    ['a relative path', 'ns/team-a'],
    ['userinfo of a scheme-relative URL', '//user:pw@evil.example/'],
    ['the sign-in page', '/sign-in?next=/ns/a'],
    ['below the sign-in page', '/sign-in/x'],
    ['the auth route handlers', '/auth/sign-out'],
    ['the API proxy', '/api/v1/namespaces'],
    ['empty', ''],
    ['too long', `/${'a'.repeat(2048)}`],
    ['an array (a repeated query parameter)', ['/ns/a', '/ns/b']],
    ['undefined', undefined],
    ['a number', 42],
  ];
  for (const [what, raw] of refused) it(`refuses ${what}`, () => assert.equal(safeReturnPath(raw), '/'));

  it('answers the given fallback when refused', () => assert.equal(safeReturnPath('//evil.example', ''), ''));
});

describe('signInUrl', () => {
  it('carries the requested page', () => assert.equal(signInUrl('/ns/a/executions/p'), '/sign-in?next=%2Fns%2Fa%2Fexecutions%2Fp'));
  it('says the session ended', () => assert.equal(signInUrl('/ns/a', true), '/sign-in?expired=1&next=%2Fns%2Fa'));
  it('leaves out the picker and anything unsafe', () => {
    assert.equal(signInUrl('/'), '/sign-in');
    assert.equal(signInUrl('//evil.example'), '/sign-in');
    assert.equal(signInUrl(undefined, true), '/sign-in?expired=1');
  });
});

describe('requestedPath', () => {
  it('drops the _rsc cache-buster of client navigations', () => {
    assert.equal(requestedPath('/ns/a/modules', '?_rsc=abc12'), '/ns/a/modules');
    assert.equal(requestedPath('/ns/a/modules', '?q=web&_rsc=abc12'), '/ns/a/modules?q=web');
    assert.equal(requestedPath('/ns/a', ''), '/ns/a');
  });
});
