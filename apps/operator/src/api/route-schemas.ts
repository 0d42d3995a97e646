// Small route schemas of the OpenAPI document, as plain data beside openapi-schemas.ts (which builds
// the CRD-derived ones). Each is checked against the contract type it describes.
import type { ApproveRequest, KeyedObject, KeyedObjectList, NamespaceList, PlanRequest } from '@tofu-operator/api-contracts';

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
