import {
  API_GROUP_VERSION,
  toCustomResourceDefinition,
  type CrdDefinition,
  type AttributeDiff,
  type JSONSchemaProps,
  type ObjectMeta,
  type OutputDiff,
  type OwnerReference,
  type PlanDiff,
  type ResourceDiff,
} from '@tofu-operator/api-types';
import type { ErrorBody, FieldError, ListResponse, PlanResponse, ResourceKind } from '@tofu-operator/api-contracts';
import type { SchemaName } from '../http/api-doc.js';
import { smallRouteSchemas } from './route-schemas.js';

/** A JSON Schema (2020-12, the dialect of OpenAPI 3.1) as plain data. */
export type Schema = { [keyword: string]: unknown };

/** A reference to a named schema of the document. */
export const schemaRef = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T] & string;

/**
 * An object schema checked against the TypeScript type it describes: every property of `T` must be
 * described, no other, and `required` must list exactly the required ones. A change to a contract
 * type fails compilation here until the schema follows.
 */
const objectOf =
  <T>() =>
  <const R extends readonly RequiredKeys<T>[]>(
    description: string,
    properties: { [K in keyof T & string]-?: Schema },
    required: R &
      ([Exclude<RequiredKeys<T>, R[number]>] extends [never] ? unknown : { missingRequired: Exclude<RequiredKeys<T>, R[number]> }),
  ): Schema => ({
    type: 'object',
    description,
    properties,
    ...(required.length ? { required: [...required] } : {}),
  });

const str = (description: string, extra: Schema = {}): Schema => ({ type: 'string', description, ...extra });
const stringMap = (description: string): Schema => ({ type: 'object', description, additionalProperties: { type: 'string' } });

/**
 * Rewrites the OpenAPI 3.0 idioms a CRD schema uses into JSON Schema 2020-12: `nullable` becomes a
 * `null` type, int-or-string a union type. The x-kubernetes-* extensions stay: they say what the API
 * server enforces (CEL rules, list types).
 */
export function toJsonSchema(s: JSONSchemaProps): Schema {
  const { nullable, properties, items, additionalProperties, ...rest } = s;
  const out: Schema = { ...rest };
  if (nullable && s.type) out['type'] = [s.type, 'null'];
  if (s['x-kubernetes-int-or-string'] && !s.type) out['type'] = ['integer', 'string'];
  if (properties) out['properties'] = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, toJsonSchema(v)]));
  if (items) out['items'] = toJsonSchema(items);
  if (additionalProperties) out['additionalProperties'] = toJsonSchema(additionalProperties);
  return out;
}

interface CrdShape {
  spec: { versions: { schema: { openAPIV3Schema: JSONSchemaProps } }[] };
}

/**
 * The schema of one kind: the openAPIV3Schema of the CRD the cluster has installed (so the document
 * says what the API server validates), with apiVersion and kind pinned and metadata described.
 */
export function kindSchema(def: CrdDefinition): Schema {
  // toCustomResourceDefinition returns a plain manifest; its shape is fixed by that function.
  const crd = toCustomResourceDefinition(def) as unknown as CrdShape;
  const root = crd.spec.versions[0]?.schema.openAPIV3Schema;
  if (!root) throw new Error(`the CRD of ${def.kind} has no schema`);
  const schema = toJsonSchema(root);
  return {
    ...schema,
    properties: {
      ...(schema['properties'] as Record<string, Schema>),
      apiVersion: str('APIVersion of this object. Optional in a request body: the path decides.', { const: API_GROUP_VERSION }),
      kind: str('Kind of this object. Optional in a request body: the path decides.', { const: def.kind }),
      metadata: schemaRef('ObjectMeta'),
    },
  };
}

/** The list answer of one kind (ResourcesService.list). */
function listSchema(def: CrdDefinition): Schema {
  return objectOf<ListResponse>()(
    `A page of ${def.kind} objects, sorted by name.`,
    {
      apiVersion: str('Always the group version of the items.', { const: API_GROUP_VERSION }),
      kind: str('The list kind.', { const: def.listKind }),
      metadata: schemaRef('ListMeta'),
      items: { type: 'array', items: schemaRef(def.kind) },
    },
    ['apiVersion', 'kind', 'metadata', 'items'],
  );
}

const ownerReference = objectOf<OwnerReference>()(
  'An object this object belongs to (metav1.OwnerReference).',
  {
    apiVersion: str('APIVersion of the owner.'),
    kind: str('Kind of the owner.'),
    name: str('Name of the owner.'),
    uid: str('UID of the owner.'),
    controller: { type: 'boolean', description: 'Whether the owner is the managing controller.' },
    blockOwnerDeletion: { type: 'boolean', description: 'Whether the owner waits for this object in a foreground deletion.' },
  },
  ['apiVersion', 'kind', 'name', 'uid'],
);

const objectMeta = objectOf<ObjectMeta>()(
  'Standard Kubernetes object metadata (the fields this API reads and writes; the API server may add others).',
  {
    name: str('Name, unique in the namespace. Required when creating.'),
    generateName: str('Prefix of a generated name (when name is empty).'),
    namespace: str('Namespace; set from the path.'),
    uid: str('Unique id, set by the API server.', { readOnly: true }),
    resourceVersion: str('Opaque version; in an update body, the precondition (409 when stale).'),
    generation: { type: 'integer', format: 'int64', description: 'Generation of the spec, set by the API server.', readOnly: true },
    creationTimestamp: str('When the object was created.', { format: 'date-time', readOnly: true }),
    deletionTimestamp: str('When deletion was requested.', { format: 'date-time', readOnly: true }),
    labels: stringMap('Labels.'),
    annotations: stringMap('Annotations.'),
    ownerReferences: { type: 'array', description: 'Owners.', items: schemaRef('OwnerReference') },
    finalizers: { type: 'array', description: 'Finalizers.', items: { type: 'string' } },
  },
  [],
);

const listMeta = objectOf<ListResponse['metadata']>()(
  'Paging state of a list.',
  {
    continue: str('Token for the next page (query parameter `continue`); absent on the last page.'),
    remainingItemCount: { type: 'integer', minimum: 0, description: 'How many items remain after this page.' },
  },
  [],
);

const fieldError = objectOf<FieldError>()(
  'One field-level problem of a rejected request.',
  { path: str('Path of the field, e.g. `spec.source.repository`.'), message: str('What is wrong with it.') },
  ['path', 'message'],
);

const errorBody = objectOf<ErrorBody>()(
  'The one error shape of every 4xx/5xx answer.',
  {
    status: { type: 'integer', description: 'The HTTP status, repeated.' },
    reason: str(
      'CamelCase reason, as in Kubernetes Status: BadRequest, Unauthorized, Forbidden, NotFound, AlreadyExists, Conflict, Invalid, ...',
    ),
    message: str('What happened, for a human.'),
    fields: { type: 'array', description: 'For 422: the fields the API server rejected.', items: schemaRef('FieldError') },
    running: {
      type: 'object',
      description: 'For 409 on plan: the execution that is already running.',
      properties: { namespace: { type: 'string' }, name: { type: 'string' } },
      required: ['namespace', 'name'],
    },
  },
  ['status', 'reason', 'message'],
);

const planResponse = objectOf<PlanResponse>()(
  'A plan was requested; with the execution that runs it once the operator has created it.',
  {
    requestedAt: str(
      'The value written to the tofu-operator.io/requested-at annotation (tofu-operator.io/destroy-requested-at for a destroy).',
      { format: 'date-time' },
    ),
    execution: { ...schemaRef('TofuExecution'), description: 'The new execution; absent when it was not created within the wait.' },
  },
  ['requestedAt'],
);

const kindPermissions: Schema = {
  type: 'object',
  description: 'Whether the caller may do each action on this kind.',
  properties: Object.fromEntries(
    ['list', 'get', 'watch', 'create', 'update', 'delete', 'plan', 'approve', 'cancel'].map((a) => [a, { type: 'boolean' }]),
  ),
};
const permissions: Schema = {
  type: 'object',
  description: 'What the caller may do in a namespace, per kind.',
  properties: Object.fromEntries((['modules', 'stacks', 'executions'] satisfies ResourceKind[]).map((k) => [k, kindPermissions])),
  required: ['modules', 'stacks', 'executions'],
};

const anyValue = (description: string): Schema => ({ description });

const attributeDiff = objectOf<AttributeDiff>()(
  'One top-level attribute of a resource change.',
  {
    name: str('The attribute.'),
    before: anyValue('The value before (any JSON); sensitive parts are `(sensitive value)`. Absent for a create.'),
    after: anyValue(
      'The value after (any JSON); sensitive parts are `(sensitive value)`, unknown parts `(known after apply)`. Absent for a delete.',
    ),
    sensitive: { type: 'boolean', const: true, description: 'The attribute is sensitive as a whole.' },
    unknown: { type: 'boolean', const: true, description: 'Its value is known only after apply.' },
    forcesReplacement: { type: 'boolean', const: true, description: 'Changing it forces the resource to be replaced.' },
  },
  ['name'],
);

const actions: Schema = {
  type: 'array',
  description: "tofu's actions: create, update, delete, read, forget, or a replacement (delete+create or create+delete).",
  items: { type: 'string' },
};

const resourceDiff = objectOf<ResourceDiff>()(
  'The planned change of one resource instance.',
  {
    address: str('Its address, e.g. `module.net.aws_vpc.main[0]`.'),
    mode: str('`managed` or `data`.'),
    type: str('The resource type.'),
    name: str('The resource name.'),
    provider: str("The provider's address."),
    actions,
    actionReason: str('Why tofu replaces, deletes or reads it, e.g. `replace_because_cannot_update`.'),
    previousAddress: str('The address it moves from (a `moved` block).'),
    importingId: str('The id it is imported with (an `import` block).'),
    deposed: str('The deposed object key, for a deposed object.'),
    attributes: { type: 'array', description: 'The top-level attributes that change.', items: schemaRef('AttributeDiff') },
    unchanged: { type: 'integer', minimum: 0, description: 'How many attributes stay the same (not listed).' },
  },
  ['address', 'actions', 'attributes', 'unchanged'],
);

const outputDiff = objectOf<OutputDiff>()(
  'The planned change of one root module output.',
  {
    name: str('The output.'),
    actions,
    before: anyValue('The value before (any JSON), masked when sensitive.'),
    after: anyValue('The value after (any JSON), masked when sensitive.'),
    sensitive: { type: 'boolean', const: true, description: 'The output is sensitive.' },
    unknown: { type: 'boolean', const: true, description: 'Its value is known only after apply.' },
  },
  ['name', 'actions'],
);

const planDiff = objectOf<PlanDiff>()(
  'The masked per-resource diff of a saved plan (no variable values, no prior state: only the changes).',
  {
    v: { type: 'integer', const: 1, description: 'Version of this format.' },
    resources: {
      type: 'array',
      description: "Resources whose planned action is not no-op, in tofu's order.",
      items: schemaRef('ResourceDiff'),
    },
    outputs: { type: 'array', description: 'Root module outputs whose planned action is not no-op.', items: schemaRef('OutputDiff') },
  },
  ['v', 'resources', 'outputs'],
);

const healthStatus = objectOf<{ status: string }>()('The probe passed.', { status: str('Always `ok`.', { const: 'ok' }) }, ['status']);

/** Every named schema of the document: the route schemas (SchemaName) and the ones they refer to. */
export function componentSchemas(crds: readonly CrdDefinition[]): Record<string, Schema> {
  const byKind = (kind: string): CrdDefinition => {
    const def = crds.find((d) => d.kind === kind);
    if (!def) throw new Error(`no CRD definition of ${kind}`);
    return def;
  };
  const routeSchemas: Record<SchemaName, Schema> = {
    TofuModule: kindSchema(byKind('TofuModule')),
    TofuStack: kindSchema(byKind('TofuStack')),
    TofuExecution: kindSchema(byKind('TofuExecution')),
    TofuModuleList: listSchema(byKind('TofuModule')),
    TofuStackList: listSchema(byKind('TofuStack')),
    TofuExecutionList: listSchema(byKind('TofuExecution')),
    PlanResponse: planResponse,
    Permissions: permissions,
    HealthStatus: healthStatus,
    PlanDiff: planDiff,
    ...smallRouteSchemas,
  };
  return {
    ...routeSchemas,
    ObjectMeta: objectMeta,
    OwnerReference: ownerReference,
    ListMeta: listMeta,
    ErrorBody: errorBody,
    FieldError: fieldError,
    ResourceDiff: resourceDiff,
    AttributeDiff: attributeDiff,
    OutputDiff: outputDiff,
  };
}
