import 'reflect-metadata';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Body, Controller, Get, HttpCode, Param, Post, Query, type Type } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { Validator } from '@seriousme/openapi-schema-validator';
import { AppModule } from '../app.module.js';
import { ApiDoc, LIST_QUERY } from '../http/api-doc.js';
import { Authz } from '../http/authz.js';
import { docsPage, SWAGGER_UI_FILES } from './docs-page.js';
import { openApiDocument, openApiPath, type OpenApiDocument, type Operation } from './openapi.js';
import { controllerRoutes, routeTable, type RouteEntry } from './route-table.js';

const clone = <T>(v: T): T => structuredClone(v);

async function validate(doc: unknown): Promise<{ valid: boolean; errors?: unknown }> {
  return new Validator().validate(doc as Record<string, unknown>);
}

function operations(doc: OpenApiDocument): { key: string; op: Operation }[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([m, op]) => ({ key: `${m.toUpperCase()} ${path}`, op })),
  );
}

/** JSON Schema 2020-12 keywords the document may use; anything else is a typo or an OpenAPI 3.0-ism. */
const SCHEMA_KEYWORDS = new Set([
  ...['$ref', 'type', 'const', 'enum', 'description', 'format', 'default', 'examples', 'readOnly', 'writeOnly', 'deprecated', 'title'],
  ...['properties', 'required', 'additionalProperties', 'items', 'anyOf', 'oneOf', 'allOf', 'not'],
  ...['minimum', 'maximum', 'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems', 'maxProperties', 'minProperties'],
]);

/** Every keyword of every schema, with the path it is at, that is neither JSON Schema nor an extension. */
function unknownKeywords(schema: unknown, at: string, out: string[] = []): string[] {
  if (typeof schema !== 'object' || schema === null) return out;
  for (const [k, v] of Object.entries(schema as Record<string, unknown>)) {
    if (k.startsWith('x-')) continue;
    if (!SCHEMA_KEYWORDS.has(k)) out.push(`${at}.${k}`);
    if (k === 'properties')
      for (const [p, s] of Object.entries(v as Record<string, unknown>)) unknownKeywords(s, `${at}.properties.${p}`, out);
    if (k === 'items' || k === 'additionalProperties') unknownKeywords(v, `${at}.${k}`, out);
    if (k === 'anyOf' || k === 'oneOf' || k === 'allOf') (v as unknown[]).forEach((s, i) => unknownKeywords(s, `${at}.${k}[${i}]`, out));
  }
  return out;
}

describe('OpenAPI document of the application', () => {
  const routes = routeTable(AppModule);
  const api = routes.filter((r) => r.path.startsWith('/api/v1/'));
  const doc = openApiDocument(routes);
  const describeRoute = (r: RouteEntry) => `${r.method} ${r.path} (${r.controller.name}.${r.handler})`;

  it('documents every API route with @ApiDoc', () => {
    assert.ok(api.length > 0);
    assert.deepEqual(
      api.filter((r) => !r.doc).map(describeRoute),
      [],
      'add @ApiDoc({ summary, response, ... }) from ./api-doc.js to these handlers: the OpenAPI document at /api/docs is built from it',
    );
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await validate(doc);
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
  });

  it('lists every API route with its method, once, with a unique operationId', () => {
    const keys = operations(doc).map((o) => o.key);
    for (const r of api) {
      const key = `${r.method} ${openApiPath(r.path).path}`;
      assert.ok(keys.includes(key), `${key} is not in the document`);
    }
    const ids = operations(doc).map((o) => o.op.operationId);
    assert.equal(new Set(ids).size, ids.length, `duplicate operationIds: ${ids.join(', ')}`);
  });

  it('requires the bearer token and names the permission on every API operation', () => {
    for (const r of api) {
      const op = doc.paths[openApiPath(r.path).path]?.[r.method.toLowerCase()];
      assert.ok(op && r.authz, describeRoute(r));
      assert.deepEqual(op.security, [{ bearerToken: [] }], describeRoute(r));
      assert.ok(op.responses['401'], `${describeRoute(r)} documents 401`);
      assert.match(op.description ?? '', /\*\*Requires\*\* /);
      if ('verb' in r.authz) {
        // Reviewed with a SubjectAccessReview: the permission is named and a denial documented.
        assert.equal(op['x-kubernetes-permission']?.['verb'], r.authz.verb, describeRoute(r));
        assert.ok(op.responses['403'], `${describeRoute(r)} documents 403`);
      } else {
        assert.equal(op['x-kubernetes-permission']?.['authenticated'], true, describeRoute(r));
      }
    }
    assert.deepEqual(doc.components.securitySchemes['bearerToken'], {
      type: 'http',
      scheme: 'bearer',
      description: doc.components.securitySchemes['bearerToken']?.['description'],
    });
  });

  it('answers errors with ErrorBody', () => {
    for (const { key, op } of operations(doc))
      for (const [status, res] of Object.entries(op.responses)) {
        if (status.startsWith('2')) continue;
        const name = /^#\/components\/responses\/(\w+)$/.exec(String(res['$ref']))?.[1];
        assert.ok(name, `${key} ${status} refers to a shared error response`);
        const shared = doc.components.responses[name] as { content: Record<string, { schema: unknown }> };
        assert.deepEqual(shared.content['application/json']?.schema, { $ref: '#/components/schemas/ErrorBody' });
      }
  });

  it('declares exactly the path parameters of each path', () => {
    for (const { key, op } of operations(doc)) {
      const inPath = [...key.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const declared = (op.parameters ?? []).filter((p) => p['in'] === 'path').map((p) => p['name']);
      assert.deepEqual(declared, inPath, key);
    }
  });

  it('documents the plan body (PlanRequest) as optional, and every other body as required', () => {
    for (const { key, op } of operations(doc)) {
      const body = op.requestBody as { required?: boolean; content: Record<string, { schema: unknown }> } | undefined;
      if (!body) continue;
      const isPlan = key.endsWith('/plan') && key.startsWith('POST ');
      assert.equal(body.required, !isPlan, key);
      if (isPlan) assert.deepEqual(body.content['application/json']?.schema, { $ref: '#/components/schemas/PlanRequest' }, key);
    }
  });

  it('documents a request body exactly where the handler reads one, and every named query parameter', () => {
    for (const r of routes.filter((x) => x.doc)) {
      const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, r.controller, r.handler) ?? {}) as Record<string, { data?: unknown }>;
      const kinds = Object.entries(args).map(([k, v]) => ({ type: Number(k.split(':')[0]), data: v.data }));
      assert.equal(
        Boolean(r.doc?.request),
        kinds.some((a) => a.type === Number(RouteParamtypes.BODY)),
        `${describeRoute(r)}: @Body and @ApiDoc request`,
      );
      const named = kinds.filter((a) => a.type === Number(RouteParamtypes.QUERY) && typeof a.data === 'string').map((a) => String(a.data));
      const documented = (r.doc?.query ?? []).map((q) => q.name);
      for (const q of named) assert.ok(documented.includes(q), `${describeRoute(r)}: query parameter ${q} is not in @ApiDoc query`);
    }
  });

  it('uses JSON Schema 2020-12 keywords only (no OpenAPI 3.0 nullable, no typos)', () => {
    const bad = Object.entries(doc.components.schemas).flatMap(([name, s]) => unknownKeywords(s, name));
    assert.deepEqual(bad, []);
  });

  it('takes the kinds from the CRD schemas', () => {
    const module = doc.components.schemas['TofuModule'] as {
      properties: Record<string, { properties?: Record<string, unknown> }>;
      required: string[];
    };
    assert.ok(module.properties['spec']?.properties?.['source']);
    assert.deepEqual(module.required, ['spec']);
    const quantity = JSON.stringify(doc.components.schemas['TofuModule']).includes('"type":["integer","string"]');
    assert.ok(quantity, 'int-or-string quantities become a union type');
  });

  it('describes the inputs, outputs and dependencies of issue 12 from the CRD schemas', () => {
    type S = { properties?: Record<string, S> };
    const at = (kind: string, ...path: string[]): S | undefined =>
      path.reduce<S | undefined>((s, p) => s?.properties?.[p], doc.components.schemas[kind] as S);
    for (const kind of ['TofuModule', 'TofuStack']) {
      for (const field of ['variables', 'varsFrom', 'varFiles', 'outputs']) assert.ok(at(kind, 'spec', field), `${kind} spec.${field}`);
      for (const field of ['inputsDigest', 'outputs', 'outputsInfo']) assert.ok(at(kind, 'status', field), `${kind} status.${field}`);
      assert.ok(at(kind, 'status', 'outputsInfo', 'sensitive'), `${kind} status.outputsInfo.sensitive`);
    }
    for (const field of ['dependsOn', 'inputsFrom']) assert.ok(at('TofuStack', 'spec', field), `TofuStack spec.${field}`);
    assert.equal(at('TofuModule', 'spec', 'dependsOn'), undefined, 'a module has no dependencies');
    assert.ok(at('TofuExecution', 'status', 'inputs', 'sources'), 'TofuExecution status.inputs.sources');
  });

  it('describes continuous reconciliation (issue 13): the new fields from the CRD schemas, drift-check and the queue', () => {
    type S = { properties?: Record<string, S> };
    const at = (kind: string, ...path: string[]): S | undefined =>
      path.reduce<S | undefined>((s, p) => s?.properties?.[p], doc.components.schemas[kind] as S);
    for (const field of ['pollInterval', 'webhookSecretRef']) assert.ok(at('TofuModule', 'spec', 'source', field), `spec.source.${field}`);
    for (const kind of ['TofuModule', 'TofuStack']) {
      for (const field of ['driftDetection', 'notifications']) assert.ok(at(kind, 'spec', field), `${kind} spec.${field}`);
      assert.ok(at(kind, 'status', 'source', 'latestCommit'), `${kind} status.source.latestCommit`);
      assert.ok(at(kind, 'status', 'drift', 'resourcesOmitted'), `${kind} status.drift.resourcesOmitted`);
    }
    for (const field of ['commit', 'purpose']) assert.ok(at('TofuExecution', 'spec', field), `TofuExecution spec.${field}`);
    assert.ok(at('TofuExecution', 'status', 'queue', 'position'), 'TofuExecution status.queue.position');

    for (const kind of ['modules', 'stacks'] as const) {
      const op = doc.paths[`/api/v1/namespaces/{namespace}/${kind}/{name}/drift-check`]?.['post'];
      assert.ok(op, kind);
      assert.equal(op['x-kubernetes-permission']?.['verb'], 'patch');
      assert.equal(op['x-kubernetes-permission']?.['resource'], `tofu${kind}`);
      assert.deepEqual(Object.keys(op.responses), ['202', '401', '403', '404', '409', 'default']);
      assert.equal(op.requestBody, undefined, 'no body');
    }
    const namespaced = doc.paths['/api/v1/namespaces/{namespace}/queue']?.['get'];
    assert.deepEqual(namespaced?.['x-kubernetes-permission'], {
      group: 'tofu-operator.io',
      resource: 'tofuexecutions',
      verb: 'list',
      namespace: '{namespace}',
    });
    const all = doc.paths['/api/v1/queue']?.['get'];
    assert.deepEqual(all?.['x-kubernetes-permission'], { authenticated: true });
    for (const op of [namespaced, all])
      assert.deepEqual((op?.responses['200'] as { content: Record<string, { schema: unknown }> }).content['application/json']?.schema, {
        $ref: '#/components/schemas/QueueList',
      });
  });

  it('documents the pickers as core-group permissions answering names and keys', () => {
    for (const [kind, verb] of [
      ['configmaps', 'list'],
      ['secrets', 'list'],
    ] as const) {
      const op = doc.paths[`/api/v1/namespaces/{namespace}/${kind}`]?.['get'];
      assert.ok(op, kind);
      assert.deepEqual(op['x-kubernetes-permission'], { group: '', resource: kind, verb, namespace: '{namespace}' });
      assert.match(op.description ?? '', new RegExp(`\\*\\*Requires\\*\\* \`list\` on \`${kind}\``));
      assert.deepEqual(Object.keys(op.responses), ['200', '401', '403', 'default']);
    }
    const item = (doc.components.schemas['KeyedObjectList'] as { properties: { items: { items: { properties: object } } } }).properties
      .items.items.properties;
    assert.deepEqual(Object.keys(item).sort(), ['keys', 'name', 'type'], 'no property that could carry a value');
  });

  it('keeps the docs routes themselves out', () => {
    assert.ok(!Object.keys(doc.paths).some((p) => p.startsWith('/api/docs')));
  });
});

describe('openApiDocument', () => {
  @Controller('api/v1/namespaces/:ns/things')
  class ThingsController {
    @Get()
    @Authz('list', 'tofumodules')
    @ApiDoc({ summary: 'List things', response: 'TofuModuleList', query: LIST_QUERY })
    list(): void {}

    @Post(':name/poke')
    @HttpCode(202)
    @Authz('patch', 'tofumodules')
    @ApiDoc({
      summary: 'Poke a <thing>',
      request: 'TofuModule',
      response: 'none',
      otherResponses: { 200: { description: 'Poked at once', body: 'PlanResponse' } },
      errors: [404, 409],
    })
    poke(@Param('name') _name: string, @Body() _body: unknown, @Query('hard') _hard: string): void {}

    @Get(':name')
    @Authz('get', 'tofumodules')
    undocumented(): void {}
  }

  @Controller()
  class OpenController {
    @Get('open')
    @ApiDoc({ summary: 'Open', response: 'HealthStatus' })
    open(): void {}

    @Get('hidden')
    hidden(): void {}
  }

  const doc = openApiDocument(controllerRoutes([ThingsController, OpenController] as Type[]));

  it('converts path parameters and reads the success status from @HttpCode', () => {
    const poke = doc.paths['/api/v1/namespaces/{namespace}/things/{name}/poke']?.['post'];
    assert.ok(poke);
    assert.deepEqual(Object.keys(poke.responses), ['200', '202', '401', '403', '404', '409', 'default']);
    assert.deepEqual(poke.responses['200'], {
      description: 'Poked at once',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/PlanResponse' } } },
    });
    assert.deepEqual(poke.responses['202'], { description: 'Accepted' });
    assert.deepEqual(poke['x-kubernetes-permission'], {
      group: 'tofu-operator.io',
      resource: 'tofumodules',
      verb: 'patch',
      namespace: '{namespace}',
      name: '{name}',
    });
    assert.deepEqual(
      poke.parameters?.map((p) => `${String(p['in'])}:${String(p['name'])}`),
      ['path:namespace', 'path:name'],
    );
    const list = doc.paths['/api/v1/namespaces/{namespace}/things']?.['get'];
    assert.deepEqual(
      list?.parameters?.map((p) => p['name']),
      ['namespace', 'labelSelector', 'limit', 'continue'],
    );
  });

  it('lists an undocumented API route as such, a public route without security, and leaves out other undocumented routes', () => {
    assert.match(doc.paths['/api/v1/namespaces/{namespace}/things/{name}']?.['get']?.summary ?? '', /undocumented/);
    assert.deepEqual(doc.paths['/open']?.['get']?.security, []);
    assert.equal(doc.paths['/hidden'], undefined);
  });

  it('is refused by the validator when it is broken (the validation test can fail)', async () => {
    assert.equal((await validate(doc)).valid, true);
    const noDescription = clone(doc) as unknown as {
      paths: Record<string, Record<string, { responses: Record<string, Record<string, unknown>> }>>;
    };
    delete noDescription.paths['/open']!['get']!.responses['200']!['description'];
    assert.equal((await validate(noDescription)).valid, false);
    const dangling = clone(doc);
    delete dangling.components.schemas['ErrorBody'];
    assert.equal((await validate(dangling)).valid, false);
    const badParam = clone(doc) as unknown as { paths: Record<string, Record<string, { parameters: Record<string, unknown>[] }>> };
    badParam.paths['/api/v1/namespaces/{namespace}/things']!['get']!.parameters[0]!['in'] = 'body';
    assert.equal((await validate(badParam)).valid, false);
  });
});

describe('docs page', () => {
  it('escapes what it prints', () => {
    @Controller()
    class C {
      @Get('x')
      @ApiDoc({ summary: '<script>alert(1)</script>', response: 'none' })
      x(): void {}
    }
    const html = docsPage(openApiDocument(controllerRoutes([C] as Type[])));
    assert.ok(!html.includes('<script>alert'));
    assert.ok(html.includes('&lt;script&gt;'));
    assert.ok(!/https?:\/\//.test(html), 'the page loads nothing from another origin');
  });

  it('serves files that swagger-ui-dist has', () => {
    const dir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
    for (const file of Object.keys(SWAGGER_UI_FILES)) assert.ok(existsSync(join(dir, file)), `${file} is not in swagger-ui-dist`);
  });
});
