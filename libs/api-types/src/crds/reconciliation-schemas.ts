// The parts of the CRDs about continuous reconciliation (issue 13): polling the source for new
// commits, push webhooks, drift detection, notifications, the run queue, and what modules, stacks
// and executions report about them.
import { celValidation, FieldRules } from './field-rules.js';
import { arr, int, obj, objectName, str, type JSONSchemaProps } from './schema-helpers.js';

/** How often the source is polled when spec.source.pollInterval is not set. */
export const DEFAULT_POLL_INTERVAL = '5m';
/** How often drift is checked when spec.driftDetection is set without an interval. */
export const DEFAULT_DRIFT_INTERVAL = '1h';
/** How many drifted resource addresses status.drift.resources names at most. */
export const MAX_DRIFT_RESOURCES = 50;

/** The drift modes of spec.driftDetection.mode. */
export const DriftMode = { Detect: 'Detect', Approve: 'Approve', AutoApply: 'AutoApply' } as const;
/** What a notification is sent for (spec.notifications.events). */
export const NotificationEvent = {
  RunStarted: 'RunStarted',
  RunSucceeded: 'RunSucceeded',
  RunFailed: 'RunFailed',
  AwaitingApproval: 'AwaitingApproval',
  Drifted: 'Drifted',
} as const;

const secretKeyRef = (description: string, defaultKey: string): JSONSchemaProps =>
  obj(
    description,
    {
      name: objectName('Name of the Secret in the same namespace.'),
      key: str(`Key in the Secret. Default "${defaultKey}".`, { minLength: 1, maxLength: 253 }),
    },
    { required: ['name'], 'x-ts-type': 'SecretKeyReference' },
  );

/** spec.source.pollInterval and spec.source.webhookSecretRef (on the shared source schema). */
export const sourcePollFields: Record<string, JSONSchemaProps> = {
  pollInterval: str(
    `How often the operator resolves the revision (git ls-remote, with the credentials) and plans when its commit changes: a duration such as "1m" or "1h30m", at least 10s; "0" turns polling off. Default ${DEFAULT_POLL_INTERVAL}. One request per repository, revision and credentials per interval, however many modules share them.`,
    { maxLength: 32, 'x-kubernetes-validations': [celValidation(FieldRules.pollInterval)] },
  ),
  webhookSecretRef: secretKeyRef(
    'Secret whose key (default "token") holds the HMAC secret of push webhooks to POST /hooks/git/{namespace}/{module} (GitHub, GitLab, Gitea or plain JSON): a correctly signed push polls the source at once.',
    'token',
  ),
};

/** spec.driftDetection and spec.notifications of modules and stacks. */
export function ownerReconciliationFields(kind: 'module' | 'stack'): Record<string, JSONSchemaProps> {
  const inherit = kind === 'stack' ? " When unset, the module's applies; when set, it replaces the module's as a whole." : '';
  return {
    driftDetection: obj(
      `Plan against the applied state on an interval to find changes made outside OpenTofu (condition Drifted).${inherit}`,
      {
        interval: str(`How often to check, jittered per object: a duration from 1m to 720h. Default ${DEFAULT_DRIFT_INTERVAL}.`, {
          maxLength: 32,
          'x-kubernetes-validations': [celValidation(FieldRules.driftInterval)],
        }),
        mode: str(
          'What a drift plan with changes does: Detect (default) reports it (condition Drifted, an Event, a metric); Approve leaves it waiting for approval like any plan; AutoApply applies it.',
          { enum: Object.values(DriftMode), 'x-ts-type': 'DriftModeName' },
        ),
      },
      { 'x-ts-type': 'DriftDetectionSpec' },
    ),
    notifications: obj(
      `Where to send a JSON notification of this ${kind}'s runs (never blocking reconciles, retried with backoff).${inherit}`,
      {
        webhookSecretRef: secretKeyRef('Secret whose key (default "url") holds the http(s) URL notifications are POSTed to.', 'url'),
        events: arr(
          `What to notify about. Default: all (${Object.values(NotificationEvent).join(', ')}).`,
          str('An event kind.', { enum: Object.values(NotificationEvent), 'x-ts-type': 'NotificationEventName' }),
          { maxItems: 8, 'x-kubernetes-list-type': 'set' },
        ),
      },
      { required: ['webhookSecretRef'], 'x-ts-type': 'NotificationsSpec' },
    ),
  };
}

/** status.source and status.drift of modules and stacks. */
export const ownerReconciliationStatus: Record<string, JSONSchemaProps> = {
  source: obj(
    'What the operator knows of the source: the commit last planned and the latest poll.',
    {
      commit: str('The commit of the last plan (full SHA).', { maxLength: 64 }),
      revision: str('The revision (branch or tag) that commit was resolved from.', { maxLength: 255 }),
      latestCommit: str('The commit the latest poll saw; a plan follows when it differs from commit.', { maxLength: 64 }),
      lastPollTime: str('When the source was last resolved successfully.', { format: 'date-time' }),
      nextPollTime: str('When the source is resolved next (also after a failure: the backoff).', { format: 'date-time' }),
    },
    { 'x-ts-type': 'OwnerSourceStatus' },
  ),
  drift: obj(
    'The latest drift check (spec.driftDetection).',
    {
      lastCheckTime: str('When the latest drift check finished.', { format: 'date-time' }),
      nextCheckTime: str('When the next drift check is due.', { format: 'date-time' }),
      lastCheckExecution: str('The plan execution of the latest drift check.', { maxLength: 253 }),
      drifted: { type: 'boolean', description: 'Whether the latest check found changes made outside OpenTofu.' },
      counts: obj(
        'What the drift plan would change back.',
        {
          add: int('Resources to create again.', { minimum: 0 }),
          change: int('Resources to update back.', { minimum: 0 }),
          destroy: int('Resources to destroy.', { minimum: 0 }),
        },
        { 'x-ts-type': 'DriftCounts' },
      ),
      resources: arr(
        `Addresses of the resources that drifted (at most ${MAX_DRIFT_RESOURCES}).`,
        str('A resource address.', { maxLength: 1024 }),
        { maxItems: MAX_DRIFT_RESOURCES },
      ),
      resourcesOmitted: int('How many more drifted resources there are than listed.', { minimum: 0 }),
    },
    { 'x-ts-type': 'OwnerDriftStatus' },
  ),
};

/** spec.commit and spec.purpose of executions. */
export const executionReconciliationFields: Record<string, JSONSchemaProps> = {
  commit: str(
    'The commit this run checks out (full SHA), resolved by the operator from source.revision when it polled the source. Omitted: the runner resolves source.revision itself.',
    { maxLength: 64, pattern: '^([0-9a-f]{40}|[0-9a-f]{64})$' },
  ),
  purpose: str(
    'Why this plan runs: Change (default: a new commit, spec, inputs or a request) or DriftCheck (a plan against the applied state to find drift; with driftDetection mode Detect it is never applied).',
    { enum: ['Change', 'DriftCheck'], 'x-ts-type': 'ExecutionPurpose' },
  ),
};

/** status.queue of executions waiting for a free run slot. */
export const executionQueueStatus: Record<string, JSONSchemaProps> = {
  queue: obj(
    'Set while the run waits for a free slot (MAX_CONCURRENT_RUNS or the namespace cap); removed when its Job is created.',
    {
      position: int('Place in the queue, 1 = next.', { minimum: 1 }),
      length: int('How many runs wait in the same queue.', { minimum: 1 }),
      limit: str('Which cap it waits for: Operator (MAX_CONCURRENT_RUNS) or Namespace.', { enum: ['Operator', 'Namespace'] }),
      since: str('When it started waiting.', { format: 'date-time' }),
    },
    { required: ['position', 'limit'], 'x-ts-type': 'ExecutionQueueStatus' },
  ),
};
