import {
  conditionsSchema,
  executionTemplateSchema,
  lastExecutionSchema,
  ownerStatusSchema,
  phaseSchema,
  sourceSchema,
  summarySchema,
} from './common-schemas.js';
import { int, obj, objectName, str, type JSONSchemaProps } from './schema-helpers.js';
import { API_GROUP, API_VERSION } from '../constants.js';

/** The parts of a CustomResourceDefinition this project varies per kind. */
export interface CrdDefinition {
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  categories: string[];
  description: string;
  spec: JSONSchemaProps;
  /** Omitted for kinds without a status (and then without the status subresource). */
  status?: JSONSchemaProps;
  /** Rules on the whole object (e.g. immutability of spec). */
  rootValidations?: JSONSchemaProps['x-kubernetes-validations'];
  printerColumns: { name: string; type: string; jsonPath: string; description: string; priority?: number; format?: string }[];
}

const moduleSpec = obj(
  'Desired state of a TofuModule.',
  {
    source: sourceSchema,
    executionTemplate: executionTemplateSchema,
    historyLimit: int('How many finished executions of this module to keep. Default 10.', { minimum: 1, maximum: 1000 }),
  },
  { required: ['source'], 'x-ts-type': 'TofuModuleSpec' },
);

const stackSpec = obj(
  'Desired state of a TofuStack.',
  {
    moduleRef: obj(
      'The TofuModule this stack instantiates, in the same namespace.',
      { name: objectName('Name of the TofuModule.') },
      {
        required: ['name'],
        'x-ts-type': 'LocalObjectReference',
      },
    ),
    executionTemplate: { ...executionTemplateSchema, description: "Overrides of the module's execution template, field by field." },
    historyLimit: int('How many finished executions of this stack to keep. Default 10.', { minimum: 1, maximum: 1000 }),
  },
  { required: ['moduleRef'], 'x-ts-type': 'TofuStackSpec' },
);

const executionSpec = obj(
  'What one run does. Immutable after creation.',
  {
    action: str('What the runner does.', { enum: ['plan'], 'x-ts-type': 'ExecutionAction' }),
    moduleRef: obj(
      'The module this run belongs to (set when created for a module or a stack).',
      { name: objectName('Name of the TofuModule.') },
      {
        required: ['name'],
        'x-ts-type': 'LocalObjectReference',
      },
    ),
    stackRef: obj(
      'The stack this run belongs to, if any.',
      { name: objectName('Name of the TofuStack.') },
      {
        required: ['name'],
        'x-ts-type': 'LocalObjectReference',
      },
    ),
    source: {
      ...sourceSchema,
      description:
        'Snapshot of the source to run. When omitted, the operator resolves it from stackRef or moduleRef once, records it in status.resolved and never changes it after.',
    },
    executionTemplate: {
      ...executionTemplateSchema,
      description: 'Snapshot of the runner pod template. When source is omitted, resolved with it.',
    },
  },
  {
    required: ['action'],
    'x-ts-type': 'TofuExecutionSpec',
    'x-kubernetes-validations': [
      {
        rule: 'has(self.moduleRef) || has(self.stackRef)',
        message: 'one of moduleRef or stackRef must be set',
      },
      {
        rule: '!has(self.executionTemplate) || has(self.source)',
        message: 'executionTemplate is a snapshot taken with source: set source too, or neither',
      },
    ],
  },
);

const executionStatus = obj('Observed state of the run.', {
  observedGeneration: int('The .metadata.generation the status was computed for.', { minimum: 0 }),
  phase: phaseSchema,
  conditions: conditionsSchema,
  jobName: str('Name of the Job that runs this execution.'),
  podName: str('Name of the runner pod.'),
  startTime: str('When the runner pod started.', { format: 'date-time' }),
  completionTime: str('When the run finished.', { format: 'date-time' }),
  summary: summarySchema,
  message: str('What happened, in one or a few lines; on failure, why.', { maxLength: 32768 }),
  failureCategory: str('On failure, which kind: a runner category or a Kubernetes reason.', { maxLength: 64 }),
  resolved: obj(
    'The source and template the run uses when the spec carries no snapshot, resolved once from the referenced stack or module.',
    { source: sourceSchema, executionTemplate: executionTemplateSchema },
    { 'x-ts-type': 'ResolvedRun' },
  ),
});

/** TofuModule: a git repository, revision, workdir and an execution template. */
export const tofuModuleCrd: CrdDefinition = {
  kind: 'TofuModule',
  listKind: 'TofuModuleList',
  plural: 'tofumodules',
  singular: 'tofumodule',
  shortNames: ['tfm', 'tofumod'],
  categories: ['tofu'],
  description: 'An OpenTofu root module in a git repository. Planned on creation and on every spec change.',
  spec: moduleSpec,
  status: ownerStatusSchema(),
  printerColumns: [
    { name: 'Repository', type: 'string', jsonPath: '.spec.source.repository', description: 'Git repository', priority: 1 },
    { name: 'Revision', type: 'string', jsonPath: '.spec.source.revision', description: 'Git revision' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase', description: 'Phase of the last execution' },
    { name: 'Last Execution', type: 'string', jsonPath: '.status.lastExecution.name', description: 'Most recent execution' },
    { name: 'Summary', type: 'string', jsonPath: '.status.lastExecution.summary.text', description: 'Plan summary' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Age' },
  ],
};

/** TofuStack: an instance of a module, with overrides. */
export const tofuStackCrd: CrdDefinition = {
  kind: 'TofuStack',
  listKind: 'TofuStackList',
  plural: 'tofustacks',
  singular: 'tofustack',
  shortNames: ['tfs', 'tofustk'],
  categories: ['tofu'],
  description: 'An instance of a TofuModule with its own overrides. Planned on creation, on spec changes and when its module changes.',
  spec: stackSpec,
  status: ownerStatusSchema(),
  printerColumns: [
    { name: 'Module', type: 'string', jsonPath: '.spec.moduleRef.name', description: 'The TofuModule' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase', description: 'Phase of the last execution' },
    { name: 'Last Execution', type: 'string', jsonPath: '.status.lastExecution.name', description: 'Most recent execution' },
    { name: 'Summary', type: 'string', jsonPath: '.status.lastExecution.summary.text', description: 'Plan summary' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Age' },
  ],
};

/** TofuExecution: one run (a plan). */
export const tofuExecutionCrd: CrdDefinition = {
  kind: 'TofuExecution',
  listKind: 'TofuExecutionList',
  plural: 'tofuexecutions',
  singular: 'tofuexecution',
  shortNames: ['tfx', 'tofuexec'],
  categories: ['tofu'],
  description: 'One run of OpenTofu (a plan) in a Kubernetes Job. Its spec is immutable.',
  spec: executionSpec,
  status: executionStatus,
  rootValidations: [{ rule: 'self.spec == oldSelf.spec', message: 'spec is immutable: create a new TofuExecution instead' }],
  printerColumns: [
    { name: 'Action', type: 'string', jsonPath: '.spec.action', description: 'What it runs' },
    { name: 'Module', type: 'string', jsonPath: '.spec.moduleRef.name', description: 'The TofuModule' },
    { name: 'Stack', type: 'string', jsonPath: '.spec.stackRef.name', description: 'The TofuStack' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase', description: 'Phase' },
    { name: 'Summary', type: 'string', jsonPath: '.status.summary.text', description: 'Plan summary' },
    { name: 'Job', type: 'string', jsonPath: '.status.jobName', description: 'Job', priority: 1 },
    { name: 'Message', type: 'string', jsonPath: '.status.message', description: 'Message', priority: 1 },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Age' },
  ],
};

const logChunkSpec = obj(
  "Consecutive whole lines of one execution's runner log (see docs/adr/0004-log-store.md).",
  {
    executionName: objectName('Name of the TofuExecution whose log this is.'),
    executionUid: str('UID of that TofuExecution (a new execution of the same name is another log).', { maxLength: 64 }),
    index: int('Position of this chunk in the log, from 0.', { minimum: 0 }),
    firstLine: int('Sequence number (0-based line number in the whole log) of the first line in this chunk.', { minimum: 0 }),
    lineCount: int('How many lines this chunk holds.', { minimum: 0 }),
    bytes: int('Size of the uncompressed text in bytes.', { minimum: 0 }),
    encoding: str('How data is encoded.', { enum: ['gzip+base64'] }),
    data: str('The lines, newline-terminated, gzip-compressed, base64-encoded.', { maxLength: 524288 }),
    final: { type: 'boolean', description: 'The log ends with this chunk (the run has ended).' },
    incomplete: str('Set on the final chunk when lines were lost (why: e.g. the pod was removed before its log was read).', {
      maxLength: 1024,
    }),
  },
  {
    required: ['executionName', 'executionUid', 'index', 'firstLine', 'lineCount', 'encoding', 'data'],
    'x-ts-type': 'TofuLogChunkSpec',
  },
);

/** TofuLogChunk: part of an execution's stored log, owned by the execution. */
export const tofuLogChunkCrd: CrdDefinition = {
  kind: 'TofuLogChunk',
  listKind: 'TofuLogChunkList',
  plural: 'tofulogchunks',
  singular: 'tofulogchunk',
  shortNames: [],
  categories: [],
  description:
    "Part of a TofuExecution's runner log, kept after the pod is gone. Written by the operator, deleted with the execution; read logs through the API.",
  spec: logChunkSpec,
  printerColumns: [
    { name: 'Execution', type: 'string', jsonPath: '.spec.executionName', description: 'The TofuExecution' },
    { name: 'Index', type: 'integer', jsonPath: '.spec.index', description: 'Position in the log' },
    { name: 'First Line', type: 'integer', jsonPath: '.spec.firstLine', description: 'Sequence number of the first line' },
    { name: 'Lines', type: 'integer', jsonPath: '.spec.lineCount', description: 'Lines in this chunk' },
    { name: 'Final', type: 'boolean', jsonPath: '.spec.final', description: 'The log ends here' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Age' },
  ],
};

/** All CRDs of the API group, in the order they are written to crds/. */
export const crdDefinitions: readonly CrdDefinition[] = [tofuModuleCrd, tofuStackCrd, tofuExecutionCrd, tofuLogChunkCrd];

/** Builds the CustomResourceDefinition object for one kind. */
export function toCustomResourceDefinition(def: CrdDefinition): Record<string, unknown> {
  const root: JSONSchemaProps = {
    type: 'object',
    description: def.description,
    properties: {
      apiVersion: str('APIVersion of this object.'),
      kind: str('Kind of this object.'),
      metadata: { type: 'object' },
      spec: def.spec,
      ...(def.status ? { status: def.status } : {}),
    },
    required: ['spec'],
    ...(def.rootValidations ? { 'x-kubernetes-validations': def.rootValidations } : {}),
  };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${def.plural}.${API_GROUP}`,
      labels: { 'app.kubernetes.io/name': 'tofu-operator', 'app.kubernetes.io/part-of': 'tofu-operator' },
    },
    spec: {
      group: API_GROUP,
      scope: 'Namespaced',
      names: {
        kind: def.kind,
        listKind: def.listKind,
        plural: def.plural,
        singular: def.singular,
        ...(def.shortNames.length ? { shortNames: def.shortNames } : {}),
        ...(def.categories.length ? { categories: def.categories } : {}),
      },
      versions: [
        {
          name: API_VERSION,
          served: true,
          storage: true,
          ...(def.status ? { subresources: { status: {} } } : {}),
          additionalPrinterColumns: def.printerColumns,
          schema: { openAPIV3Schema: stripTsHints(root) },
        },
      ],
    },
  };
}

/** Removes the `x-ts-type` hints, which the API server would reject. */
export function stripTsHints(schema: JSONSchemaProps): JSONSchemaProps {
  const { 'x-ts-type': _hint, properties, items, additionalProperties, ...rest } = schema;
  const out: JSONSchemaProps = { ...rest };
  if (properties) out.properties = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, stripTsHints(v)]));
  if (items) out.items = stripTsHints(items);
  if (additionalProperties) out.additionalProperties = stripTsHints(additionalProperties);
  return out;
}

export { lastExecutionSchema, summarySchema, phaseSchema };
