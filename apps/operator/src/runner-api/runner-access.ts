import { nameOf, type TofuExecution } from '@tofu-operator/api-types';
import { isTerminal } from '../execution/finished.js';
import type { OwnerKind } from './secret-names.js';

/** The module or stack an execution runs for: the owner of its state. */
export interface Owner {
  kind: OwnerKind;
  name: string;
}

/** A request of the runner API, parsed (see runner-routes.ts). */
export type RunnerRoute =
  | { kind: 'state'; op: 'get' | 'write' | 'lock' | 'unlock'; namespace: string; ownerKind: OwnerKind; owner: string; lockId?: string }
  | { kind: 'plan'; op: 'get' | 'put'; part: 'plan' | 'diff'; namespace: string; execution: string }
  | { kind: 'outputs'; op: 'put'; namespace: string; execution: string };

/** Whether a runner may make a request; `target` is the execution whose plan is read or written. */
export type AccessDecision = { allow: true; target?: TofuExecution } | { allow: false; status: 403 | 404; message: string };

/**
 * The owner of an execution's state: its stack when it has a stackRef (a stack's runs share one state
 * whatever module they use), else its module.
 */
export function ownerOf(execution: TofuExecution): Owner | undefined {
  const spec = execution.spec ?? {};
  if (spec.stackRef?.name) return { kind: 'stack', name: spec.stackRef.name };
  if (spec.moduleRef?.name) return { kind: 'module', name: spec.moduleRef.name };
  return undefined;
}

/** The plan an apply or destroy execution carries out (`spec.planRef.name`), read defensively: older CRDs lack the field. */
export function planRefOf(execution: TofuExecution): string | undefined {
  const ref = (execution.spec as { planRef?: { name?: unknown } } | undefined)?.planRef;
  return typeof ref?.name === 'string' && ref.name ? ref.name : undefined;
}

/** The action of an execution ('plan' when the field is absent, as in objects made before it had others). */
export function actionOf(execution: TofuExecution): string {
  return (execution.spec as { action?: string } | undefined)?.action ?? 'plan';
}

/** Whether an execution is over (or going away): its runner has no business with state or plans any more. */
export function isFinished(execution: TofuExecution): boolean {
  return isTerminal(execution) || Boolean(execution.metadata.deletionTimestamp);
}

const sameOwner = (a: Owner | undefined, b: Owner | undefined): boolean => !!a && !!b && a.kind === b.kind && a.name === b.name;

/**
 * Decides what an authenticated runner (the execution its token names, in the route's namespace) may
 * do: the state of its own owner only, written only by an apply or destroy (a plan reads and locks
 * it); a plan uploads and reads its own plan; an apply or destroy
 * reads only the one plan its spec.planRef names, of the same owner; an apply or destroy sends its
 * own outputs (for its own owner). A finished execution may do nothing. Pure: `lookup` reads the informer cache.
 */
export function authorize(
  requester: TofuExecution,
  route: RunnerRoute,
  lookup: (namespace: string, name: string) => TofuExecution | undefined,
): AccessDecision {
  const self = nameOf(requester);
  if (isFinished(requester)) return { allow: false, status: 403, message: `execution ${self} has finished` };
  const owner = ownerOf(requester);
  if (route.kind === 'state') {
    if (!sameOwner(owner, { kind: route.ownerKind, name: route.owner })) {
      const own = owner ? `its own ${owner.kind} ${owner.name}` : 'none: it has no module or stack';
      return { allow: false, status: 403, message: `execution ${self} may only use the state of ${own}` };
    }
    // Only an approved apply or destroy changes the state: a plan reads and locks it, never writes it.
    if (route.op === 'write' && actionOf(requester) === 'plan')
      return { allow: false, status: 403, message: `execution ${self} is a plan: it reads the state and never writes it` };
    return { allow: true };
  }
  if (route.kind === 'outputs') {
    // The outputs of an apply or destroy, sent by that run after it succeeded, for its own owner.
    if (route.execution !== self) return { allow: false, status: 403, message: `execution ${self} may only send its own outputs` };
    if (actionOf(requester) === 'plan' || !owner)
      return {
        allow: false,
        status: 403,
        message: `execution ${self} is not an apply or destroy of a module or stack: it sends no outputs`,
      };
    return { allow: true, target: requester };
  }
  if (route.op === 'put') {
    if (route.execution !== self) return { allow: false, status: 403, message: `execution ${self} may only upload its own plan` };
    if (actionOf(requester) !== 'plan')
      return { allow: false, status: 403, message: `execution ${self} is not a plan: it uploads no plan` };
    return { allow: true, target: requester };
  }
  if (actionOf(requester) === 'plan') {
    if (route.execution === self) return { allow: true, target: requester };
    return { allow: false, status: 403, message: `execution ${self} may only read its own plan` };
  }
  if (planRefOf(requester) !== route.execution) {
    return { allow: false, status: 403, message: `execution ${self} may only read the plan its spec.planRef names` };
  }
  const target = lookup(route.namespace, route.execution);
  if (!target) return { allow: false, status: 404, message: `execution ${route.execution} does not exist` };
  if (!sameOwner(ownerOf(target), owner)) {
    return { allow: false, status: 403, message: `plan ${route.execution} belongs to another module or stack than execution ${self}` };
  }
  return { allow: true, target };
}
