// The part of the owner reconciler that is not a decision: what a module or stack reconciler
// provides (the abstract members), the writers it uses, the cache events that bring an owner back,
// and the plan executions it creates. owner.reconciler.ts decides what to create and report.
import {
  ConditionType,
  controllerOf,
  controllerUid,
  namespaceOf,
  type JSONSchemaProps,
  type ResourceType,
  type TofuExecution,
} from '@tofu-operator/api-types';
import {
  StatusWriter,
  type Controller,
  type EventRecorder,
  type Logger,
  type KubeClient,
  type Informer,
  type ReconcileContext,
} from '@tofu-operator/reconcile-runtime';
import type { ClusterCache } from '../kube/cluster-cache.js';
import type { MetricsService } from '../metrics/metrics.service.js';
import type { PlanStore } from '../runner-api/plan-store.service.js';
import type { StateStore } from '../runner-api/state-store.service.js';
import type { SourceSubscriber, SourceView } from '../source/source-view.js';
import { OWNER_STATUS_COALESCE_MS } from './delays.js';
import { DriftChecks } from './drift-checks.js';
import { planExecutionBody, type PlanExecutionInput } from './owner-execution.js';
import { inputObjectKeys, type InputsGate } from './owner-inputs.js';
import { type OwnerOutputs } from './owner-outputs-sync.js';
import { OwnerRuns } from './owner-runs.js';
import { shortCommit } from './owner-source.js';
import type { Owner } from './owner-status.js';
import type { PlanTrigger } from './owner-triggers.js';
import { OwnerFinalizer } from './owner-finalizer.js';
import { PlanApprovals } from './plan-approvals.js';
import type { ResolvedRun, Unresolved } from './run-resolver.js';
import { onInputObjectChange, specOrMetaChanged, type Queues, type WatchingReconciler } from './watches.js';

/** What modules and stacks provide to the shared owner reconciler, and the writes it makes with them. */
export abstract class OwnerReconcilerBase<T extends Owner> implements Omit<WatchingReconciler, 'reconcile'> {
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

  protected readonly runs: OwnerRuns;
  protected readonly drift: DriftChecks;
  private writer: StatusWriter<T> | undefined;
  protected readonly approvals: PlanApprovals;
  private finalizerWriter: OwnerFinalizer | undefined;

  /** The destroy finalizer's writes (made on first use: the resource is known after construction). */
  protected get finalizer(): OwnerFinalizer {
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
    protected readonly outputs: OwnerOutputs,
    /** The source poller (issue 13); without it nothing is polled. */
    protected readonly sources?: SourceView,
    plans?: PlanStore,
    metrics?: MetricsService,
  ) {
    this.approvals = new PlanApprovals(client, cache, events);
    this.runs = new OwnerRuns(client, cache, events);
    this.drift = new DriftChecks(plans, events, metrics);
  }

  protected subscriber(namespace: string, name: string): SourceSubscriber {
    return { kind: this.kind, namespace, name };
  }

  /** Owners of this kind by the "namespace/Kind/name" of the ConfigMaps and Secrets their varsFrom names. */
  private get inputsIndex(): string {
    return `inputs:${this.kind}`;
  }

  /** Executions without a controller owner, by "namespace/name" of the owner of this kind they name. */
  protected get orphanIndex(): string {
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
    // A new commit (or a poll failure) of the source: its subscribers of this kind reconcile.
    this.sources?.onChange((subscribers) => {
      for (const s of subscribers) if (s.kind === this.kind) own.enqueue(s.namespace, s.name);
    });
    this.cache.executions.onEvent((e, x, old) => {
      this.runs.observed(x);
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

  /** An Event when the owner becomes blocked, or blocked for another reason (not at every reconcile). */
  protected reportBlocked(owner: T, blocked: NonNullable<InputsGate['blocked']>, ctx: ReconcileContext): void {
    const ready = owner.status?.conditions?.find((c) => c.type === ConditionType.Ready);
    if (ready?.reason === blocked.reason && ready.message === blocked.message) return;
    ctx.log.info({ reason: blocked.reason }, 'not planned: inputs or dependencies');
    this.events.record(owner, blocked.pending ? 'Normal' : 'Warning', blocked.reason, 'Plan', blocked.message);
  }

  /** Creates the plan a trigger asks for; `planned`: the commit planned last, for the NewCommit Event. */
  protected async createPlan(
    owner: T,
    run: ResolvedRun,
    due: PlanTrigger,
    ctx: ReconcileContext,
    planned?: string,
    extra: Pick<PlanExecutionInput, 'purpose' | 'annotations'> = {},
  ): Promise<TofuExecution> {
    const { trigger, name, destroy, commit } = due;
    const refs = this.refs(owner, run);
    const now = new Date();
    const body = planExecutionBody({
      kind: this.kind,
      owner,
      run,
      refs,
      trigger,
      name,
      destroy,
      now,
      ...(commit ? { commit } : {}),
      ...extra,
    });
    const what = destroy ? 'destroy plan' : extra.purpose === 'DriftCheck' ? 'drift check' : 'TofuExecution';
    const created = await this.runs.create(owner, body, what, ctx);
    if (commit && planned && !extra.purpose) {
      const at = run.source.revision || 'the default branch';
      this.events.record(
        owner,
        'Normal',
        'NewCommit',
        'Plan',
        `new commit ${shortCommit(commit)} on ${at} (was ${shortCommit(planned)}): ${name} plans it`,
      );
    }
    return created;
  }
}
