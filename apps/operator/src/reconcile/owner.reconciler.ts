import {
  API_GROUP_VERSION,
  controllerOf,
  controllerRef,
  ConditionType,
  controllerUid,
  nameOf,
  namespaceOf,
  TofuExecutions,
  uidOf,
  validateSchema,
  type JSONSchemaProps,
  type ResourceType,
  type TofuExecution,
} from '@tofu-operator/api-types';
import {
  isAlreadyExists,
  StatusWriter,
  type Controller,
  type EventRecorder,
  type Logger,
  type KubeClient,
  type Informer,
  type ReconcileContext,
  type ReconcileRequest,
  type ReconcileResult,
} from '@tofu-operator/reconcile-runtime';
import { isTerminal } from '../execution/finished.js';
import { executionNameFor } from '../execution/naming.js';
import { Index, type ClusterCache } from '../kube/cluster-cache.js';
import type { StateStore } from '../runner-api/state-store.service.js';
import { CACHE_LAG_MS, DEPENDENCY_RETRY_MS, OWNER_STATUS_COALESCE_MS } from './delays.js';
import { Expectations } from './expectations.js';
import { planExecutionBody } from './owner-execution.js';
import { inputObjectKeys, type InputsGate } from './owner-inputs.js';
import { type OwnerOutputs } from './owner-outputs-sync.js';
import { adoptOrphans, pruneHistory } from './owned-executions.js';
import { approvalViewOf, pendingPlanOf } from './approval.js';
import { byNewest, ownerStatusFor, type Owner } from './owner-status.js';
import { triggerStateOf } from './owner-triggers.js';
import { destroyReason, destroyStepOf, destroyTriggerOf, hasDestroyFinalizer } from './owner-deletion.js';
import { OwnerFinalizer } from './owner-finalizer.js';
import { PlanApprovals } from './plan-approvals.js';
import type { ResolvedRun, Unresolved } from './run-resolver.js';
import { onInputObjectChange, specOrMetaChanged, type Queues, type WatchingReconciler } from './watches.js';

/**
 * The behaviour modules and stacks share: produce one plan execution per trigger (creation, spec
 * change, module change for stacks, re-plan request, destroy request), never two running at once,
 * keep the history within its limit, and mirror the newest execution into the owner's status.
 */
export abstract class OwnerReconciler<T extends Owner> implements WatchingReconciler {
  abstract readonly kind: 'TofuModule' | 'TofuStack';
  protected abstract readonly resource: ResourceType;
  /** The CRD schema of the spec, to refuse stored objects that do not match it. */
  protected abstract readonly specSchema: JSONSchemaProps;
  protected abstract informer(): Informer<T>;
  /** The queue of this owner kind. */
  protected abstract queue(queues: Queues): Controller;
  /** For an execution a user made (no controller owner): the name of the owner of this kind it names, if any. */
  protected abstract referencedOwner(execution: TofuExecution): string | undefined;
  /** What this owner runs, or why it cannot. */
  protected abstract resolve(owner: T): ResolvedRun | Unresolved;
  /** The module generation a stack's trigger includes; undefined for modules. */
  protected abstract moduleGeneration(run: ResolvedRun): number | undefined;
  /** moduleRef / stackRef of the executions this owner creates. */
  protected abstract refs(owner: T, run: ResolvedRun): Pick<TofuExecution['spec'], 'moduleRef' | 'stackRef'>;
  /** Whether plans with changes are applied without approval (for stacks, merged with the module's). */
  protected abstract autoApply(owner: T, run: ResolvedRun): boolean;
  /** Whether the owner's inputs (and a stack's dependencies) allow a plan, and their digest. */
  protected abstract inputsGate(owner: T, run: ResolvedRun): Promise<InputsGate>;
  /** What a destroy plan runs: like resolve, but also with a module that is being deleted itself. */
  protected resolveForDestroy(owner: T): ResolvedRun | Unresolved {
    return this.resolve(owner);
  }

  private readonly expectations = new Expectations();
  private writer: StatusWriter<T> | undefined;
  private readonly approvals: PlanApprovals;
  private finalizerWriter: OwnerFinalizer | undefined;

  /** The destroy finalizer's writes (made on first use: the resource is known after construction). */
  private get finalizer(): OwnerFinalizer {
    const kind = this.kind === 'TofuModule' ? 'module' : 'stack';
    return (this.finalizerWriter ??= new OwnerFinalizer(this.client, this.states, this.resource, kind));
  }

  /** Status writes happen in the background; reconciles do not wait for them. */
  get statuses(): StatusWriter<T> {
    this.writer ??= new StatusWriter<T>(this.client, this.resource, this.log);
    return this.writer;
  }

  constructor(
    protected readonly cache: ClusterCache,
    protected readonly client: KubeClient,
    protected readonly events: EventRecorder,
    protected readonly log: Logger,
    private readonly states: StateStore,
    private readonly outputs: OwnerOutputs,
  ) {
    this.approvals = new PlanApprovals(client, cache, events);
  }

  /** Owners of this kind by the "namespace/Kind/name" of the ConfigMaps and Secrets their varsFrom names. */
  private get inputsIndex(): string {
    return `inputs:${this.kind}`;
  }

  /** Executions without a controller owner, by "namespace/name" of the owner of this kind they name. */
  private get orphanIndex(): string {
    return `orphans:${this.kind}`;
  }

  /**
   * The owner's own changes (spec, annotations, deletion: not the status it writes itself), and its
   * executions: each change of one is mirrored into the owner's status, and one a user made is
   * adopted by the owner it names.
   */
  setupWatches(queues: Queues): void {
    const own = this.queue(queues);
    this.cache.executions.addIndex(this.orphanIndex, (e) => {
      const name = controllerUid(e) ? undefined : this.referencedOwner(e);
      return name ? [`${namespaceOf(e)}/${name}`] : [];
    });
    this.informer().onEvent((e, o, old) => {
      if (specOrMetaChanged(e, o, old)) own.enqueue(o.metadata.namespace, o.metadata.name);
    });
    // The ConfigMaps and Secrets its varsFrom names: a change (or their appearance) resolves again.
    this.informer().addIndex(this.inputsIndex, inputObjectKeys);
    onInputObjectChange(this.cache, (key) => {
      for (const o of this.informer().byIndex(this.inputsIndex, key)) own.enqueue(o.metadata.namespace, o.metadata.name);
    });
    this.cache.executions.onEvent((e, x, old) => {
      this.observed(x);
      const owner = controllerOf(x);
      if (owner?.kind === this.kind) {
        // Changes within one phase collapse into one status write; a new or finished execution is reflected at once.
        const delay = e === 'update' && old?.status?.phase === x.status?.phase ? OWNER_STATUS_COALESCE_MS : 0;
        own.enqueueAfter(x.metadata.namespace, owner.name, delay);
      } else if (!owner) {
        own.enqueue(x.metadata.namespace, this.referencedOwner(x));
      }
    });
  }

  /** Tells the reconciler the cache has seen an execution (clears a pending expectation). */
  private observed(execution: TofuExecution): void {
    const owner = controllerOf(execution);
    if (owner) this.expectations.observe(owner.uid, nameOf(execution));
  }

  async reconcile(req: ReconcileRequest, ctx: ReconcileContext): Promise<ReconcileResult> {
    const owner = this.informer().get(req.namespace, req.name);
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
    if (this.expectations.pending(uid)) return { requeueAfterMs: CACHE_LAG_MS };

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
        ownerStatusFor(cur, { last: executions.sort(byNewest)[0], moduleMissing: resolved.moduleName ?? resolved.missing, now }),
      );
      return { requeueAfterMs: DEPENDENCY_RETRY_MS };
    }

    const gate = await this.inputsGate(owner, resolved);
    const { blocked, dependencies } = gate;
    if (blocked) this.reportBlocked(owner, blocked, ctx);
    // Blocked, no plan is due; runs, approvals and history go on, and the status keeps what it had.
    const triggers = blocked ? {} : triggerStateOf(owner, this.moduleGeneration(resolved), executions, gate.digest);
    const running = executions.filter((e) => !isTerminal(e));
    const waiting = triggers.due !== undefined && running.length > 0;
    if (triggers.due && !waiting) {
      // The new execution's ADDED event brings this owner back (expectations hold it until then);
      // that reconcile writes the status, so the critical path to the Job has one write, not two.
      const { trigger, name, destroy } = triggers.due;
      await this.createExecution(owner, resolved, trigger, name, ctx, destroy);
      return undefined;
    }
    if (waiting) ctx.log.info({ running: running.map((e) => e.metadata.name) }, 'change arrived during a run; planning when it ends');
    // Only the newest plan waits for approval: an older one still waiting is superseded by it.
    const view = approvalViewOf(executions);
    if (view.newest) await this.approvals.supersede(owner, view.superseded, view.newest, ctx);
    const autoApply = this.autoApply(owner, resolved);
    if (view.undecided && autoApply && running.length === 0 && !waiting) {
      // The apply is the owner's next run (the cache shows it at once); its event brings the owner
      // back for the status.
      if (await this.approvals.autoApply(owner, view.undecided, ctx)) return undefined;
    }
    const last = executions.sort(byNewest)[0];
    const { handledTrigger, handledRequestedAt, handledDestroyRequestedAt, handledInputsDigest } = triggers;
    const pending = view.undecided && !autoApply ? pendingPlanOf(view.undecided) : null;
    const handled = { handledTrigger, handledRequestedAt, handledDestroyRequestedAt, handledInputsDigest };
    const outputs = await this.outputs.of(owner, executions);
    const problem = outputs?.outputsInfo?.secretProblem;
    if (problem) this.events.record(owner, 'Warning', 'OutputsSecretNotWritten', 'Apply', problem);
    this.statuses.submit(owner, (cur) => ({
      ...ownerStatusFor(cur, { last, waiting, pending, ...handled, blocked, dependencies, now }),
      ...(outputs ?? {}),
    }));
    await pruneHistory(this.client, owner, executions, last?.metadata.name, ctx);
    return undefined;
  }

  /**
   * An owner with the destroy finalizer being deleted: plan the destroy, wait for its approval (or
   * autoApply it), run it, then remove the state and the finalizer (docs/adr/0007).
   */
  private async reconcileDeleting(owner: T, ctx: ReconcileContext): Promise<ReconcileResult> {
    const uid = uidOf(owner);
    if (this.expectations.pending(uid)) return { requeueAfterMs: CACHE_LAG_MS };
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
      await this.createExecution(owner, resolved, trigger, planName, ctx, true);
      return undefined;
    }
    if (step.kind === 'apply') {
      await this.approvals.autoApply(owner, step.plan, ctx);
      return undefined;
    }
    if (step.kind !== 'wait') return undefined;
    const last = executions.sort(byNewest)[0];
    const destroying = { reason: destroyReason(step), message: step.message, failed: step.failed };
    this.statuses.submit(owner, (cur) => ownerStatusFor(cur, { last, destroying, pending: step.pending ?? null, now: new Date() }));
    // A missing module may appear again (its event wakes a stack too); the rest moves by events.
    return step.unresolved ? { requeueAfterMs: DEPENDENCY_RETRY_MS } : undefined;
  }

  /** An Event when the owner becomes blocked, or blocked for another reason (not at every reconcile). */
  private reportBlocked(owner: T, blocked: NonNullable<InputsGate['blocked']>, ctx: ReconcileContext): void {
    const ready = owner.status?.conditions?.find((c) => c.type === ConditionType.Ready);
    if (ready?.reason === blocked.reason && ready.message === blocked.message) return;
    ctx.log.info({ reason: blocked.reason }, 'not planned: inputs or dependencies');
    this.events.record(owner, blocked.pending ? 'Normal' : 'Warning', blocked.reason, 'Plan', blocked.message);
  }

  private async createExecution(
    owner: T,
    run: ResolvedRun,
    trigger: string,
    name: string,
    ctx: ReconcileContext,
    destroy = false,
  ): Promise<TofuExecution> {
    const refs = this.refs(owner, run);
    const body = planExecutionBody({ kind: this.kind, owner, run, refs, trigger, name, destroy, now: new Date() });
    this.expectations.expect(uidOf(owner), name);
    try {
      const created = await this.client.create<TofuExecution>(TofuExecutions, owner.metadata.namespace, body);
      this.cache.executions.observeCreate(created);
      ctx.log.info({ execution: name, trigger }, 'created execution');
      const what = destroy ? 'destroy plan' : 'TofuExecution';
      this.events.record(owner, 'Normal', 'ExecutionCreated', 'Plan', `Created ${what} ${name} (${trigger})`);
      return created;
    } catch (err) {
      if (!isAlreadyExists(err)) {
        this.expectations.observe(uidOf(owner), name);
        throw err;
      }
      // Created by an earlier reconcile whose status write did not land: not a duplicate.
      return this.client.get<TofuExecution>(TofuExecutions, owner.metadata.namespace, name);
    }
  }
}
