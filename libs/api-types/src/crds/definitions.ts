import {
  conditionsSchema,
  executionTemplateSchema,
  lastExecutionSchema,
  ownerStatusSchema,
  phaseSchema,
  sourceSchema,
  summarySchema,
} from './common-schemas.js';
import {
  executionActionSchema,
  executionApplyFields,
  executionApplyRules,
  executionApplyStatus,
  ownerApplyFields,
} from './apply-schemas.js';
import { executionInputStatus, ownerInputFields, ownerInputStatus, stackDependencyFields } from './input-schemas.js';
import { tofuLogChunkCrd } from './log-chunk.js';
import {
  executionQueueStatus,
  executionReconciliationFields,
  ownerReconciliationFields,
  ownerReconciliationStatus,
} from './reconciliation-schemas.js';
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

const driftedColumn = {
  name: 'Drifted',
  type: 'string',
  jsonPath: '.status.conditions[?(@.type=="Drifted")].status',
  description: 'Whether the latest drift check found changes made outside OpenTofu',
};

const moduleSpec = obj(
  'Desired state of a TofuModule.',
  {
    source: sourceSchema,
    executionTemplate: executionTemplateSchema,
    historyLimit: int('How many finished executions of this module to keep. Default 10.', { minimum: 1, maximum: 1000 }),
    ...ownerApplyFields('module'),
    ...ownerInputFields('module'),
    ...ownerReconciliationFields('module'),
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
    ...ownerApplyFields('stack'),
    ...ownerInputFields('stack'),
    ...stackDependencyFields,
    ...ownerReconciliationFields('stack'),
  },
  { required: ['moduleRef'], 'x-ts-type': 'TofuStackSpec' },
);

const executionSpec = obj(
  'What one run does. Immutable after creation.',
  {
    action: executionActionSchema,
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
    ...executionApplyFields,
    ...executionReconciliationFields,
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
      ...executionApplyRules,
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
  commit: str(
    'The commit the runner checked out (full SHA), as it reported it: also on a failed run once the clone was done, so a poll of the same commit does not plan it again.',
    { maxLength: 64 },
  ),
  resolved: obj(
    'The source and template the run uses when the spec carries no snapshot, resolved once from the referenced stack or module.',
    { source: sourceSchema, executionTemplate: executionTemplateSchema },
    { 'x-ts-type': 'ResolvedRun' },
  ),
  ...executionApplyStatus,
  ...executionInputStatus,
  ...executionQueueStatus,
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
  status: ownerStatusSchema({ ...ownerInputStatus, ...ownerReconciliationStatus }),
  printerColumns: [
    { name: 'Repository', type: 'string', jsonPath: '.spec.source.repository', description: 'Git repository', priority: 1 },
    { name: 'Revision', type: 'string', jsonPath: '.spec.source.revision', description: 'Git revision' },
    { name: 'Commit', type: 'string', jsonPath: '.status.source.commit', description: 'The commit last planned' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase', description: 'Phase of the last execution' },
    { name: 'Last Execution', type: 'string', jsonPath: '.status.lastExecution.name', description: 'Most recent execution' },
    { name: 'Summary', type: 'string', jsonPath: '.status.lastExecution.summary.text', description: 'Plan summary' },
    { name: 'Awaiting Approval', type: 'string', jsonPath: '.status.pendingPlan.name', description: 'The plan waiting for approval' },
    driftedColumn,
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
  status: ownerStatusSchema({ ...ownerInputStatus, ...ownerReconciliationStatus }),
  printerColumns: [
    { name: 'Module', type: 'string', jsonPath: '.spec.moduleRef.name', description: 'The TofuModule' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase', description: 'Phase of the last execution' },
    { name: 'Last Execution', type: 'string', jsonPath: '.status.lastExecution.name', description: 'Most recent execution' },
    { name: 'Summary', type: 'string', jsonPath: '.status.lastExecution.summary.text', description: 'Plan summary' },
    { name: 'Awaiting Approval', type: 'string', jsonPath: '.status.pendingPlan.name', description: 'The plan waiting for approval' },
    {
      name: 'Dependencies',
      type: 'string',
      jsonPath: '.status.conditions[?(@.type=="DependenciesReady")].reason',
      description: 'Whether the stacks it depends on have applied (DependenciesReady reason)',
    },
    driftedColumn,
    { name: 'Commit', type: 'string', jsonPath: '.status.source.commit', description: 'The commit last planned', priority: 1 },
    {
      name: 'Outputs',
      type: 'string',
      jsonPath: '.status.outputsInfo.names',
      description: 'Output names of the latest apply',
      priority: 1,
    },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Age' },
  ],
};

/** TofuExecution: one run (a plan, an apply or a destroy). */
export const tofuExecutionCrd: CrdDefinition = {
  kind: 'TofuExecution',
  listKind: 'TofuExecutionList',
  plural: 'tofuexecutions',
  singular: 'tofuexecution',
  shortNames: ['tfx', 'tofuexec'],
  categories: ['tofu'],
  description: 'One run of OpenTofu in a Kubernetes Job: a plan, or the apply of an approved plan. Its spec is immutable.',
  spec: executionSpec,
  status: executionStatus,
  rootValidations: [{ rule: 'self.spec == oldSelf.spec', message: 'spec is immutable: create a new TofuExecution instead' }],
  printerColumns: [
    { name: 'Action', type: 'string', jsonPath: '.spec.action', description: 'What it runs' },
    { name: 'Module', type: 'string', jsonPath: '.spec.moduleRef.name', description: 'The TofuModule' },
    { name: 'Stack', type: 'string', jsonPath: '.spec.stackRef.name', description: 'The TofuStack' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase', description: 'Phase' },
    {
      name: 'Awaiting Approval',
      type: 'string',
      jsonPath: '.status.conditions[?(@.type=="AwaitingApproval")].status',
      description: 'True while this plan waits for approval',
    },
    { name: 'Summary', type: 'string', jsonPath: '.status.summary.text', description: 'Plan summary' },
    { name: 'Approval', type: 'string', jsonPath: '.status.approval.state', description: 'Approved, Rejected or Superseded', priority: 1 },
    { name: 'Digest', type: 'string', jsonPath: '.status.plan.digest', description: 'Digest of the saved plan', priority: 1 },
    { name: 'Plan', type: 'string', jsonPath: '.spec.planRef.name', description: 'The plan an apply carries out', priority: 1 },
    { name: 'Purpose', type: 'string', jsonPath: '.spec.purpose', description: 'Change or DriftCheck', priority: 1 },
    { name: 'Queue', type: 'integer', jsonPath: '.status.queue.position', description: 'Place in the run queue while it waits' },
    { name: 'Commit', type: 'string', jsonPath: '.spec.commit', description: 'The commit it checks out', priority: 1 },
    { name: 'Job', type: 'string', jsonPath: '.status.jobName', description: 'Job', priority: 1 },
    { name: 'Message', type: 'string', jsonPath: '.status.message', description: 'Message', priority: 1 },
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

export { lastExecutionSchema, summarySchema, phaseSchema, tofuLogChunkCrd };
