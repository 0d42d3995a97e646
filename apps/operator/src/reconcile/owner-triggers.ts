// Which plan an owner's triggers ask for (docs/adr/0002-deterministic-executions-and-triggers.md):
// its generation, module generation and re-plan request make the plan trigger; a destroy request
// (tofu-operator.io/destroy-requested-at, set by POST …/plan {"destroy": true}) makes a destroy plan
// once per annotation value; a change of the owner's inputs (their digest) makes a new plan trigger;
// a new commit the source poll saw makes one too (`/c<commit>`). Pure: the owner reconciler creates
// what this says is due.
import { Annotations, nameOf, uidOf, type TofuExecution } from '@tofu-operator/api-types';
import { executionNameFor, shortHash } from '../execution/naming.js';
import { triggerOf, type Owner } from './owner-status.js';

/** A plan one of the owner's triggers asks for, with its deterministic name. */
export interface PlanTrigger {
  trigger: string;
  name: string;
  /** A destroy plan (`tofu plan -destroy`). */
  destroy: boolean;
  /** The full SHA the plan checks out (spec.commit): the poll's new commit when the trigger names it. */
  commit?: string;
}

/** What the owner knows of its source's commits, for the plan trigger. */
export interface CommitView {
  /** The commit of the newest finished plan (status.source.commit). */
  planned?: string;
  /** The commit a poll saw after that plan was made; undefined when unknown or not newer information. */
  latest?: string;
}

/** The `/c<first 12 of the commit>` part a poll's new commit adds to the plan trigger. */
const COMMIT_PART = /\/c[0-9a-f]{12}$/;

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
 * The plan trigger with the owner's inputs (docs/guides/variables.md) and the source's commit. Without
 * inputs it is the generation trigger alone, as before variables existed. With them, `/i<hash>` is
 * added: the digest recorded with the last handled trigger keeps that trigger; a new digest (or a new
 * base) makes a new part from the last trigger and the digest, so values that come back to earlier
 * ones plan again too, and two reconciles of the same state still compute the same name. A commit
 * the poll saw that differs from the one planned last adds `/c<first 12 of it>`; otherwise the last
 * trigger's commit part stays as it is (a spec change plans at once, the runner resolving the branch).
 */
export function planTriggerOf(
  owner: Owner,
  moduleGeneration: number | undefined,
  inputsDigest: string | undefined,
  commits: CommitView = {},
): string {
  const base = triggerOf(owner, moduleGeneration);
  const last = owner.status?.lastTrigger ?? '';
  const lastBase = last.replace(COMMIT_PART, '');
  let trigger = base;
  if (inputsDigest !== undefined) {
    const kept = owner.status?.inputsDigest === inputsDigest && lastBase.startsWith(`${base}/i`);
    trigger = kept ? lastBase : `${base}/i${shortHash(`${last}|${inputsDigest}`)}`;
  }
  if (commits.latest && commits.latest !== commits.planned) return `${trigger}/c${commits.latest.slice(0, 12)}`;
  return trigger === lastBase ? last : trigger;
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
 * The trigger as it was handled: a trigger without a commit part whose plan was made with one (a
 * poll's commit was known when it was made; the next reconcile no longer sees it as news, the plan
 * being newer than the poll, before the status records that trigger) is the trigger of that plan,
 * never a second plan of the same base.
 */
function withCommitPlanned(trigger: string, executions: readonly TofuExecution[]): string {
  if (COMMIT_PART.test(trigger)) return trigger;
  for (const e of executions) {
    const t = e.metadata.annotations?.[Annotations.trigger];
    if (t && COMMIT_PART.test(t) && t.replace(COMMIT_PART, '') === trigger) return t;
  }
  return trigger;
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
  commits: CommitView = {},
): TriggerState {
  const names = new Set(executions.map(nameOf));
  const state: TriggerState = {};
  const computed = planTriggerOf(owner, moduleGeneration, inputsDigest, commits);
  const trigger = withCommitPlanned(computed, executions);
  const name = executionNameFor(nameOf(owner), uidOf(owner), trigger);
  const requestedAt = owner.metadata.annotations?.[Annotations.requestedAt];
  if (names.has(name)) {
    state.handledTrigger = trigger;
    if (inputsDigest !== undefined) state.handledInputsDigest = inputsDigest;
    if (requestedAt) state.handledRequestedAt = requestedAt;
  } else if (owner.status?.lastTrigger !== trigger) {
    const commit = commits.latest && trigger.endsWith(`/c${commits.latest.slice(0, 12)}`) ? commits.latest : undefined;
    state.due = { trigger, name, destroy: false, ...(commit ? { commit } : {}) };
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
