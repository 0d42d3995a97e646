import 'reflect-metadata';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Controller, Get, type ExecutionContext, type Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createLogger } from '@tofu-operator/reconcile-runtime';
import { AppModule } from '../app.module.js';
import type { AccessReviewService } from '../http/access-review.service.js';
import { HealthController } from '../health/health.controller.js';
import {
  Authz,
  AuthzNonResource,
  isAuthenticatedOnly,
  isNonResource,
  isPublicController,
  isResource,
  type AuthzRequirement,
} from '../http/authz.js';
import { AuthzGuard } from '../http/authz.guard.js';
import { ApiError } from '../http/errors.js';
import { routeTable } from './route-table.js';

function httpContext(controller: Type, handler: (...args: never[]) => unknown, headers: Record<string, string> = {}): ExecutionContext {
  const req = { headers, params: { ns: 'a' } };
  return {
    getType: () => 'http',
    getClass: () => controller,
    getHandler: () => handler,
    switchToHttp: () => ({ getRequest: () => req }),
  } as unknown as ExecutionContext;
}

describe('route table', () => {
  const routes = routeTable(AppModule);
  const isPublic = (r: { controller: Type }) => isPublicController(r.controller);

  it('finds the API routes and the probes', () => {
    const table = routes.map((r) => `${r.method} ${r.path}`);
    for (const expected of [
      'GET /healthz',
      'GET /readyz',
      'GET /api/v1/namespaces/:ns/modules',
      'GET /api/v1/namespaces/:ns/modules/:name',
      'POST /api/v1/namespaces/:ns/modules',
      'PUT /api/v1/namespaces/:ns/modules/:name',
      'DELETE /api/v1/namespaces/:ns/modules/:name',
      'POST /api/v1/namespaces/:ns/modules/:name/plan',
      'POST /api/v1/namespaces/:ns/stacks/:name/plan',
      'POST /api/v1/namespaces/:ns/modules/:name/drift-check',
      'POST /api/v1/namespaces/:ns/stacks/:name/drift-check',
      'GET /api/v1/namespaces/:ns/queue',
      'GET /api/v1/queue',
      'GET /api/v1/namespaces/:ns/executions',
      'DELETE /api/v1/namespaces/:ns/executions/:name',
      'GET /api/v1/namespaces/:ns/executions/:name/plan/diff',
      'GET /api/v1/namespaces/:ns/configmaps',
      'GET /api/v1/namespaces/:ns/secrets',
      'GET /metrics',
    ])
      assert.ok(table.includes(expected), `${expected} is not in ${table.join(', ')}`);
  });

  it('serves only reviewed controllers without authentication', () => {
    // Adding a controller here makes its routes public: review that they expose no cluster data.
    // HooksController: push webhooks carry no token; each is verified by the module's HMAC secret (hooks.service.ts).
    assert.deepEqual([...new Set(routes.filter(isPublic).map((r) => r.controller.name))].sort(), [
      'DocsController',
      'HealthController',
      'HooksController',
    ]);
  });

  it('every route outside the public probes declares its authorization', () => {
    const undeclared = routes.filter((r) => !r.authz && !isPublic(r));
    assert.deepEqual(
      undeclared.map((r) => `${r.method} ${r.path} (${r.controller.name}.${r.handler})`),
      [],
      'routes without @Authz are refused at runtime; declare their permission',
    );
    const publicRoutes = routes.filter(isPublic).map((r) => `${r.method} ${r.path}`);
    assert.deepEqual(publicRoutes.sort(), [
      'GET /api/docs',
      'GET /api/docs/:file',
      'GET /api/docs/openapi.json',
      'GET /healthz',
      'GET /readyz',
      'POST /hooks/git/:ns/:module',
    ]);
  });

  /** Routes about the caller, open to any authenticated caller; they filter their answers with reviews. */
  const SELF_ROUTES = ['GET /api/v1/namespaces', 'GET /api/v1/namespaces/:ns/permissions', 'GET /api/v1/queue'];

  it('only the routes about the caller are open to any authenticated caller', () => {
    const open = routes.filter((r) => r.authz && isAuthenticatedOnly(r.authz)).map((r) => `${r.method} ${r.path}`);
    assert.deepEqual(open.sort(), [...SELF_ROUTES].sort());
  });

  it('every API route names a verb on a resource matching its path', () => {
    const byPath = {
      modules: 'tofumodules',
      stacks: 'tofustacks',
      executions: 'tofuexecutions',
      // The run queue lists executions (those waiting for a slot).
      queue: 'tofuexecutions',
      configmaps: 'configmaps',
      secrets: 'secrets',
    } as const;
    for (const r of routes.filter(
      (x) => x.path.startsWith('/api/') && !SELF_ROUTES.includes(`${x.method} ${x.path}`) && !x.path.startsWith('/api/docs'),
    )) {
      const kind = /\/namespaces\/:ns\/(modules|stacks|executions|queue|configmaps|secrets)/.exec(r.path)?.[1] as
        keyof typeof byPath | undefined;
      assert.ok(kind, `${r.path} is not a namespaced resource path`);
      assert.ok(r.authz && isResource(r.authz), `${r.method} ${r.path} must declare a resource permission (@Authz)`);
      assert.equal(r.authz.resource, byPath[kind], `${r.method} ${r.path}`);
      const expectedVerb =
        r.method === 'GET'
          ? r.path.endsWith(':name') || r.path.endsWith(':name/logs') || r.path.endsWith(':name/plan/diff')
            ? 'get'
            : 'list'
          : r.method === 'POST'
            ? r.path.endsWith('/plan') || r.path.endsWith(':name/cancel') || r.path.endsWith(':name/drift-check')
              ? 'patch'
              : r.path.endsWith(':name/approve') || r.path.endsWith(':name/reject')
                ? 'approve'
                : 'create'
            : r.method === 'PUT'
              ? 'update'
              : 'delete';
      assert.equal(r.authz.verb, expectedVerb, `${r.method} ${r.path}`);
    }
  });

  it('every route outside the API and the probes requires its own method on its own path as a non-resource URL', () => {
    const others = routes.filter((r) => !r.path.startsWith('/api/') && !isPublic(r));
    assert.ok(others.some((r) => r.path === '/metrics'));
    for (const r of others) {
      assert.ok(r.authz && isNonResource(r.authz), `${r.method} ${r.path} must declare @AuthzNonResource`);
      // RBAC's nonResourceURLs grant a path and a verb: a declaration naming another path or verb would
      // let a ClusterRole for that one through here.
      assert.deepEqual(r.authz, { verb: r.method.toLowerCase(), path: r.path }, `${r.method} ${r.path}`);
    }
  });
});

describe('AuthzGuard', () => {
  @Controller('x')
  class Probe {
    @Get('undeclared')
    undeclared(): string {
      return 'no';
    }

    @Get('declared')
    @Authz('list', 'tofumodules')
    declared(): string {
      return 'yes';
    }

    @Get('non-resource')
    @AuthzNonResource('get', '/x/non-resource')
    nonResource(): string {
      return 'yes';
    }
  }

  type Handler = 'undeclared' | 'declared' | 'nonResource';
  const handlers = Probe.prototype as unknown as Record<Handler, () => string>;
  const handler = (name: Handler) => handlers[name];
  const calls: string[] = [];
  const reviews = {
    authenticate: (token: string | undefined) => {
      calls.push(`authn ${token ?? '-'}`);
      if (!token) return Promise.reject(new ApiError(401, 'Unauthorized', 'no token'));
      return Promise.resolve({ username: 'u' });
    },
    authorize: (_u: unknown, req: AuthzRequirement, ns: string | undefined) => {
      calls.push(
        isNonResource(req)
          ? `authz ${req.verb} path ${req.path}`
          : isResource(req)
            ? `authz ${req.verb} ${req.resource} ${ns ?? '-'}`
            : 'authz authenticated',
      );
      return Promise.resolve();
    },
  } as unknown as AccessReviewService;
  const guard = new AuthzGuard(new Reflector(), reviews, createLogger('test', 'silent'));

  it('refuses a route without a declaration, even with a token', async () => {
    calls.length = 0;
    await assert.rejects(guard.canActivate(httpContext(Probe, handler('undeclared'), { authorization: 'Bearer t' })), (e: unknown) => {
      assert.ok(e instanceof ApiError);
      assert.equal(e.status, 403);
      return true;
    });
    assert.deepEqual(calls, []);
  });

  it('authenticates, then reviews the declared permission in the path namespace', async () => {
    calls.length = 0;
    assert.equal(await guard.canActivate(httpContext(Probe, handler('declared'), { authorization: 'Bearer t' })), true);
    assert.deepEqual(calls, ['authn t', 'authz list tofumodules a']);
  });

  it('authenticates, then reviews a non-resource declaration by its path', async () => {
    calls.length = 0;
    assert.equal(await guard.canActivate(httpContext(Probe, handler('nonResource'), { authorization: 'Bearer t' })), true);
    assert.deepEqual(calls, ['authn t', 'authz get path /x/non-resource']);
  });

  it('asks for a token on a non-resource route too', async () => {
    calls.length = 0;
    await assert.rejects(
      guard.canActivate(httpContext(Probe, handler('nonResource'))),
      (e: unknown) => e instanceof ApiError && e.status === 401,
    );
    assert.deepEqual(calls, ['authn -']);
  });

  it('lets the probes through without a token', async () => {
    calls.length = 0;
    assert.equal(await guard.canActivate(httpContext(HealthController, () => undefined)), true);
    assert.deepEqual(calls, [], 'no review for a public controller');
  });
});
