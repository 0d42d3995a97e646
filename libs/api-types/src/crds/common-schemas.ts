import { MIN_TTL_SECONDS_AFTER_FINISHED } from '../constants.js';
import { RESERVED_ENV_NAMES, RESERVED_ENV_PREFIX } from '../runner-env.js';
import { executionActionSchema, pendingPlanSchema } from './apply-schemas.js';
import { celValidation, FieldRules } from './field-rules.js';
import { sourcePollFields } from './reconciliation-schemas.js';
import { arr, int, obj, objectName, quantity, str, stringMap, type JSONSchemaProps } from './schema-helpers.js';

/** Where a module's OpenTofu code lives. Shared by modules and the snapshot on executions. */
export const sourceSchema: JSONSchemaProps = obj(
  'Where the OpenTofu code lives: a git repository, a revision in it and a directory below its root.',
  {
    repository: str('URL of the git repository: https://, ssh:// or scp-like (git@host:path), git:// or file://.', {
      minLength: 1,
      maxLength: 2048,
      'x-kubernetes-validations': [celValidation(FieldRules.repository)],
    }),
    revision: str('Branch, tag or commit SHA to check out. Empty means the default branch of the remote (its HEAD).', {
      maxLength: 255,
      'x-kubernetes-validations': [celValidation(FieldRules.revision)],
    }),
    workdir: str('Directory of the OpenTofu root module, relative to the repository root.', {
      default: '.',
      minLength: 1,
      maxLength: 1024,
      'x-kubernetes-validations': [celValidation(FieldRules.workdirRelative), celValidation(FieldRules.workdirNoDotDot)],
    }),
    credentialsSecretRef: obj(
      'Secret in the same namespace with git credentials: keys "username" and "password" (https token, optionally "ca.crt" for a private CA), or "identity" and "known_hosts" (ssh).',
      { name: objectName('Name of the referenced object in the same namespace.') },
      { required: ['name'], 'x-ts-type': 'LocalObjectReference' },
    ),
    insecureSkipHostKeyVerification: {
      type: 'boolean',
      description:
        'ssh only: accept any host key of the git server. Default false: an ssh repository needs the "known_hosts" key in the credentials Secret, and a host key it does not list fails the run (UnknownHostKey).',
    },
    ...sourcePollFields,
  },
  { required: ['repository'], 'x-ts-type': 'Source' },
);

const envVarSchema: JSONSchemaProps = obj(
  'An environment variable of the runner container (a subset of the core EnvVar).',
  {
    name: str(
      `Name of the variable. ${RESERVED_ENV_NAMES.join(', ')} and names starting with ${RESERVED_ENV_PREFIX} are reserved: the operator sets them.`,
      {
        minLength: 1,
        maxLength: 256,
        'x-kubernetes-validations': [celValidation(FieldRules.envName), celValidation(FieldRules.envNameNotReserved)],
      },
    ),
    value: str('Literal value.', { maxLength: 32768 }),
    valueFrom: obj(
      'Take the value from a key of a ConfigMap or Secret in the same namespace.',
      {
        configMapKeyRef: obj(
          'A key of a ConfigMap.',
          {
            name: objectName('ConfigMap name.'),
            key: str('Key in the ConfigMap.', { minLength: 1, maxLength: 253 }),
            optional: { type: 'boolean', description: 'Whether the ConfigMap or key may be missing.' },
          },
          { required: ['name', 'key'], 'x-ts-type': 'KeySelector' },
        ),
        secretKeyRef: obj(
          'A key of a Secret.',
          {
            name: objectName('Secret name.'),
            key: str('Key in the Secret.', { minLength: 1, maxLength: 253 }),
            optional: { type: 'boolean', description: 'Whether the Secret or key may be missing.' },
          },
          { required: ['name', 'key'], 'x-ts-type': 'KeySelector' },
        ),
      },
      {
        'x-ts-type': 'EnvVarSource',
        'x-kubernetes-validations': [
          {
            rule: 'has(self.configMapKeyRef) != has(self.secretKeyRef)',
            message: 'exactly one of configMapKeyRef or secretKeyRef must be set',
          },
        ],
      },
    ),
  },
  {
    required: ['name'],
    'x-ts-type': 'EnvVar',
    'x-kubernetes-validations': [
      { rule: '!(has(self.value) && has(self.valueFrom))', message: 'value and valueFrom are mutually exclusive' },
    ],
  },
);

const resourceListSchema = (what: string): JSONSchemaProps =>
  obj(
    what,
    {
      cpu: quantity('CPU, e.g. "500m".'),
      memory: quantity('Memory, e.g. "512Mi".'),
      'ephemeral-storage': quantity('Local ephemeral storage, e.g. "1Gi".'),
    },
    { 'x-ts-type': 'ResourceList' },
  );

const tolerationSchema: JSONSchemaProps = obj(
  'A toleration of the runner pod (core Toleration).',
  {
    key: str('Taint key; empty with operator Exists matches all taints.', { maxLength: 317 }),
    operator: str('Exists or Equal.', { enum: ['Exists', 'Equal'] }),
    value: str('Taint value for operator Equal.', { maxLength: 63 }),
    effect: str('NoSchedule, PreferNoSchedule or NoExecute; empty matches all.', {
      enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute', ''],
    }),
    tolerationSeconds: int('For NoExecute: how long the pod stays bound after the taint appears.'),
  },
  { 'x-ts-type': 'Toleration' },
);

/**
 * What a user tunes on the runner pod. Every field is optional; a stack's template overrides its
 * module's field by field (see the operator's template-merge).
 */
export const executionTemplateSchema: JSONSchemaProps = obj(
  'How the runner pod of an execution is built.',
  {
    image: str("Runner image. Defaults to the operator's configured runner image.", { minLength: 1, maxLength: 1024 }),
    imagePullPolicy: str('When to pull the runner image.', { enum: ['Always', 'IfNotPresent', 'Never'] }),
    imagePullSecrets: arr(
      'Secrets in the same namespace used to pull the runner image.',
      obj('A Secret reference.', { name: objectName('Secret name.') }, { required: ['name'], 'x-ts-type': 'LocalObjectReference' }),
      { maxItems: 16, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] },
    ),
    serviceAccountName: objectName(
      'ServiceAccount the runner pod runs as. Its token is not mounted unless automountServiceAccountToken is true.',
    ),
    automountServiceAccountToken: {
      type: 'boolean',
      description: 'Mount the ServiceAccount token into the runner (needed by providers that talk to this cluster). Default false.',
    },
    env: arr('Extra environment variables of the runner container.', envVarSchema, {
      maxItems: 256,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
    }),
    resources: obj(
      'Compute resources of the runner container.',
      { requests: resourceListSchema('Minimum resources.'), limits: resourceListSchema('Maximum resources.') },
      { 'x-ts-type': 'ResourceRequirements' },
    ),
    activeDeadlineSeconds: int('Wall-clock limit of one run; the run fails with DeadlineExceeded after it. Default 3600.', {
      minimum: 1,
      maximum: 604800,
    }),
    nodeSelector: stringMap('Node labels the runner pod must be scheduled on.', { maxProperties: 64 }),
    tolerations: arr('Tolerations of the runner pod.', tolerationSchema, { maxItems: 64, 'x-kubernetes-list-type': 'atomic' }),
    affinity: {
      type: 'object',
      description: 'Affinity of the runner pod (core Affinity), passed through unchanged.',
      'x-kubernetes-preserve-unknown-fields': true,
    },
    priorityClassName: objectName('PriorityClass of the runner pod.'),
    podLabels: stringMap("Extra labels on the runner pod (the operator's own labels win).", { maxProperties: 64 }),
    podAnnotations: stringMap('Extra annotations on the runner pod.', { maxProperties: 64 }),
    ttlSecondsAfterFinished: int(
      'Delete the Job this long after it finishes. Unset keeps it while the execution exists. ' +
        `At least ${MIN_TTL_SECONDS_AFTER_FINISHED}: the operator reads the finished Job and its pod to record the result, ` +
        'and a Job deleted sooner makes a successful run look failed (JobDeleted).',
      { minimum: MIN_TTL_SECONDS_AFTER_FINISHED },
    ),
  },
  { 'x-ts-type': 'ExecutionTemplate' },
);

/** Conditions in the Kubernetes API conventions shape (metav1.Condition). */
export const conditionsSchema: JSONSchemaProps = arr(
  "Latest observations of the object's state.",
  obj(
    'One aspect of the current state (metav1.Condition).',
    {
      type: str('Type of condition in CamelCase, e.g. Ready.', { maxLength: 316 }),
      status: str('True, False or Unknown.', { enum: ['True', 'False', 'Unknown'] }),
      observedGeneration: int('The .metadata.generation this condition was set for.', { minimum: 0 }),
      lastTransitionTime: str('When the condition last changed status.', { format: 'date-time' }),
      reason: str('Machine-readable reason in CamelCase.', { maxLength: 1024 }),
      message: str('Human-readable details.', { maxLength: 32768 }),
    },
    { required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'], 'x-ts-type': 'Condition' },
  ),
  { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] },
);

export const phaseSchema: JSONSchemaProps = str('Summary of the state for display, derived from the conditions.', {
  enum: ['Pending', 'Running', 'Succeeded', 'Failed'],
  'x-ts-type': 'Phase',
});

/** The plan's resource counts and the one-line text. */
export const summarySchema: JSONSchemaProps = obj(
  'What the plan would do.',
  {
    add: int('Resources to create.', { minimum: 0 }),
    change: int('Resources to update in place.', { minimum: 0 }),
    destroy: int('Resources to destroy (replacements count here and in add).', { minimum: 0 }),
    hasChanges: { type: 'boolean', description: 'Whether the plan changes anything (resources or outputs).' },
    text: str('One line, e.g. "Plan: 2 to add, 0 to change, 0 to destroy." or "No changes."', { maxLength: 1024 }),
  },
  { 'x-ts-type': 'PlanSummary' },
);

/** What modules and stacks show of their most recent execution. */
export const lastExecutionSchema: JSONSchemaProps = obj(
  'The most recent execution of this object.',
  {
    name: str('Name of the TofuExecution.'),
    action: { ...executionActionSchema, description: 'What it ran.' },
    phase: phaseSchema,
    summary: summarySchema,
    message: str('Failure or progress message of the execution.', { maxLength: 32768 }),
    startTime: str('When the runner started.', { format: 'date-time' }),
    completionTime: str('When it finished.', { format: 'date-time' }),
    trigger: str('What made the operator create it: the generation and re-plan request it was created for.'),
  },
  { required: ['name'], 'x-ts-type': 'LastExecution' },
);

/** Status shared by modules and stacks. */
export function ownerStatusSchema(extra: Record<string, JSONSchemaProps> = {}): JSONSchemaProps {
  return obj('Observed state.', {
    observedGeneration: int('The .metadata.generation the status was computed for.', { minimum: 0 }),
    phase: phaseSchema,
    conditions: conditionsSchema,
    lastExecution: lastExecutionSchema,
    lastTrigger: str('The trigger (generation, module generation, re-plan request) the operator last created an execution for.'),
    lastHandledRequestedAt: str('The last tofu-operator.io/requested-at annotation value that produced an execution.'),
    lastHandledDestroyRequestedAt: str('The last tofu-operator.io/destroy-requested-at annotation value that produced a destroy plan.'),
    pendingPlan: pendingPlanSchema(summarySchema),
    ...extra,
  });
}
