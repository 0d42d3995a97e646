import {
  Annotations,
  API_GROUP_VERSION,
  controllerOf,
  nameOf,
  namespaceOf,
  type ExecutionAction,
  type TofuExecution,
} from '@tofu-operator/api-types';
import { withSafeJobTtl } from './job-ttl.js';
import { suffixedNameFor } from './naming.js';

/** The plan cannot be carried out as it is: it has no saved plan, or no run to repeat. */
export class NotApplicableError extends Error {
  override readonly name = 'NotApplicableError';
}

/** What an apply of `plan` does: "destroy" for a destroy plan (spec.destroy), else "apply". */
export function applyActionFor(plan: Pick<TofuExecution, 'spec'>): Exclude<ExecutionAction, 'plan'> {
  return plan.spec.destroy ? 'destroy' : 'apply';
}

/**
 * The name of the execution that carries out `plan`: `<plan>-apply` (`<plan>-destroy` for a destroy
 * plan), or a truncation plus a hash when that is over 63 characters. Deterministic, so two approvals
 * of the same plan (REST, kubectl, autoApply, racing replicas) create one execution: the second gets
 * AlreadyExists.
 */
export function applyNameFor(plan: Pick<TofuExecution, 'metadata' | 'spec'>): string {
  return suffixedNameFor(nameOf(plan), applyActionFor(plan));
}

/**
 * The apply (or destroy) TofuExecution that carries out a succeeded plan: same module/stack refs,
 * labels and controller owner (so the owner counts it among its runs), the plan's source at the
 * commit the plan was made at, the plan's template snapshot, and spec.planRef naming the plan and its
 * digest. `by`, the approving user, goes into the approved-by annotation. Pure; throws
 * NotApplicableError when the plan has no stored digest, no commit or no run source.
 */
export function applyExecutionFor(plan: TofuExecution, by?: string, now: Date = new Date()): TofuExecution {
  const record = plan.status?.plan;
  const name = nameOf(plan);
  if (!record?.digest) throw new NotApplicableError(`plan ${name} has no saved plan (status.plan.digest)`);
  if (!record.commit) throw new NotApplicableError(`plan ${name} records no commit (status.plan.commit)`);
  const source = plan.spec.source ?? plan.status?.resolved?.source;
  if (!source) throw new NotApplicableError(`plan ${name} has no source (spec.source or status.resolved.source)`);
  const template = withSafeJobTtl(plan.spec.source ? plan.spec.executionTemplate : plan.status?.resolved?.executionTemplate);
  const owner = controllerOf(plan);
  const annotations: Record<string, string> = { [Annotations.createdAt]: now.toISOString() };
  if (by) annotations[Annotations.approvedBy] = by;
  const execution: TofuExecution = {
    apiVersion: API_GROUP_VERSION,
    kind: 'TofuExecution',
    metadata: {
      name: applyNameFor(plan),
      namespace: namespaceOf(plan),
      labels: { ...(plan.metadata.labels ?? {}) },
      annotations,
      // The plan's owner (module or stack) controls the apply too: its indexes and history count it.
      ...(owner ? { ownerReferences: [{ ...owner }] } : {}),
    },
    spec: {
      action: applyActionFor(plan),
      ...(plan.spec.moduleRef ? { moduleRef: { name: plan.spec.moduleRef.name } } : {}),
      ...(plan.spec.stackRef ? { stackRef: { name: plan.spec.stackRef.name } } : {}),
      // The exact commit the plan was made at: a branch may have moved since.
      source: { ...source, revision: record.commit },
      ...(template ? { executionTemplate: template } : {}),
      planRef: { name, digest: record.digest },
    },
  };
  return execution;
}
