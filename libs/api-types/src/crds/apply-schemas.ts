// The parts of the CRDs for applying (docs/adr/0007-apply-approval-and-state.md): how modules and
// stacks apply, keep state and are deleted; what an apply execution carries out; what a plan records.
import { celValidation, FieldRules } from './field-rules.js';
import { int, obj, objectName, str, type JSONSchemaProps } from './schema-helpers.js';

/** What an execution does. */
export const EXECUTION_ACTIONS = ['plan', 'apply', 'destroy'] as const;

export const executionActionSchema: JSONSchemaProps = str(
  'What the runner does: "plan" runs tofu plan and saves the plan for approval; "apply" and "destroy" run tofu apply on the saved plan that planRef names (a destroy carries out a destroy plan).',
  { enum: [...EXECUTION_ACTIONS], 'x-ts-type': 'ExecutionAction' },
);

const boolean = (description: string, extra: Partial<JSONSchemaProps> = {}): JSONSchemaProps => ({
  type: 'boolean',
  description,
  ...extra,
});

const secretKeyRefSchema: JSONSchemaProps = obj(
  'A key of a Secret in the same namespace.',
  {
    name: objectName('Name of the Secret.'),
    key: str('Key in the Secret.', { minLength: 1, maxLength: 253 }),
  },
  { required: ['name', 'key'], 'x-ts-type': 'SecretKeyRef' },
);

/**
 * The fields of modules and stacks about applying. A stack's autoApply, backend and stateEncryption
 * win over its module's; unset, the module's hold. deletionPolicy is each object's own (it decides
 * the fate of that object's own state).
 */
export function ownerApplyFields(kind: 'module' | 'stack'): Record<string, JSONSchemaProps> {
  const inherit = kind === 'stack' ? " Unset, the module's value holds." : '';
  const ownDefault = <T>(value: T): { default?: T } => (kind === 'module' ? { default: value } : {});
  return {
    autoApply: boolean(
      `Apply every plan with changes as soon as it is made, without waiting for approval. A plan without changes is never applied. Default false.${inherit}`,
      ownDefault(false),
    ),
    deletionPolicy: str(
      `What deleting this ${kind} does to the resources it manages: "Orphan" leaves them and the state; "Destroy" plans a destroy, waits for its approval (unless autoApply), applies it and removes the state before the ${kind} goes. Setting "Orphan" on a ${kind} being deleted lets it go at once (the way out of a destroy that cannot finish).`,
      { enum: ['Orphan', 'Destroy'], default: 'Orphan', 'x-ts-type': 'DeletionPolicy' },
    ),
    backend: str(
      `Where the OpenTofu state lives: "Operator" keeps it in Secrets of this namespace through the operator (an override file selects tofu's http backend); "FromCode" keeps the backend the code declares, and the operator stores no state. Default "Operator".${inherit}`,
      { enum: ['Operator', 'FromCode'], ...ownDefault('Operator'), 'x-ts-type': 'BackendMode' },
    ),
    stateEncryption: obj(
      `Encrypt the state and the saved plans with OpenTofu's state encryption (pbkdf2 key from a passphrase, AES-GCM). With the Operator backend, a state stored unencrypted is encrypted by the next run; without the passphrase an encrypted state cannot be read.${inherit}`,
      {
        keySecretRef: {
          ...secretKeyRefSchema,
          description:
            'The Secret key holding the passphrase (at least 16 characters). The runner receives it as a Secret reference; it never appears in a spec, status, log or Event.',
        },
      },
      { required: ['keySecretRef'], 'x-ts-type': 'StateEncryption' },
    ),
  };
}

/** spec.destroy and spec.planRef of an execution. */
export const executionApplyFields: Record<string, JSONSchemaProps> = {
  destroy: boolean('With action "plan": plan the destruction of everything in the state (tofu plan -destroy). Only with action "plan".'),
  planRef: obj(
    'With action "apply" or "destroy" (required then, and only then): the plan execution to carry out and the digest of the plan that was approved. The runner refuses a plan file with another digest.',
    {
      name: objectName('Name of the plan TofuExecution, of the same module or stack.'),
      digest: str("The plan's status.plan.digest: sha256 of the saved plan file that was reviewed.", {
        maxLength: 71,
        'x-kubernetes-validations': [celValidation(FieldRules.planDigest)],
      }),
    },
    { required: ['name', 'digest'], 'x-ts-type': 'PlanReference' },
  ),
};

/** The rules between action, destroy and planRef, on the execution spec. */
export const executionApplyRules: NonNullable<JSONSchemaProps['x-kubernetes-validations']> = [
  {
    rule: "self.action == 'plan' || has(self.planRef)",
    message: 'spec.planRef is required when spec.action is apply or destroy: name the plan execution and its digest',
    fieldPath: '.planRef',
  },
  {
    rule: "self.action != 'plan' || !has(self.planRef)",
    message: 'spec.planRef is not allowed when spec.action is plan',
    fieldPath: '.planRef',
  },
  {
    rule: "!has(self.destroy) || !self.destroy || self.action == 'plan'",
    message: 'spec.destroy is only allowed with spec.action plan (a destroy plan); a destroy execution names that plan in spec.planRef',
    fieldPath: '.destroy',
  },
];

const counts = (verb: string): Record<string, JSONSchemaProps> => ({
  add: int(`Resources ${verb} created.`, { minimum: 0 }),
  change: int(`Resources ${verb} updated in place.`, { minimum: 0 }),
  destroy: int(`Resources ${verb} destroyed (replacements count here and in add).`, { minimum: 0 }),
});

/** status.plan, status.approval and status.apply of an execution. */
export const executionApplyStatus: Record<string, JSONSchemaProps> = {
  plan: obj(
    'The saved plan of a successful plan execution: what an approval names and an apply carries out.',
    {
      digest: str('sha256:<hex> of the saved plan file, as the operator stored it.', { maxLength: 71 }),
      commit: str('The commit the source resolved to when planning; the apply checks out this commit.', { maxLength: 64 }),
      hasChanges: boolean('Whether the plan changes anything (resources or outputs). A plan without changes is never applied.'),
      ...counts('to be'),
    },
    { 'x-ts-type': 'PlanRecord' },
  ),
  approval: obj(
    'The decision on this plan: approved (an apply execution carries it out), rejected, or superseded by a newer plan of the same owner. Unset while it waits.',
    {
      state: str('The decision.', { enum: ['Approved', 'Rejected', 'Superseded'], 'x-ts-type': 'ApprovalState' }),
      by: str('Who decided: the requesting user; empty when the operator did (autoApply, a newer plan).', { maxLength: 1024 }),
      at: str('When.', { format: 'date-time' }),
      digest: str('The plan digest the decision named.', { maxLength: 71 }),
      message: str('Details, e.g. the newer plan that superseded this one.', { maxLength: 4096 }),
    },
    { required: ['state', 'at'], 'x-ts-type': 'ApprovalRecord' },
  ),
  apply: obj(
    'What an apply or destroy execution changed, as tofu reported it.',
    {
      ...counts('that were'),
      text: str('Tofu\'s line, e.g. "Apply complete! Resources: 1 added, 0 changed, 0 destroyed."', { maxLength: 1024 }),
    },
    { 'x-ts-type': 'ApplySummary' },
  ),
};

/** status.pendingPlan of modules and stacks, beside their AwaitingApproval condition. */
export function pendingPlanSchema(summary: JSONSchemaProps): JSONSchemaProps {
  return obj(
    'The newest plan with changes, waiting for approval (unset when none waits). Only this plan can be approved.',
    {
      name: str('Name of the plan TofuExecution.'),
      digest: str('Its status.plan.digest: what an approval must name.', { maxLength: 71 }),
      summary,
    },
    { required: ['name', 'digest'], 'x-ts-type': 'PendingPlan' },
  );
}
