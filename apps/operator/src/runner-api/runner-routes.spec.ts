import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RunnerRoute } from './runner-access.js';
import { parseRoute } from './runner-routes.js';

describe('runner API routes', () => {
  const ok: { method: string; url: string; want: RunnerRoute }[] = [
    { method: 'GET', url: '/state/ns/module/web', want: { kind: 'state', op: 'get', namespace: 'ns', ownerKind: 'module', owner: 'web' } },
    {
      method: 'LOCK',
      url: '/state/ns/stack/prod',
      want: { kind: 'state', op: 'lock', namespace: 'ns', ownerKind: 'stack', owner: 'prod' },
    },
    {
      method: 'UNLOCK',
      url: '/state/ns/stack/prod',
      want: { kind: 'state', op: 'unlock', namespace: 'ns', ownerKind: 'stack', owner: 'prod' },
    },
    {
      method: 'POST',
      url: '/state/ns/module/web?ID=3f5b-1a',
      want: { kind: 'state', op: 'write', namespace: 'ns', ownerKind: 'module', owner: 'web', lockId: '3f5b-1a' },
    },
    {
      method: 'POST',
      url: '/state/ns/module/web',
      want: { kind: 'state', op: 'write', namespace: 'ns', ownerKind: 'module', owner: 'web' },
    },
    {
      method: 'GET',
      url: '/state/ns/module/a.b?ID=x',
      want: { kind: 'state', op: 'get', namespace: 'ns', ownerKind: 'module', owner: 'a.b' },
    },
    { method: 'PUT', url: '/plans/ns/web-p1', want: { kind: 'plan', op: 'put', part: 'plan', namespace: 'ns', execution: 'web-p1' } },
    { method: 'GET', url: '/plans/ns/web-p1', want: { kind: 'plan', op: 'get', part: 'plan', namespace: 'ns', execution: 'web-p1' } },
    { method: 'PUT', url: '/plans/ns/web-p1/diff', want: { kind: 'plan', op: 'put', part: 'diff', namespace: 'ns', execution: 'web-p1' } },
    { method: 'GET', url: '/plans/ns/web-p1/diff', want: { kind: 'plan', op: 'get', part: 'diff', namespace: 'ns', execution: 'web-p1' } },
    { method: 'PUT', url: '/outputs/ns/web-apply', want: { kind: 'outputs', op: 'put', namespace: 'ns', execution: 'web-apply' } },
  ];
  for (const c of ok) it(`${c.method} ${c.url}`, () => assert.deepEqual(parseRoute(c.method, c.url), { route: c.want }));

  const bad: { method: string; url: string; status: number; allow?: string[] }[] = [
    { method: 'GET', url: '/', status: 404 },
    { method: 'GET', url: '/state/ns/module', status: 404 },
    { method: 'GET', url: '/state/ns/job/web', status: 404 },
    { method: 'GET', url: '/state/ns/module/web/extra', status: 404 },
    { method: 'GET', url: '/state/NS/module/web', status: 404 },
    { method: 'GET', url: '/state/ns/module/..', status: 404 },
    { method: 'GET', url: '/state/ns/module/%2e%2e', status: 404 },
    { method: 'GET', url: '/state/ns/module/We', status: 404 },
    { method: 'GET', url: '/plans/ns/web-p1/log', status: 404 },
    { method: 'GET', url: '/plans/ns', status: 404 },
    { method: 'DELETE', url: '/state/ns/module/web', status: 405, allow: ['GET', 'POST', 'LOCK', 'UNLOCK'] },
    { method: 'POST', url: '/plans/ns/web-p1', status: 405, allow: ['GET', 'PUT'] },
    { method: 'GET', url: '/outputs/ns/web-apply', status: 405, allow: ['PUT'] },
    { method: 'PUT', url: '/outputs/ns', status: 404 },
    { method: 'PUT', url: '/outputs/ns/web-apply/diff', status: 404 },
    { method: 'PUT', url: '/outputs/ns/Web', status: 404 },
    { method: 'PUT', url: '/outputs/n_s/web-apply', status: 404 },
  ];
  for (const c of bad) {
    it(`refuses ${c.method} ${c.url} with ${c.status}`, () => {
      const got = parseRoute(c.method, c.url);
      assert.ok('error' in got, JSON.stringify(got));
      assert.equal(got.error.status, c.status);
      assert.deepEqual(got.error.allow, c.allow);
    });
  }
});
