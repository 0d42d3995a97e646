/**
 * What a module's or stack's page and the lists show beyond `status.phase`: a stack whose module is
 * gone is an error to fix (the operator keeps it Pending because it plans by itself once the module
 * is back), which stacks use a module, and why Plan cannot be pressed right now. Pure.
 */
import type { Phase, TofuExecution, TofuStack } from '@tofu-operator/api-types';
import { executionsOf } from './format.ts';

/** The operator's reason for a stack whose module does not exist (api-types' Reason.ModuleNotFound). */
export const MODULE_NOT_FOUND = 'ModuleNotFound';
/** Ready False reasons that nothing but the user fixes: shown as a red error, not a yellow Pending. */
const STRANDED_REASONS: ReadonlySet<string> = new Set([MODULE_NOT_FOUND]);

/** An owner that cannot run until someone acts: the Ready condition's reason and message. */
export interface OwnerProblem {
  reason: string;
  message: string;
}

interface WithConditions {
  status?: { phase?: Phase; conditions?: readonly { type: string; status: string; reason?: string; message?: string }[] };
}

/** The problem of an owner whose Ready is False for a stranded reason (its module was deleted). */
export function ownerProblem(o: WithConditions | undefined): OwnerProblem | undefined {
  const ready = o?.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status !== 'False' || !ready.reason || !STRANDED_REASONS.has(ready.reason)) return undefined;
  return { reason: ready.reason, message: ready.message ?? ready.reason };
}

/** How many of `items` have each problem reason (see ownerProblem), in order of first appearance. */
export function problemCounts(items: readonly (WithConditions | undefined)[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const o of items) {
    const reason = ownerProblem(o)?.reason;
    if (reason) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  return [...counts];
}

/** The names of the stacks whose spec.moduleRef names `module`, sorted. */
export function stacksUsing(stacks: readonly TofuStack[], module: string): string[] {
  return stacks
    .filter((s) => s.spec.moduleRef.name === module)
    .map((s) => s.metadata.name ?? '')
    .sort();
}

/** "1 stack", "3 stacks". */
export function countOf(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Why Plan is disabled: the text, and the running execution to link to when that is the cause. */
export interface PlanBlock {
  reason: string;
  running?: string;
}

/**
 * Why a plan of this owner cannot start now, or undefined when it can: a stack whose module is gone
 * (the API would accept the request, but the run would wait for the module forever), or a run of it
 * that has not finished (the API answers 409 naming it). `executions` is the namespace's list.
 */
export function planBlock(
  kind: 'modules' | 'stacks',
  name: string,
  owner: WithConditions | undefined,
  executions: readonly TofuExecution[],
): PlanBlock | undefined {
  const problem = ownerProblem(owner);
  if (problem) return { reason: `Cannot plan: ${problem.message} (${problem.reason})` };
  const running = executionsOf(executions, kind, name).find((e) => e.status?.phase !== 'Succeeded' && e.status?.phase !== 'Failed');
  if (running?.metadata.name) return { reason: `A run is in progress: ${running.metadata.name}`, running: running.metadata.name };
  return undefined;
}
