import { crdDefinitions, type CrdDefinition } from '@tofu-operator/api-types';
import { API_PREFIX, type ErrorBody } from '@tofu-operator/api-contracts';
import type { ErrorStatus, QueryParam, ResponseBody } from '../http/api-doc.js';
import { groupOf } from '../http/authz.js';
import { componentSchemas, schemaRef, type Schema } from './openapi-schemas.js';
import type { RouteEntry } from './route-table.js';

/** An OpenAPI 3.1 document as plain data (validated as a whole by the unit test, not typed in depth). */
export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  tags: { name: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, Schema>;
    responses: Record<string, Schema>;
    securitySchemes: Record<string, Schema>;
  };
  security: Record<string, string[]>[];
}

/** One operation of the document. */
export interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  parameters?: Schema[];
  requestBody?: Schema;
  responses: Record<string, Schema>;
  security: Record<string, string[]>[];
  /** The Kubernetes permission the route requires (see @Authz), for clients and reviewers. */
  'x-kubernetes-permission'?: Schema;
}

/** Name of the bearer security scheme. */
export const BEARER_SCHEME = 'bearerToken';

const METHODS: Record<string, string> = {
  GET: 'get',
  POST: 'post',
  PUT: 'put',
  PATCH: 'patch',
  DELETE: 'delete',
  HEAD: 'head',
  OPTIONS: 'options',
};

/** Path parameter names of the document for Nest's `:param` segments (`:ns` reads better spelled out). */
const PARAM_NAMES: Record<string, string> = { ns: 'namespace' };

const PATH_PARAMS: Record<string, string> = {
  namespace: 'The namespace (a DNS-1123 label). Permissions are checked in it.',
  name: 'The object name.',
};

/** A reusable error answer (components.responses): when it comes, and an example body. */
interface ErrorAnswer {
  name: string;
  description: string;
  example: ErrorBody;
}

/** Reusable error answers, by status. */
const ERROR_RESPONSES: Record<ErrorStatus | 401 | 403, ErrorAnswer> = {
  400: {
    name: 'BadRequest',
    description: 'BadRequest: a malformed query parameter, label selector, continue token or body.',
    example: { status: 400, reason: 'BadRequest', message: 'limit must be a non-negative integer, got "x"' },
  },
  401: {
    name: 'Unauthorized',
    description: 'Unauthorized: no bearer token, or the TokenReview rejected it.',
    example: { status: 401, reason: 'Unauthorized', message: 'a bearer token is required (Authorization: Bearer <token>)' },
  },
  403: {
    name: 'Forbidden',
    description: 'Forbidden: the SubjectAccessReview denied the caller the permission of this route.',
    example: {
      status: 403,
      reason: 'Forbidden',
      message:
        'User "system:serviceaccount:a:reader" cannot create resource "tofumodules" in API group "tofu-operator.io" in the namespace "a"',
    },
  },
  404: {
    name: 'NotFound',
    description: 'NotFound: no such object.',
    example: { status: 404, reason: 'NotFound', message: 'tofumodules.tofu-operator.io "net" not found' },
  },
  409: {
    name: 'Conflict',
    description: 'AlreadyExists (create of an existing name) or Conflict (stale `metadata.resourceVersion`, or a run in progress).',
    example: { status: 409, reason: 'Conflict', message: 'a run is in progress', running: { namespace: 'a', name: 'net-x7k2p' } },
  },
  422: {
    name: 'Invalid',
    description: "Invalid: the API server's validation rejected the object; `fields` names the paths.",
    example: {
      status: 422,
      reason: 'Invalid',
      message: 'TofuModule.tofu-operator.io "net" is invalid: spec.source.repository: Invalid value: "not a url"',
      fields: [{ path: 'spec.source.repository', message: 'Invalid value: "not a url"' }],
    },
  },
  503: {
    name: 'ServiceUnavailable',
    description: 'ServiceUnavailable: the caches have not synced yet (right after start).',
    example: { status: 503, reason: 'ServiceUnavailable', message: 'the tofumodules cache has not synced yet' },
  },
};

const DEFAULT_ERROR: ErrorAnswer = {
  name: 'Error',
  description:
    'Any other error: 500 InternalError (also when the API server refuses the operator itself), or 503 ServiceUnavailable before the caches have synced.',
  example: { status: 500, reason: 'InternalError', message: 'internal error' },
};

const SUCCESS_TEXT: Record<number, string> = { 200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No content' };

const errorResponse = (e: ErrorAnswer, extra: Schema = {}): Schema => ({
  description: e.description,
  content: { 'application/json': { schema: schemaRef('ErrorBody'), example: e.example } },
  ...extra,
});
const responseRef = (name: string): Schema => ({ $ref: `#/components/responses/${name}` });

function successResponse(status: number, body: ResponseBody, description: string | undefined): Schema {
  const text = description ?? SUCCESS_TEXT[status] ?? 'Success';
  if (body === 'none') return { description: text };
  if (body === 'text') return { description: text, content: { 'text/plain': { schema: { type: 'string' } } } };
  return { description: text, content: { 'application/json': { schema: schemaRef(body) } } };
}

const queryParameter = (q: QueryParam): Schema => ({
  name: q.name,
  in: 'query',
  required: false,
  description: q.description,
  schema: { type: q.type, ...(q.minimum !== undefined ? { minimum: q.minimum } : {}) },
});

/** `/api/v1/namespaces/:ns/modules/:name` -> the document's path and its parameter names, in order. */
export function openApiPath(nestPath: string): { path: string; params: string[] } {
  const params: string[] = [];
  const path = nestPath.replace(/:([A-Za-z0-9_]+)/g, (_m, p: string) => {
    const name = PARAM_NAMES[p] ?? p;
    params.push(name);
    return `{${name}}`;
  });
  return { path, params };
}

/** A stable, unique id: the controller's name without "Controller", and the handler. */
const operationId = (r: RouteEntry): string =>
  `${r.controller.name.replace(/Controller$/, '').replace(/^./, (c) => c.toLowerCase())}_${r.handler}`;
const tagOf = (r: RouteEntry): string => r.controller.name.replace(/Controller$/, '');

/**
 * The permission of a route as data and as a sentence, and whether the guard checks it with a
 * SubjectAccessReview (so the route can answer 403). Non-resource requirements (a `path`, e.g.
 * /metrics) are checked against RBAC's nonResourceURLs; routes about the caller only need a token.
 */
function permission(authz: NonNullable<RouteEntry['authz']>, hasName: boolean): { data: Schema; text: string; reviewed: boolean } {
  if ('path' in authz) {
    const path = String(authz.path);
    return {
      data: { verb: authz.verb, nonResourceURL: path },
      text: `**Requires** \`${authz.verb}\` on the non-resource URL \`${path}\` (a SubjectAccessReview for the caller).`,
      reviewed: true,
    };
  }
  if ('authenticated' in authz) {
    return { data: { authenticated: true }, text: `**Requires** any authenticated caller: ${String(authz.why)}.`, reviewed: false };
  }
  const group = groupOf(authz.resource);
  const resource = authz.subresource ? `${authz.resource}/${authz.subresource}` : authz.resource;
  return {
    data: {
      group,
      resource,
      verb: authz.verb,
      namespace: '{namespace}',
      ...(hasName ? { name: '{name}' } : {}),
    },
    text:
      `**Requires** \`${authz.verb}\` on \`${group ? `${authz.resource}.${group}` : authz.resource}${authz.subresource ? `/${authz.subresource}` : ''}\` in the path's namespace` +
      `${hasName ? ', for the named object' : ''} (a SubjectAccessReview for the caller).`,
    reviewed: true,
  };
}

function operation(r: RouteEntry, params: string[]): Operation {
  const doc = r.doc;
  const perm = r.authz ? permission(r.authz, params.includes('name')) : undefined;
  const description = [doc?.description, perm ? perm.text : 'Public: no token needed.'].filter(Boolean).join('\n\n');
  const responses: Record<string, Schema> = {
    [String(r.status)]: successResponse(r.status, doc?.response ?? 'none', doc?.responseDescription),
  };
  for (const [status, other] of Object.entries(doc?.otherResponses ?? {}))
    if (other) responses[status] = successResponse(Number(status), other.body, other.description);
  const errors = new Set<ErrorStatus | 401 | 403>(doc?.errors ?? []);
  if (perm) errors.add(401);
  if (perm?.reviewed) errors.add(403);
  for (const status of [...errors].sort((a, b) => a - b)) responses[String(status)] = responseRef(ERROR_RESPONSES[status].name);
  const sorted = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => Number(a) - Number(b)));
  sorted['default'] = responseRef(DEFAULT_ERROR.name);
  const parameters = [
    ...params.map((p) => ({ name: p, in: 'path', required: true, description: PATH_PARAMS[p] ?? p, schema: { type: 'string' } })),
    ...(doc?.query ?? []).map(queryParameter),
  ];
  return {
    operationId: operationId(r),
    summary: doc?.summary ?? `${r.method} ${r.path} (undocumented)`,
    description,
    tags: [tagOf(r)],
    ...(parameters.length ? { parameters } : {}),
    ...(doc?.request
      ? { requestBody: { required: !doc.requestOptional, content: { 'application/json': { schema: schemaRef(doc.request) } } } }
      : {}),
    responses: sorted,
    // Explicit on every operation, so a public route says so instead of inheriting the bearer default.
    security: r.authz ? [{ [BEARER_SCHEME]: [] }] : [],
    ...(perm ? { 'x-kubernetes-permission': perm.data } : {}),
  };
}

const isApiRoute = (r: RouteEntry): boolean => r.path.startsWith(`${API_PREFIX}/`);

/** Whether a route belongs in the document: every API route, and any other route that has @ApiDoc. */
export const isDocumented = (r: RouteEntry): boolean => isApiRoute(r) || r.doc !== undefined;

/**
 * The OpenAPI 3.1 document of the REST API, generated from the routes' decorators (method, path,
 * @HttpCode, @Authz, @ApiDoc) and the CRD schemas, so it cannot drift from the code. An API route
 * without @ApiDoc is still listed (marked undocumented); the unit test refuses such a route.
 */
export function openApiDocument(routes: readonly RouteEntry[], crds: readonly CrdDefinition[] = crdDefinitions): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  const tags: string[] = [];
  // The API first, then the rest (probes), each in declaration order.
  const documented = routes.filter(isDocumented);
  for (const r of [...documented.filter(isApiRoute), ...documented.filter((x) => !isApiRoute(x))]) {
    const method = METHODS[r.method];
    if (!method) throw new Error(`${r.method} ${r.path} (${r.controller.name}.${r.handler}): no OpenAPI method for ${r.method}`);
    const { path, params } = openApiPath(r.path);
    const item = (paths[path] ??= {});
    if (item[method]) throw new Error(`${r.method} ${r.path} is declared twice`);
    item[method] = operation(r, params);
    if (!tags.includes(tagOf(r))) tags.push(tagOf(r));
  }
  const responses: Record<string, Schema> = Object.fromEntries(
    Object.entries(ERROR_RESPONSES).map(([status, e]) => [
      e.name,
      errorResponse(
        e,
        status === '401' ? { headers: { 'WWW-Authenticate': { description: 'Always `Bearer`.', schema: { type: 'string' } } } } : {},
      ),
    ]),
  );
  responses[DEFAULT_ERROR.name] = errorResponse(DEFAULT_ERROR);
  return {
    openapi: '3.1.0',
    info: {
      title: 'tofu-operator REST API',
      version: 'v1',
      description:
        'Kubernetes-shaped access to TofuModules, TofuStacks and TofuExecutions. Reads come from the ' +
        "operator's caches; writes go to the Kubernetes API server. Every API route takes a bearer " +
        'token the cluster accepts (checked with a TokenReview) and checks the permission it names ' +
        'with a SubjectAccessReview. Generated from the code.',
    },
    tags: tags.map((name) => ({ name })),
    paths,
    components: {
      schemas: componentSchemas(crds),
      responses,
      securitySchemes: {
        [BEARER_SCHEME]: {
          type: 'http',
          scheme: 'bearer',
          description:
            'Any token the cluster accepts: a ServiceAccount token (`kubectl create token`), an OIDC token, ... ' +
            'Checked with a TokenReview; never stored or logged.',
        },
      },
    },
    security: [{ [BEARER_SCHEME]: [] }],
  };
}
