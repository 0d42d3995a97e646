// Authentication and authorization of every HTTP route of the real operator process, generated from
// its route table: the unit test (route-table.spec.ts) proves each route declares a permission; this
// proves the running process enforces it, with real tokens, TokenReviews and SubjectAccessReviews.
// A route added to the operator is walked here without a change to this file.
import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ErrorBody } from '@tofu-operator/api-contracts';
import { manifestKinds, type KubeObject } from '@tofu-operator/reconcile-runtime';
/* eslint-disable @nx/enforce-module-boundaries -- the routes come from the built operator itself (the e2e
   target builds it first), so the walk cannot drift from what the process serves. */
import { routeTable, type RouteEntry } from '@tofu-operator/operator/dist/api/route-table.js';
import { AppModule } from '@tofu-operator/operator/dist/app.module.js';
import { isAuthenticatedOnly, isPublicController, isResource } from '@tofu-operator/operator/dist/http/authz.js';
/* eslint-enable @nx/enforce-module-boundaries */
import {
  admin,
  deleteNamespace,
  freePort,
  installCrdsAndRbac,
  newNamespace,
  operatorKubeconfig,
  OperatorProcess,
  serviceAccountWithRole,
  waitFor,
} from './harness.js';

const routes: RouteEntry[] = routeTable(AppModule);
const publicRoutes = routes.filter((r) => isPublicController(r.controller));
const guardedRoutes = routes.filter((r) => !isPublicController(r.controller));

/** Values for the path parameters; anything else gets "x". The namespace is set in before(). */
const params: Record<string, string> = { name: 'no-such-object', file: 'no-such-file' };

/** The request path of a route: its parameters filled in. */
function pathOf(r: RouteEntry): string {
  return r.path.replace(/:(\w+)/g, (_m, p: string) => encodeURIComponent(params[p] ?? 'x'));
}

const label = (r: RouteEntry): string => `${r.method} ${r.path}`;

interface Answer {
  status: number;
  body: unknown;
  headers: Headers;
}

/** A forged token: a well-formed JWT whose signature the API server cannot verify. */
function forged(token: string): string {
  const [header, payload] = token.split('.');
  return `${header}.${payload}.${Buffer.from('not the signature').toString('base64url')}`;
}

describe('authorization of every route, from the route table', () => {
  let operator: OperatorProcess;
  let base: string;
  let ns: string;
  let other: string;
  /** A ServiceAccount token the cluster accepts, with no RBAC at all. */
  let noRbac: string;
  /** A token with every verb on our kinds, but in another namespace. */
  let elsewhere: string;

  async function call(r: RouteEntry, token?: string): Promise<Answer> {
    const method = r.method === 'ALL' ? 'GET' : r.method;
    const headers: Record<string, string> = {};
    if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
    // A valid (empty) JSON body, so no body parser answers before the guard.
    const body = method === 'POST' || method === 'PUT' || method === 'PATCH' ? '{}' : undefined;
    if (body) headers['content-type'] = 'application/json';
    const res = await fetch(base + pathOf(r), { method, headers, body, signal: AbortSignal.timeout(15_000) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? (JSON.parse(text) as unknown) : undefined;
    } catch {
      // Not JSON (the docs page, metrics): kept as text for the failure message.
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }

  function assertRefused(r: RouteEntry, a: Answer, status: 401 | 403, who: string): void {
    const reason = status === 401 ? 'Unauthorized' : 'Forbidden';
    assert.equal(a.status, status, `${label(r)} ${who}: ${JSON.stringify(a.body)}`);
    const e = a.body as ErrorBody;
    assert.equal(e.status, status, `${label(r)} ${who}`);
    assert.equal(e.reason, reason, `${label(r)} ${who}`);
    if (status === 401) assert.equal(a.headers.get('www-authenticate'), 'Bearer', `${label(r)} ${who}`);
  }

  before(async () => {
    await installCrdsAndRbac();
    ns = await newNamespace('route-authz');
    other = await newNamespace('route-authz-other');
    params['ns'] = ns;
    await admin.create<KubeObject>(manifestKinds['ServiceAccount']!, ns, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'no-rbac' },
    });
    const tr = await admin.request<{ status: { token: string } }>('POST', `/api/v1/namespaces/${ns}/serviceaccounts/no-rbac/token`, {
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
    });
    noRbac = tr.status.token;
    elsewhere = await serviceAccountWithRole(other, 'elsewhere', ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    operator = new OperatorProcess(await operatorKubeconfig(), { PORT: String(port), TOFU_OPERATOR_WATCH_NAMESPACE: ns });
    operator.start();
    await operator.waitUntilLeading();
    await waitFor('the API is ready', async () => (await fetch(`${base}/readyz`)).ok);
  });

  after(async () => {
    await operator?.stop();
    await Promise.all([ns, other].filter(Boolean).map(deleteNamespace));
  });

  it('walks a table that holds the API, the metrics and the probes', () => {
    const table = routes.map(label);
    for (const expected of [
      'GET /api/v1/namespaces/:ns/modules',
      'POST /api/v1/namespaces/:ns/stacks/:name/plan',
      'GET /api/v1/namespaces/:ns/executions/:name/logs',
      'GET /metrics',
      'GET /healthz',
    ])
      assert.ok(table.includes(expected), `${expected} is not in ${table.join(', ')}`);
    // The 19 guarded routes of the first API version; later ones only add to them.
    assert.ok(guardedRoutes.length >= 19, `only ${guardedRoutes.length} guarded routes: ${guardedRoutes.map(label).join(', ')}`);
  });

  it('walks every operation the running process documents', async () => {
    const doc = (await (await fetch(`${base}/api/docs/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const table = new Set(
      routes.map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, (_m, p: string) => `{${p === 'ns' ? 'namespace' : p}}`)}`),
    );
    const missing = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .map((method) => `${method} ${path}`)
        .filter((op) => !table.has(op)),
    );
    assert.deepEqual(missing, []);
  });

  for (const r of guardedRoutes) {
    describe(label(r), () => {
      it('answers 401 without a token', async () => assertRefused(r, await call(r), 401, 'without a token'));

      it('answers 401 to a token the cluster does not accept', async () => {
        assertRefused(r, await call(r, 'not-a-token'), 401, 'with garbage');
        assertRefused(r, await call(r, forged(noRbac)), 401, 'with a forged signature');
      });

      if (r.authz && isAuthenticatedOnly(r.authz)) {
        it('answers a valid token without RBAC, about the caller only', async () => {
          const a = await call(r, noRbac);
          assert.equal(a.status, 200, `${label(r)}: ${JSON.stringify(a.body)}`);
        });
      } else {
        it('answers 403 to a valid token without RBAC', async () => assertRefused(r, await call(r, noRbac), 403, 'without RBAC'));
      }

      if (r.authz && isResource(r.authz)) {
        it('answers 403 to a token allowed everything in another namespace', async () =>
          assertRefused(r, await call(r, elsewhere), 403, 'with rights elsewhere'));
      }
    });
  }

  for (const r of publicRoutes) {
    it(`${label(r)} is public: answered without a token`, async () => {
      const a = await call(r);
      // The push webhook needs no token but checks its own HMAC signature: its 401 names the
      // webhook's secret (the handler answered), not a missing token (the guard would have).
      const ownRefusal = r.path.startsWith('/hooks/') && a.status === 401 && /webhook/.test(JSON.stringify(a.body));
      assert.ok(ownRefusal || (a.status !== 401 && a.status !== 403), `${label(r)}: ${a.status} ${JSON.stringify(a.body)}`);
    });
  }

  it('never writes a token into its log', () => {
    const log = operator.log();
    for (const token of [noRbac, elsewhere]) assert.ok(!log.includes(token));
  });
});
