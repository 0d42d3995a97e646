// The plan execution an owner creates for a trigger: a deterministic name, its labels and the
// snapshot of what it runs. Pure; the owner reconciler creates it (a 409 means it exists already).
import { Annotations, API_GROUP_VERSION, controllerRef, Labels, MANAGED_BY, type TofuExecution } from '@tofu-operator/api-types';
import { labelValueFor } from '../execution/naming.js';
import type { Owner } from './owner-status.js';
import type { ResolvedRun } from './run-resolver.js';

/** What the new plan execution is. */
export interface PlanExecutionInput {
  kind: 'TofuModule' | 'TofuStack';
  owner: Owner;
  run: ResolvedRun;
  refs: Pick<TofuExecution['spec'], 'moduleRef' | 'stackRef'>;
  trigger: string;
  name: string;
  destroy: boolean;
  now: Date;
  /** The full SHA to check out (spec.commit); unset, the runner resolves source.revision. */
  commit?: string;
  /** A drift check (spec.purpose DriftCheck); unset for plans of changes. */
  purpose?: 'DriftCheck';
  /** More annotations (e.g. a drift check's mode). */
  annotations?: Record<string, string>;
}

/** The body of a plan (or destroy plan) execution of an owner. */
export function planExecutionBody(input: PlanExecutionInput): TofuExecution {
  const { kind, owner, run, refs, trigger, name, destroy, now, commit, purpose } = input;
  const labels: Record<string, string> = { [Labels.managedBy]: MANAGED_BY, [Labels.partOf]: 'tofu-operator' };
  if (refs.moduleRef) labels[Labels.module] = labelValueFor(refs.moduleRef.name);
  if (refs.stackRef) labels[Labels.stack] = labelValueFor(refs.stackRef.name);
  return {
    apiVersion: API_GROUP_VERSION,
    kind: 'TofuExecution',
    metadata: {
      name,
      namespace: owner.metadata.namespace,
      labels,
      annotations: { ...input.annotations, [Annotations.trigger]: trigger, [Annotations.createdAt]: now.toISOString() },
      ownerReferences: [controllerRef(API_GROUP_VERSION, kind, owner)],
    },
    spec: {
      action: 'plan',
      ...(destroy ? { destroy } : {}),
      ...refs,
      source: run.source,
      executionTemplate: run.template,
      ...(commit ? { commit } : {}),
      ...(purpose ? { purpose } : {}),
    },
  };
}
