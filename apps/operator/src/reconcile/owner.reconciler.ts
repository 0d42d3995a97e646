import {
  Annotations,
  API_GROUP_VERSION,
  Defaults,
  Labels,
  MANAGED_BY,
  TofuExecutions,
  validateSchema,
  type JSONSchemaProps,
  type ResourceType,
  type TofuExecution,
} from '@tofu-operator/api-types';
import {
  isAlreadyExists,
  isConflict,
  isNotFound,
  StatusWriter,
  type EventRecorder,
  type Logger,
  type KubeClient,
  type Informer,
  type ReconcileContext,
  type ReconcileRequest,
  type ReconcileResult,
  type Reconciler,
} from '@tofu-operator/reconcile-runtime';
import { isTerminal } from '../execution/finished.js';
import { Index, type ClusterCache } from '../kube/cluster-cache.js';
import { Expectations } from './expectations.js';
import { executionNameFor, labelValueFor } from '../execution/naming.js';
import { byNewest, executionsToPrune, ownerStatusFor, triggerOf, type Owner } from './owner-status.js';
import type { ResolvedRun, Unresolved } from './run-resolver.js';

/** How often an owner whose dependency (its module) is missing checks again, besides watch events. */
const DEPENDENCY_RETRY_MS = 30_000;
const CACHE_LAG_MS = 200;

/**
 * The behaviour modules and stacks share: produce one plan execution per trigger (creation, spec
 * change, module change for stacks, re-plan request), never two running at once, keep the history
 * within its limit, and mirror the newest execution into the owner's status.
 */
export abstract class OwnerReconciler<T extends Owner> implements Reconciler {
  abstract readonly kind: 'TofuModule' | 'TofuStack';
  protected abstract readonly resource: ResourceType;
  /** The CRD schema of the spec, to refuse stored objects that do not match it. */
  protected abstract readonly specSchema: JSONSchemaProps;
  protected abstract informer(): Informer<T>;
  /** What this owner runs, or why it cannot. */
  protected abstract resolve(owner: T): ResolvedRun | Unresolved;
  /** The module generation a stack's trigger includes; undefined for modules. */
  protected abstract moduleGeneration(run: ResolvedRun): number | undefined;
  /** moduleRef / stackRef of the executions this owner creates. */
  protected abstract refs(owner: T, run: ResolvedRun): Pick<TofuExecution['spec'], 'moduleRef' | 'stackRef'>;

  private readonly expectations = new Expectations();
  private writer: StatusWriter<T> | undefined;

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
  ) {}

  /** Tells the reconciler the cache has seen an execution (clears a pending expectation). */
  observed(execution: TofuExecution): void {
    const owner = execution.metadata.ownerReferences?.find((r) => r.controller);
    if (owner) this.expectations.observe(owner.uid, execution.metadata.name ?? '');
  }

  async reconcile(req: ReconcileRequest, ctx: ReconcileContext): Promise<ReconcileResult> {
    const owner = this.informer().get(req.namespace, req.name);
    if (!owner || owner.metadata.deletionTimestamp) return; // executions go with it (ownerReferences)
    // Admission validates new objects; one stored before a stricter schema is reported, not acted on.
    // Not retried: fixing the spec is a change, and the change brings it back.
    const violations = validateSchema(owner.spec, this.specSchema, 'spec');
    if (violations.length > 0) {
      const invalid = `the spec does not match the schema: ${violations.map((v) => `${v.path} ${v.message}`).join('; ')}`;
      ctx.log.warn({ violations }, 'invalid spec; not planned');
      this.statuses.submit(owner, (cur) => ownerStatusFor(cur, { invalid, now: new Date() }));
      return undefined;
    }
    const uid = owner.metadata.uid ?? '';
    // Until the cache shows the execution we created last, decisions on it would be stale.
    if (this.expectations.pending(uid)) return { requeueAfterMs: CACHE_LAG_MS };

    const adopted = await this.adoptOrphans(owner, ctx);
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

    const trigger = triggerOf(owner, this.moduleGeneration(resolved));
    const desiredName = executionNameFor(owner.metadata.name ?? '', uid, trigger);
    const existing = executions.find((e) => e.metadata.name === desiredName);
    const handled = owner.status?.lastTrigger === trigger || existing !== undefined;
    const running = executions.filter((e) => !isTerminal(e));
    let created: TofuExecution | undefined;
    let waiting = false;
    if (!handled) {
      if (running.length > 0) {
        waiting = true;
        ctx.log.info({ running: running.map((e) => e.metadata.name) }, 'change arrived during a run; planning when it ends');
      } else {
        created = await this.createExecution(owner, resolved, trigger, desiredName, ctx);
      }
    }
    if (created) {
      // The new execution's ADDED event brings this owner back (expectations hold it until then);
      // that reconcile writes the status, so the critical path to the Job has one write, not two.
      return undefined;
    }
    const last = executions.sort(byNewest)[0];
    const requestedAt = owner.metadata.annotations?.[Annotations.requestedAt];

    this.statuses.submit(owner, (cur) =>
      ownerStatusFor(cur, {
        last,
        waiting,
        handledTrigger: existing ? trigger : undefined,
        handledRequestedAt: existing && requestedAt ? requestedAt : undefined,
        now,
      }),
    );
    await this.pruneHistory(owner, executions, last?.metadata.name, ctx);
    return undefined;
  }

  private async createExecution(owner: T, run: ResolvedRun, trigger: string, name: string, ctx: ReconcileContext): Promise<TofuExecution> {
    const refs = this.refs(owner, run);
    const labels: Record<string, string> = { [Labels.managedBy]: MANAGED_BY, [Labels.partOf]: 'tofu-operator' };
    if (refs.moduleRef) labels[Labels.module] = labelValueFor(refs.moduleRef.name);
    if (refs.stackRef) labels[Labels.stack] = labelValueFor(refs.stackRef.name);
    const body: TofuExecution = {
      apiVersion: API_GROUP_VERSION,
      kind: 'TofuExecution',
      metadata: {
        name,
        namespace: owner.metadata.namespace,
        labels,
        annotations: { [Annotations.trigger]: trigger, [Annotations.createdAt]: new Date().toISOString() },
        ownerReferences: [
          {
            apiVersion: API_GROUP_VERSION,
            kind: this.kind,
            name: owner.metadata.name ?? '',
            uid: owner.metadata.uid ?? '',
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: { action: 'plan', ...refs, source: run.source, executionTemplate: run.template },
    };
    this.expectations.expect(owner.metadata.uid ?? '', name);
    try {
      const created = await this.client.create<TofuExecution>(TofuExecutions, owner.metadata.namespace, body);
      this.cache.executions.observeCreate(created);
      ctx.log.info({ execution: name, trigger }, 'created execution');
      this.events.record(owner, 'Normal', 'ExecutionCreated', 'Plan', `Created TofuExecution ${name} (${trigger})`);
      return created;
    } catch (err) {
      if (!isAlreadyExists(err)) {
        this.expectations.observe(owner.metadata.uid ?? '', name);
        throw err;
      }
      // Created by an earlier reconcile whose status write did not land: not a duplicate.
      return this.client.get<TofuExecution>(TofuExecutions, owner.metadata.namespace, name);
    }
  }

  /** Executions a user created for this owner (moduleRef/stackRef, no owner) become its children. */
  private async adoptOrphans(owner: T, ctx: ReconcileContext): Promise<TofuExecution[]> {
    const adopted: TofuExecution[] = [];
    const orphans = this.cache.executions.byIndex(Index.orphanRef, `${owner.metadata.namespace}/${this.kind}/${owner.metadata.name}`);
    for (const e of orphans) {
      try {
        const patched = await this.client.mergePatch<TofuExecution>(TofuExecutions, e.metadata.namespace, e.metadata.name ?? '', {
          metadata: {
            resourceVersion: e.metadata.resourceVersion,
            annotations: { [Annotations.createdAt]: e.metadata.annotations?.[Annotations.createdAt] ?? new Date().toISOString() },
            ownerReferences: [
              ...(e.metadata.ownerReferences ?? []),
              {
                apiVersion: API_GROUP_VERSION,
                kind: this.kind,
                name: owner.metadata.name,
                uid: owner.metadata.uid,
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          },
        });
        adopted.push(patched);
        ctx.log.info({ execution: e.metadata.name }, 'adopted execution');
      } catch (err) {
        // A conflict or a deleted object: the next event brings the current state.
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
    }
    return adopted;
  }

  private async pruneHistory(owner: T, executions: TofuExecution[], keep: string | undefined, ctx: ReconcileContext): Promise<void> {
    const limit = owner.spec.historyLimit ?? Defaults.historyLimit;
    for (const e of executionsToPrune(executions, limit, keep)) {
      try {
        await this.client.delete(TofuExecutions, e.metadata.namespace, e.metadata.name ?? '', {
          propagationPolicy: 'Background',
          preconditions: { uid: e.metadata.uid },
        });
        ctx.log.info({ execution: e.metadata.name, historyLimit: limit }, 'deleted execution beyond the history limit');
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }
}
