// Which plan an owner's triggers ask for (docs/adr/0002-deterministic-executions-and-triggers.md):
// its generation, module generation and re-plan request make the plan trigger; a destroy request
// (tofu-operator.io/destroy-requested-at, set by POST …/plan {"destroy": true}) makes a destroy plan
// once per annotation value; a change of the owner's inputs (their digest) makes a new plan trigger.
// Pure: the owner reconciler creates what this says is due.
import { Annotations, nameOf, uidOf, type TofuExecution } from '@tofu-operator/api-types';
import { executionNameFor, shortHash } from '../execution/naming.js';
import { triggerOf, type Owner } from './owner-status.js';

/** A plan one of the owner's triggers asks for, with its deterministic name. */
export interface PlanTrigger {
  trigger: string;
  name: string;
  /** A destroy plan (`tofu plan -destroy`). */
  destroy: boolean;
}

/** What the owner's triggers ask for, and which of them are handled (their execution exists). */
export interface TriggerState {
  /** The plan due now: its trigger is not handled yet. Created when no run of the owner goes on. */
  due?: PlanTrigger;
  /** For the status: the trigger, and the request values, whose executions exist. */
  handledTrigger?: string;
  handledRequestedAt?: string;
  handledDestroyRequestedAt?: string;
  /** The inputs digest of the handled plan trigger, for status.inputsDigest. */
  handledInputsDigest?: string;
}

/**
 * The plan trigger with the owner's inputs (docs/guides/variables.md). Without inputs it is the
 * generation trigger alone, as before variables existed. With them, `/i<hash>` is added: the digest
 * recorded with the last handled trigger keeps that trigger; a new digest (or a new base) makes a
 * new part from the last trigger and the digest, so values that come back to earlier ones plan
 * again too, and two reconciles of the same state still compute the same name.
 */
export function planTriggerOf(owner: Owner, moduleGeneration: number | undefined, inputsDigest: string | undefined): string {
  const base = triggerOf(owner, moduleGeneration);
  if (inputsDigest === undefined) return base;
  const last = owner.status?.lastTrigger ?? '';
  if (owner.status?.inputsDigest === inputsDigest && last.startsWith(`${base}/i`)) return last;
  return `${base}/i${shortHash(`${last}|${inputsDigest}`)}`;
}

/**
 * The trigger of the destroy plan a destroy request asks for (`destroy/d<value>`), or undefined
 * without one. Never the trigger of a deletion's destroy plan (`destroy`, `destroy/r<value>`): a
 * destroy requested earlier never counts as the destroy of a later deletion.
 */
export function destroyRequestTriggerOf(owner: Owner): string | undefined {
  const requested = owner.metadata.annotations?.[Annotations.destroyRequestedAt];
  return requested ? `destroy/d${requested}` : undefined;
}

/**
 * The owner's triggers against its executions. A trigger is handled when its execution exists or the
 * status records it (an execution deleted by hand or by the history limit is not made again). The
 * plan trigger goes first; a destroy request is due once that is handled, so a spec change and a
 * destroy requested after it plan in the order they came.
 */
export function triggerStateOf(
  owner: Owner,
  moduleGeneration: number | undefined,
  executions: readonly TofuExecution[],
  inputsDigest?: string,
): TriggerState {
  const names = new Set(executions.map(nameOf));
  const state: TriggerState = {};
  const trigger = planTriggerOf(owner, moduleGeneration, inputsDigest);
  const name = executionNameFor(nameOf(owner), uidOf(owner), trigger);
  const requestedAt = owner.metadata.annotations?.[Annotations.requestedAt];
  if (names.has(name)) {
    state.handledTrigger = trigger;
    if (inputsDigest !== undefined) state.handledInputsDigest = inputsDigest;
    if (requestedAt) state.handledRequestedAt = requestedAt;
  } else if (owner.status?.lastTrigger !== trigger) {
    state.due = { trigger, name, destroy: false };
  }
  const destroyTrigger = destroyRequestTriggerOf(owner);
  const destroyRequestedAt = owner.metadata.annotations?.[Annotations.destroyRequestedAt];
  if (!destroyTrigger || !destroyRequestedAt) return state;
  const destroyName = executionNameFor(nameOf(owner), uidOf(owner), destroyTrigger);
  if (names.has(destroyName)) state.handledDestroyRequestedAt = destroyRequestedAt;
  else if (!state.due && owner.status?.lastHandledDestroyRequestedAt !== destroyRequestedAt) {
    state.due = { trigger: destroyTrigger, name: destroyName, destroy: true };
  }
  return state;
}
