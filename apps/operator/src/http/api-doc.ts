import { SetMetadata } from '@nestjs/common';

/** Named schemas of the OpenAPI document (components.schemas) a route can take or answer. */
export type SchemaName =
  | 'TofuModule'
  | 'TofuStack'
  | 'TofuExecution'
  | 'TofuModuleList'
  | 'TofuStackList'
  | 'TofuExecutionList'
  | 'PlanResponse'
  | 'NamespaceList'
  | 'Permissions'
  | 'HealthStatus'
  | 'PlanDiff'
  | 'ApproveRequest'
  | 'PlanRequest'
  | 'KeyedObjectList'
  | 'DriftCheckResponse'
  | 'QueueList';

/** What a successful answer carries: a named JSON schema, plain text, or nothing. */
export type ResponseBody = SchemaName | 'text' | 'none';

/**
 * Error statuses a route answers beyond the ones every authenticated route has (401 and 403 come from
 * the guard, 500 and 503 are documented for every route as the default answer).
 */
export type ErrorStatus = 400 | 404 | 409 | 422 | 503;

/** One query parameter. */
export interface QueryParam {
  name: string;
  description: string;
  type: 'string' | 'integer' | 'boolean';
  minimum?: number;
}

/** The documentation of one route: what the code cannot say by itself. */
export interface ApiDocSpec {
  /** One line, imperative or nominal ("List modules"). */
  summary: string;
  /** Longer Markdown text: behaviour the caller must know. */
  description?: string;
  /** The JSON body the route takes, if any. */
  request?: SchemaName;
  /** The body may be left out (it is required otherwise). */
  requestOptional?: boolean;
  /**
   * The body of the success answer. Its status is not repeated here: it is read from the route's
   * `@HttpCode` (or Nest's default, 201 for POST and 200 otherwise), so the two cannot disagree.
   */
  response: ResponseBody;
  /** Describes the success answer; a generic text ("OK", "Created", ...) when omitted. */
  responseDescription?: string;
  /**
   * Success answers besides the main one, for a route that sets its status itself (e.g. 202 when the
   * work was accepted but not finished within the route's wait).
   */
  otherResponses?: Readonly<Partial<Record<200 | 201 | 202 | 204, { description: string; body: ResponseBody }>>>;
  errors?: readonly ErrorStatus[];
  query?: readonly QueryParam[];
}

export const API_DOC_METADATA = 'tofu-operator:api-doc';

/**
 * Documents a route for the OpenAPI document served at /api/docs (see openapi.ts). The method, path,
 * path parameters, success status, security and required permission are read from the route's other
 * decorators; this adds what they cannot say. Every route under /api/v1 must carry it: the unit test
 * `openapi.spec.ts` fails for one that does not.
 */
export const ApiDoc = (spec: ApiDocSpec): MethodDecorator => SetMetadata<string, ApiDocSpec>(API_DOC_METADATA, spec);

/** The query parameters of the list routes (see ResourcesService.list). */
export const LIST_QUERY: readonly QueryParam[] = [
  {
    name: 'labelSelector',
    type: 'string',
    description:
      'Equality-based label selector: `a=b`, `a==b`, `a!=b`, `a` (has the label), `!a`, joined by commas. ' +
      'Set-based requirements (`in`, `notin`) and selectors longer than 4096 characters are answered 400.',
  },
  {
    name: 'limit',
    type: 'integer',
    minimum: 0,
    description: 'At most this many items; when more remain, `metadata.continue` holds a token for the next page. 0: no limit.',
  },
  {
    name: 'continue',
    type: 'string',
    description: 'The `metadata.continue` token of the previous page (pass the same `labelSelector`).',
  },
];
