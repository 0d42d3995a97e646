import type { PlanSummary } from '@tofu-operator/api-types';

/** The parts of `tofu show -json <planfile>` the summary reads. */
export interface PlanJson {
  resource_changes?: ResourceChangeJson[];
  output_changes?: Record<string, ChangeJson>;
}

export interface ChangeJson {
  actions?: string[];
  /** Present when the resource is imported by this plan. */
  importing?: unknown;
}

export interface ResourceChangeJson {
  address?: string;
  mode?: string;
  change?: ChangeJson;
}

/** Counts of a plan, as tofu prints them on its "Plan:" line. */
export interface PlanCounts {
  add: number;
  change: number;
  destroy: number;
  import: number;
  forget: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function actionsOf(change: unknown): string[] {
  if (!isRecord(change) || !Array.isArray(change.actions)) return [];
  return change.actions.filter((a): a is string => typeof a === 'string');
}

/** Counts the resource changes of a plan: replace (delete+create in either order) is one add and one destroy. */
export function countPlan(plan: PlanJson): PlanCounts {
  const counts: PlanCounts = { add: 0, change: 0, destroy: 0, import: 0, forget: 0 };
  for (const rc of plan.resource_changes ?? []) {
    if (!isRecord(rc)) continue;
    const change = rc.change;
    const actions = actionsOf(change);
    if (isRecord(change) && change.importing != null) counts.import++;
    const has = (a: string): boolean => actions.includes(a);
    if (has('create')) counts.add++;
    if (has('delete')) counts.destroy++;
    if (has('update')) counts.change++;
    if (has('forget')) counts.forget++;
    // "no-op" and "read" (data sources) change nothing.
  }
  return counts;
}

/** Whether any root module output changes (an action other than no-op). */
export function outputsChange(plan: PlanJson): boolean {
  const outputs = plan.output_changes;
  if (!isRecord(outputs)) return false;
  return Object.values(outputs).some((change) => actionsOf(change).some((a) => a !== 'no-op'));
}

/** tofu's own one-line summary for the counts. */
export function planText(counts: PlanCounts): string {
  const parts = [`${counts.add} to add`, `${counts.change} to change`, `${counts.destroy} to destroy`];
  if (counts.import > 0) parts.unshift(`${counts.import} to import`);
  if (counts.forget > 0) parts.push(`${counts.forget} to forget`);
  return `Plan: ${parts.join(', ')}.`;
}

/**
 * The summary of a plan from `tofu show -json` (parsed): counts of resources to add, change and
 * destroy, whether anything changes (resources or outputs), and one line of text. Pure.
 */
export function summarizePlan(plan: unknown): PlanSummary {
  if (!isRecord(plan)) throw new TypeError('the plan JSON is not an object');
  if (plan.resource_changes !== undefined && !Array.isArray(plan.resource_changes)) {
    throw new TypeError('the plan JSON has a resource_changes that is not an array');
  }
  const json = plan as PlanJson;
  const counts = countPlan(json);
  const resourcesChange = counts.add + counts.change + counts.destroy + counts.import + counts.forget > 0;
  const hasChanges = resourcesChange || outputsChange(json);
  return {
    add: counts.add,
    change: counts.change,
    destroy: counts.destroy,
    hasChanges,
    text: hasChanges ? planText(counts) : 'No changes.',
  };
}

/** Parses the output of `tofu show -json` and summarizes it. */
export function summarizePlanJson(text: string): PlanSummary {
  let plan: unknown;
  try {
    plan = JSON.parse(text);
  } catch (err) {
    throw new TypeError(`tofu show -json did not print JSON: ${(err as Error).message}`);
  }
  return summarizePlan(plan);
}
