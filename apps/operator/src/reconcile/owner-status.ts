import {
  Annotations,
  ApprovalReason,
  ConditionType,
  nameOf,
  Reason,
  type LastExecution,
  type PendingPlan,
  type TofuExecution,
  type TofuModule,
  type TofuModuleStatus,
  type TofuStack,
} from '@tofu-operator/api-types';
import { setCondition } from '@tofu-operator/reconcile-runtime';
import { isTerminal, isTerminalPhase } from '../execution/finished.js';

/** The condition of a stack whose dependencies (spec.dependsOn, spec.inputsFrom) have applied, or why not. */
export const DEPENDENCIES_READY = 'DependenciesReady';

/** A module or a stack: the objects that produce executions. */
export type Owner = TofuModule | TofuStack;

/**
 * What starts a new plan: the owner's generation, for a stack its module's generation, and the
 * re-plan request annotation. Two reconciles of the same state compute the same trigger.
 */
export function triggerOf(owner: Owner, moduleGeneration?: number): string {
  const parts = [`g${owner.metadata.generation ?? 0}`];
  if (moduleGeneration !== undefined) parts.push(`m${moduleGeneration}`);
  const requested = owner.metadata.annotations?.[Annotations.requestedAt];
  if (requested) parts.push(`r${requested}`);
  return parts.join('/');
}

/** When an execution was created (or adopted), in ms since the epoch; 0 when unknown. */
export function createdAtMs(e: TofuExecution): number {
  const t = Date.parse(e.metadata.annotations?.[Annotations.createdAt] ?? e.metadata.creationTimestamp ?? '');
  return Number.isNaN(t) ? 0 : t;
}

/** The newest execution first (creation time in ms, then name), for history and "last execution". */
export function byNewest(a: TofuExecution, b: TofuExecution): number {
  const t = createdAtMs(b) - createdAtMs(a);
  return t !== 0 ? t : nameOf(b).localeCompare(nameOf(a));
}

/**
 * Executions beyond the history limit, oldest first: only finished ones count and are deleted, and
 * never the one the owner's status points at.
 */
export function executionsToPrune(executions: TofuExecution[], limit: number, keep: string | undefined): TofuExecution[] {
  const finished = executions.filter((e) => isTerminal(e) && e.metadata.name !== keep).sort(byNewest);
  // The kept one occupies a slot of the history when it is finished too.
  const keptFinished = executions.some((e) => e.metadata.name === keep && isTerminal(e)) ? 1 : 0;
  return finished.slice(Math.max(0, limit - keptFinished)).reverse();
}

/** The lastExecution block of an owner's status for an execution. */
export function lastExecutionOf(execution: TofuExecution): LastExecution {
  const s = execution.status ?? {};
  const last: LastExecution = { name: nameOf(execution), action: execution.spec.action, phase: s.phase ?? 'Pending' };
  if (s.summary) last.summary = s.summary;
  // Progress messages of a running execution change often; owners show the final one only, so a
  // run does not rewrite its module's or stack's status at every step.
  if (s.message && isTerminalPhase(s.phase)) last.message = s.message;
  if (s.startTime) last.startTime = s.startTime;
  if (s.completionTime) last.completionTime = s.completionTime;
  const trigger = execution.metadata.annotations?.[Annotations.trigger];
  if (trigger) last.trigger = trigger;
  return last;
}

/** The words for a waiting plan, for conditions and events: its name, what it does and its digest. */
export function waitingMessage(plan: PendingPlan): string {
  const what = plan.summary?.text ? ` (${plan.summary.text})` : '';
  return `plan ${plan.name}${what} waits for approval of digest ${plan.digest}`;
}

/** What the owner reconciler decided, for the status. */
export interface OwnerObservation {
  /** The execution the status reports (newest, or the one just created). */
  last?: TofuExecution;
  /** A new trigger waits for a running execution to finish. */
  waiting?: boolean;
  /** For stacks: the module is missing. */
  moduleMissing?: string;
  /** The stored spec does not match the schema: what is wrong, naming the fields. */
  invalid?: string;
  /** The trigger the operator has created an execution for (kept from the previous status otherwise). */
  handledTrigger?: string;
  handledRequestedAt?: string;
  /** The destroy request (tofu-operator.io/destroy-requested-at) whose destroy plan exists. */
  handledDestroyRequestedAt?: string;
  /** The inputs digest of the handled plan trigger (status.inputsDigest). */
  handledInputsDigest?: string;
  /**
   * The owner cannot plan: its inputs cannot be resolved (a missing object, a bad key) or its
   * dependencies are not ready. Ready False with this reason and message; the rest of the status stays.
   */
  blocked?: { reason: string; message: string; pending: boolean };
  /** For stacks: the DependenciesReady condition (True when every dependency has applied). */
  dependencies?: { ready: boolean; reason: string; message: string };
  /**
   * The plan waiting for approval (status.pendingPlan, AwaitingApproval=True), null when none waits;
   * undefined keeps what the status says (the reconciler did not look at the plans).
   */
  pending?: PendingPlan | null;
  /** Being deleted with deletionPolicy Destroy: what the destroy waits for, or why it cannot finish. */
  destroying?: { reason: string; message: string; failed: boolean };
  now: Date;
}

/** Computes a module's or stack's status from its newest execution. Pure. */
export function ownerStatusFor(owner: Owner, obs: OwnerObservation): TofuModuleStatus {
  const prev = owner.status ?? {};
  const generation = owner.metadata.generation;
  const status: TofuModuleStatus = { ...prev, observedGeneration: generation };
  if (obs.handledTrigger) status.lastTrigger = obs.handledTrigger;
  if (obs.handledRequestedAt) status.lastHandledRequestedAt = obs.handledRequestedAt;
  if (obs.handledDestroyRequestedAt) status.lastHandledDestroyRequestedAt = obs.handledDestroyRequestedAt;
  if (obs.handledInputsDigest) status.inputsDigest = obs.handledInputsDigest;
  if (obs.last) status.lastExecution = lastExecutionOf(obs.last);

  let ready: { status: 'True' | 'False' | 'Unknown'; reason: string; message: string };
  let reconciling: { status: 'True' | 'False'; reason: string; message: string };
  if (obs.invalid) {
    ready = { status: 'False', reason: Reason.InvalidSpec, message: obs.invalid };
    reconciling = { status: 'False', reason: Reason.InvalidSpec, message: 'not planned until the spec is fixed' };
    status.phase = 'Failed';
  } else if (obs.moduleMissing) {
    ready = {
      status: 'False',
      reason: Reason.ModuleNotFound,
      message: `TofuModule "${obs.moduleMissing}" not found in namespace ${owner.metadata.namespace}`,
    };
    reconciling = { status: 'False', reason: Reason.ModuleNotFound, message: 'waiting for the module to exist' };
    status.phase = 'Pending';
  } else if (obs.blocked) {
    // Nothing runs; the last execution stays reported in lastExecution.
    ready = { status: 'False', reason: obs.blocked.reason, message: obs.blocked.message };
    const waitingFor = obs.blocked.pending ? 'planned when this is resolved' : 'not planned until this is fixed';
    reconciling = { status: 'False', reason: obs.blocked.reason, message: waitingFor };
    status.phase = obs.blocked.pending ? 'Pending' : 'Failed';
  } else {
    const last = status.lastExecution;
    const phase = last?.phase ?? 'Pending';
    status.phase = phase;
    const name = last?.name ?? '';
    if (phase === 'Succeeded')
      ready = { status: 'True', reason: Reason.ExecutionSucceeded, message: `${name}: ${last?.summary?.text ?? 'succeeded'}` };
    else if (phase === 'Failed')
      ready = { status: 'False', reason: Reason.ExecutionFailed, message: `${name}: ${last?.message ?? 'failed'}` };
    else
      ready = {
        status: 'Unknown',
        reason: Reason.ExecutionRunning,
        message: last ? `${name} is ${phase.toLowerCase()}` : 'no execution yet',
      };
    const running = phase === 'Pending' || phase === 'Running';
    if (obs.waiting)
      reconciling = {
        status: 'True',
        reason: Reason.WaitingForRunningExecution,
        message: `a change arrived while ${name} runs; a new plan starts when it ends`,
      };
    else if (running)
      reconciling = {
        status: 'True',
        reason: Reason.ExecutionRunning,
        message: last ? `${name} is ${phase.toLowerCase()}` : 'no execution yet',
      };
    else
      reconciling = {
        status: 'False',
        reason: phase === 'Succeeded' ? Reason.ExecutionSucceeded : Reason.ExecutionFailed,
        message: 'up to date',
      };
  }
  if (obs.destroying) {
    const { reason, message, failed } = obs.destroying;
    // The last run's outcome is no longer what matters: the object waits for its destroy.
    if (failed) ready = { status: 'False', reason, message };
    reconciling = { status: failed ? 'False' : 'True', reason, message };
  }
  status.conditions = setCondition(prev.conditions, { type: ConditionType.Ready, observedGeneration: generation, ...ready }, obs.now);
  status.conditions = setCondition(
    status.conditions,
    { type: ConditionType.Reconciling, observedGeneration: generation, ...reconciling },
    obs.now,
  );
  if (obs.pending !== undefined) status.conditions = awaitingApproval(status, obs.pending, generation, obs.now);
  if (obs.dependencies) {
    const { ready: ok, reason, message } = obs.dependencies;
    const condition = { type: DEPENDENCIES_READY, observedGeneration: generation, status: ok ? 'True' : 'False', reason, message } as const;
    status.conditions = setCondition(status.conditions, condition, obs.now);
  }
  return status;
}

/** Records the waiting plan (or that none waits) in status.pendingPlan and the AwaitingApproval condition. */
function awaitingApproval(status: TofuModuleStatus, pending: PendingPlan | null, generation: number | undefined, now: Date) {
  const base = { type: ConditionType.AwaitingApproval, observedGeneration: generation };
  if (!pending) {
    delete status.pendingPlan;
    return setCondition(
      status.conditions,
      { ...base, status: 'False', reason: ApprovalReason.NoPlanWaiting, message: 'no plan waits for approval' },
      now,
    );
  }
  status.pendingPlan = pending;
  const message = waitingMessage(pending);
  return setCondition(status.conditions, { ...base, status: 'True', reason: ApprovalReason.PlanWaiting, message }, now);
}
