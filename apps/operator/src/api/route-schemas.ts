// Small route schemas of the OpenAPI document, as plain data beside openapi-schemas.ts (which builds
// the CRD-derived ones). Each is checked against the contract type it describes.
import type {
  ApproveRequest,
  DriftCheckResponse,
  KeyedObject,
  KeyedObjectList,
  NamespaceList,
  PlanRequest,
  QueueEntry,
  QueueList,
} from '@tofu-operator/api-contracts';
import type { SchemaName } from '../http/api-doc.js';

/** The JSON schema of ApproveRequest (the body of approve and reject). */
export const approveRequestSchema: { [keyword: string]: unknown } = {
  type: 'object',
  description: 'The plan a decision is about, by the digest of the saved plan that was reviewed.',
  properties: {
    planDigest: {
      type: 'string',
      description: "The plan's `status.plan.digest`: `sha256:` and 64 lowercase hex digits.",
      pattern: '^sha256:[0-9a-f]{64}$',
    },
  } satisfies Record<keyof ApproveRequest, unknown>,
  required: ['planDigest'],
  additionalProperties: false,
};

/** The JSON schema of NamespaceList (GET /api/v1/namespaces). */
export const namespaceListSchema: { [keyword: string]: unknown } = {
  type: 'object',
  description: 'The namespaces the caller may list modules, stacks or executions in.',
  properties: {
    items: {
      type: 'array',
      items: { type: 'object', properties: { name: { type: 'string', description: 'Namespace name.' } }, required: ['name'] },
    },
  } satisfies Record<keyof NamespaceList, unknown>,
  required: ['items'],
};

/** The JSON schema of PlanRequest (the optional body of plan). */
export const planRequestSchema: { [keyword: string]: unknown } = {
  type: 'object',
  description: 'What to plan. Without a body, an ordinary plan.',
  properties: {
    destroy: {
      type: 'boolean',
      description:
        '`true`: plan the destruction of everything the module or stack manages (`tofu plan -destroy`); approving it runs a `destroy` execution.',
      default: false,
    },
  } satisfies Record<keyof PlanRequest, unknown>,
  additionalProperties: false,
};

/** The JSON schema of KeyedObjectList (GET …/configmaps and …/secrets, for the dashboard's pickers). */
export const keyedObjectListSchema: { [keyword: string]: unknown } = {
  type: 'object',
  description: "The namespace's ConfigMaps or Secrets by name, with the names of their keys. Never a value.",
  properties: {
    kind: { type: 'string', enum: ['ConfigMapKeyList', 'SecretKeyList'] },
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string', description: 'Object name.' },
          keys: {
            type: 'array',
            items: { type: 'string' },
            description: 'The names of the keys of `data` and `binaryData`, sorted. Values are never returned.',
          },
          type: { type: 'string', description: "The Secret's type (`Opaque`, `kubernetes.io/tls`, ...); absent for ConfigMaps." },
        } satisfies Record<keyof KeyedObject, unknown>,
        required: ['name', 'keys'],
        additionalProperties: false,
      },
    },
  } satisfies Record<keyof KeyedObjectList, unknown>,
  required: ['kind', 'items'],
  additionalProperties: false,
};

/** The JSON schema of DriftCheckResponse (the 202 answer of POST …/drift-check). */
export const driftCheckResponseSchema: { [keyword: string]: unknown } = {
  type: 'object',
  description: 'A drift check was requested; `status.drift` and the condition `Drifted` report it once it ran.',
  properties: {
    requestedAt: {
      type: 'string',
      format: 'date-time',
      description: 'The value written to the annotation `tofu-operator.io/drift-check-requested-at`.',
    },
  } satisfies Record<keyof DriftCheckResponse, unknown>,
  required: ['requestedAt'],
  additionalProperties: false,
};

/** The JSON schema of QueueList (GET …/queue). */
export const queueListSchema: { [keyword: string]: unknown } = {
  type: 'object',
  description: 'Executions waiting for a free run slot, ordered by position (then by when they started waiting).',
  properties: {
    kind: { type: 'string', const: 'QueueList' },
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          namespace: { type: 'string', description: "The execution's namespace." },
          name: { type: 'string', description: 'The execution.' },
          owner: {
            type: 'object',
            description: "Its stack, or for a module's own run its module.",
            properties: { kind: { type: 'string', enum: ['TofuModule', 'TofuStack'] }, name: { type: 'string' } },
            required: ['kind', 'name'],
          },
          action: { type: 'string', enum: ['plan', 'apply', 'destroy'], description: '`spec.action`.' },
          purpose: { type: 'string', enum: ['Change', 'DriftCheck'], description: '`spec.purpose` (Change when unset).' },
          position: { type: 'integer', minimum: 1, description: 'Place in its queue, 1 = next (`status.queue.position`).' },
          length: { type: 'integer', minimum: 1, description: 'How many runs wait in the same queue.' },
          limit: {
            type: 'string',
            enum: ['Operator', 'Namespace'],
            description: "The cap it waits for: Operator (MAX_CONCURRENT_RUNS) or Namespace (the namespace's cap).",
          },
          since: { type: 'string', format: 'date-time', description: 'When it started waiting.' },
        } satisfies Record<keyof QueueEntry, unknown>,
        required: ['namespace', 'name', 'owner', 'action', 'purpose', 'position', 'limit'],
        additionalProperties: false,
      },
    },
  } satisfies Record<keyof QueueList, unknown>,
  required: ['kind', 'items'],
  additionalProperties: false,
};

/** The schemas of this file by their names in the document. */
export const smallRouteSchemas = {
  NamespaceList: namespaceListSchema,
  ApproveRequest: approveRequestSchema,
  PlanRequest: planRequestSchema,
  KeyedObjectList: keyedObjectListSchema,
  DriftCheckResponse: driftCheckResponseSchema,
  QueueList: queueListSchema,
} satisfies Partial<Record<SchemaName, { [keyword: string]: unknown }>>;
