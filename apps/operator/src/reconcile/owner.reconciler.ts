import { API_GROUP_VERSION, controllerRef, nameOf, namespaceOf, uidOf, validateSchema } from '@tofu-operator/api-types';
import { type ReconcileContext, type ReconcileRequest, type ReconcileResult } from '@tofu-operator/reconcile-runtime';
import { isTerminal } from '../execution/finished.js';
import { executionNameFor } from '../execution/naming.js';
import { Index } from '../kube/cluster-cache.js';
import { CACHE_LAG_MS, DEPENDENCY_RETRY_MS } from './delays.js';
import { adoptOrphans, pruneHistory } from './owned-executions.js';
import { approvalViewOf, driftModeOfPlan, DRIFT_MODE_ANNOTATION, pendingPlanOf } from './approval.js';
import { OwnerReconcilerBase } from './owner-base.js';
import { ownerStatusFor, type Owner } from './owner-status.js';
import { triggerStateOf } from './owner-triggers.js';
import { queuedPlanOf } from './owner-runs.js';
import { commitViewOf, lastRunOf, pollIntervalMsOf, withSourceStatus } from './owner-source.js';
import { destroyReason, destroyStepOf, destroyTriggerOf, hasDestroyFinalizer } from './owner-deletion.js';
import type { WatchingReconciler } from './watches.js';

/**
 * The behaviour modules and stacks share: produce one plan execution per trigger (creation, spec
 * change, module change for stacks, re-plan request, destroy request), never two running at once,
 * keep the history within its limit, and mirror the newest execution into the owner's status.
 */
export abstract class OwnerReconciler<T extends Owner> extends OwnerReconcilerBase<T> implements WatchingReconciler {
  async reconcile(req: ReconcileRequest, ctx: ReconcileContext): Promise<ReconcileResult> {
    const owner = this.informer().get(req.namespace, req.name);
    if (!owner || owner.metadata.deletionTimestamp) {
      this.sources?.forget(this.subscriber(req.namespace, req.name));
      this.drift.forget(req.namespace, req.name);
    }
    if (!owner) return;
    // Without the finalizer, executions go with it (ownerReferences).
    if (owner.metadata.deletionTimestamp) return hasDestroyFinalizer(owner) ? this.reconcileDeleting(owner, ctx) : undefined;
    // Admission validates new objects; one stored before a stricter schema is reported, not acted on.
    // Not retried: fixing the spec is a change, and the change brings it back.
    const violations = validateSchema(owner.spec, this.specSchema, 'spec');
    if (violations.length > 0) {
      const invalid = `the spec does not match the schema: ${violations.map((v) => `${v.path} ${v.message}`).join('; ')}`;
      ctx.log.warn({ violations }, 'invalid spec; not planned');
      this.statuses.submit(owner, (cur) => ownerStatusFor(cur, { invalid, now: new Date() }));
      return undefined;
    }
    const finalizing = await this.finalizer.sync(owner, ctx);
    if (finalizing) return finalizing;
    const uid = uidOf(owner);
    // Until the cache shows the execution we created last, decisions on it would be stale.
    if (this.runs.pending(uid)) return { requeueAfterMs: CACHE_LAG_MS };

    const orphans = this.cache.executions.byIndex(this.orphanIndex, `${namespaceOf(owner)}/${nameOf(owner)}`);
    const adopted = await adoptOrphans(this.client, orphans, controllerRef(API_GROUP_VERSION, this.kind, owner), ctx);
    // An orphan changed under us may be a run in progress: deciding without it could start a second.
    if (!adopted) return { requeueAfterMs: CACHE_LAG_MS };
    // Adopted executions count at once (the cache shows their new owner reference a moment later):
    // a hand-made run in progress makes a new trigger wait like any other run.
    const executions = [...this.cache.executions.byIndex(Index.ownerUid, uid), ...adopted];
    const now = new Date();
    const resolved = this.resolve(owner);
    if ('missing' in resolved) {
      this.statuses.submit(owner, (cur) =>
        ownerStatusFor(cur, { last: lastRunOf(executions), moduleMissing: resolved.moduleName ?? resolved.missing, now }),
      );
      return { requeueAfterMs: DEPENDENCY_RETRY_MS };
    }

    // The module's source, in the module's namespace (for a stack too): its poll says which commit is newest.
    const source = resolved.source;
    const intervalMs = pollIntervalMsOf(source);
    const observation = this.sources?.observe(this.subscriber(req.namespace, req.name), req.namespace, source, intervalMs);
    const commits = commitViewOf(executions, owner.status, observation);
    const gate = await this.inputsGate(owner, resolved);
    const { blocked, dependencies } = gate;
    if (blocked) this.reportBlocked(owner, blocked, ctx);
    // Blocked, no plan is due; runs, approvals and history go on, and the status keeps what it had.
    const triggers = blocked ? {} : triggerStateOf(owner, this.moduleGeneration(resolved), executions, gate.digest, commits);
    const running = executions.filter((e) => !isTerminal(e));
    // A plan still waiting in the run queue is replaced by the newer one rather than waited for.
    const queued = triggers.due && queuedPlanOf(executions);
    const replaced = queued && triggers.due ? await this.runs.supersedeQueued(queued, triggers.due.name, ctx) : false;
    const waiting = triggers.due !== undefined && running.length > 0 && !replaced;
    if (triggers.due && !waiting) {
      // The new execution's ADDED event brings this owner back (expectations hold it until then);
      // that reconcile writes the status, so the critical path to the Job has one write, not two.
      await this.createPlan(owner, resolved, triggers.due, ctx, commits.planned);
      return undefined;
    }
    if (waiting) ctx.log.info({ running: running.map((e) => e.metadata.name) }, 'change arrived during a run; planning when it ends');
    // Only the newest plan waits for approval: an older one still waiting is superseded by it.
    const view = approvalViewOf(executions);
    if (view.newest) await this.approvals.supersede(owner, view.superseded, view.newest, ctx);
    // A drift check follows its driftDetection mode (Approve waits, AutoApply applies), others autoApply.
    const mode = view.undecided && driftModeOfPlan(view.undecided);
    const autoApply = mode ? mode === 'AutoApply' : this.autoApply(owner, resolved);
    if (view.undecided && autoApply && running.length === 0 && !waiting) {
      // The apply is the owner's next run (the cache shows it at once); its event brings the owner
      // back for the status.
      if (await this.approvals.autoApply(owner, view.undecided, ctx)) return undefined;
    }
    const planDue = triggers.due !== undefined;
    const { planned } = commits;
    const inputs = { owner, run: resolved, executions, planDue, blocked: blocked?.message, undecided: view.undecided, planned, now };
    const drift = await this.drift.step(inputs, ctx);
    if (drift.create) {
      const annotations = { [DRIFT_MODE_ANNOTATION]: drift.create.mode };
      await this.createPlan(owner, resolved, drift.create.due, ctx, undefined, { purpose: 'DriftCheck', annotations });
      return undefined;
    }
    const last = lastRunOf(executions);
    const { handledTrigger, handledRequestedAt, handledDestroyRequestedAt, handledInputsDigest } = triggers;
    const pending = view.undecided && !autoApply ? pendingPlanOf(view.undecided) : null;
    const handled = { handledTrigger, handledRequestedAt, handledDestroyRequestedAt, handledInputsDigest };
    const outputs = await this.outputs.of(owner, executions);
    const problem = outputs?.outputsInfo?.secretProblem;
    if (problem) this.events.record(owner, 'Warning', 'OutputsSecretNotWritten', 'Apply', problem);
    const seen = { source, intervalMs, ...(observation ? { observation } : {}), ...(commits.planned ? { planned: commits.planned } : {}) };
    this.statuses.submit(owner, (cur) =>
      drift.status(
        withSourceStatus(
          { ...ownerStatusFor(cur, { last, waiting, pending, ...handled, blocked, dependencies, now }), ...(outputs ?? {}) },
          seen,
          now,
        ),
      ),
    );
    await pruneHistory(this.client, owner, executions, last?.metadata.name, ctx, drift.keep);
    return drift.requeueAfterMs !== undefined ? { requeueAfterMs: drift.requeueAfterMs } : undefined;
  }

  /**
   * An owner with the destroy finalizer being deleted: plan the destroy, wait for its approval (or
   * autoApply it), run it, then remove the state and the finalizer (docs/adr/0007).
   */
  private async reconcileDeleting(owner: T, ctx: ReconcileContext): Promise<ReconcileResult> {
    const uid = uidOf(owner);
    if (this.runs.pending(uid)) return { requeueAfterMs: CACHE_LAG_MS };
    const executions = this.cache.executions.byIndex(Index.ownerUid, uid);
    const resolved = this.resolveForDestroy(owner);
    const auto = !('missing' in resolved) && this.autoApply(owner, resolved);
    const trigger = destroyTriggerOf(owner);
    const planName = executionNameFor(nameOf(owner), uid, trigger);
    const step = destroyStepOf(owner, executions, planName, auto, 'missing' in resolved ? resolved.missing : undefined);
    const view = approvalViewOf(executions);
    if (view.newest) await this.approvals.supersede(owner, view.superseded, view.newest, ctx);
    if (step.kind === 'release') {
      ctx.log.info({ why: step.why }, 'deleting: letting the object go');
      return this.finalizer.release(owner, step.removeState, ctx);
    }
    if (step.kind === 'plan' && !('missing' in resolved)) {
      // The destroy plan's ADDED event brings the owner back (expectations hold it until then).
      await this.createPlan(owner, resolved, { trigger, name: planName, destroy: true }, ctx);
      return undefined;
    }
    if (step.kind === 'apply') {
      await this.approvals.autoApply(owner, step.plan, ctx);
      return undefined;
    }
    if (step.kind !== 'wait') return undefined;
    const last = lastRunOf(executions);
    const destroying = { reason: destroyReason(step), message: step.message, failed: step.failed };
    this.statuses.submit(owner, (cur) => ownerStatusFor(cur, { last, destroying, pending: step.pending ?? null, now: new Date() }));
    // A missing module may appear again (its event wakes a stack too); the rest moves by events.
    return step.unresolved ? { requeueAfterMs: DEPENDENCY_RETRY_MS } : undefined;
  }
}
