import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { TofuExecution, TofuModule, TofuStack } from '@tofu-operator/api-types';
import {
  Controller,
  jsonEqual,
  KubeClient,
  LeaderElector,
  type InformerEvent,
  type Job,
  type KubeObject,
  type Logger,
  type Pod,
} from '@tofu-operator/reconcile-runtime';
import type { OperatorConfig } from '../config/operator-config.js';
import { isTerminal } from '../execution/finished.js';
import { ClusterCache, controllerUid, Index } from '../kube/cluster-cache.js';
import { Leadership } from '../kube/leadership.js';
import { LOGGER, OPERATOR_CONFIG } from '../kube/tokens.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { ExecutionReconciler } from './execution.reconciler.js';
import { ModuleReconciler } from './module.reconciler.js';
import { decidesRun, podDecidesRun } from './run-events.js';
import { StackReconciler } from './stack.reconciler.js';

/** How long shutdown waits for queued status writes. */
const STATUS_FLUSH_TIMEOUT_MS = 10_000;

/** How long Job and Pod changes are collected before their execution is reconciled. */
const RUN_EVENTS_COALESCE_MS = 250;

/** How long owner status updates for progress within one phase of an execution are coalesced. */
const OWNER_STATUS_COALESCE_MS = 1000;

/**
 * Whether an event can matter to the object's own reconciler: not a write of its status alone
 * (which the reconciler itself made). Like controller-runtime's GenerationChanged and
 * AnnotationChanged predicates together.
 */
export function specOrMetaChanged(event: InformerEvent, obj: KubeObject, old: KubeObject | undefined): boolean {
  if (event !== 'update' || !old) return true;
  const a = old.metadata ?? {};
  const b = obj.metadata ?? {};
  return (
    a.generation !== b.generation ||
    !a.deletionTimestamp !== !b.deletionTimestamp ||
    !jsonEqual(a.annotations, b.annotations) ||
    !jsonEqual(a.ownerReferences, b.ownerReferences)
  );
}

/**
 * Starts the caches, campaigns for leadership and runs the three controllers while leading.
 * Informer callbacks only map an event to the keys to reconcile; reconcilers read the caches.
 */
@Injectable()
export class ControllerManager implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly modules: Controller;
  readonly stacks: Controller;
  readonly executions: Controller;
  private elector: LeaderElector | undefined;
  private started = false;

  constructor(
    private readonly cache: ClusterCache,
    private readonly client: KubeClient,
    private readonly moduleReconciler: ModuleReconciler,
    private readonly stackReconciler: StackReconciler,
    private readonly executionReconciler: ExecutionReconciler,
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(OPERATOR_CONFIG) private readonly config: OperatorConfig,
    private readonly leadership: Leadership,
    metrics: MetricsService,
  ) {
    const opts = { concurrency: config.concurrency, observer: metrics.controllerObserver };
    this.modules = new Controller(moduleReconciler, log, opts);
    this.stacks = new Controller(stackReconciler, log, opts);
    this.executions = new Controller(executionReconciler, log, opts);
    metrics.watchControllers({
      isLeader: () => leadership.isLeader,
      queues: {
        [moduleReconciler.kind]: this.modules.queue,
        [stackReconciler.kind]: this.stacks.queue,
        [executionReconciler.kind]: this.executions.queue,
      },
    });
    this.wire(moduleReconciler, stackReconciler);
  }

  private wire(moduleReconciler: ModuleReconciler, stackReconciler: StackReconciler): void {
    const key = (o: { metadata?: { namespace?: string; name?: string } }) => [o.metadata?.namespace, o.metadata?.name] as const;
    this.cache.modules.onEvent((e, m: TofuModule, old) => {
      if (!specOrMetaChanged(e, m, old)) return;
      this.modules.enqueue(...key(m));
      // Stacks follow their module's spec (generation), not its status or annotations.
      const specChanged =
        e !== 'update' ||
        old?.metadata.generation !== m.metadata.generation ||
        !old?.metadata.deletionTimestamp !== !m.metadata.deletionTimestamp;
      if (!specChanged) return;
      for (const s of this.cache.stacks.byIndex(Index.stackModule, `${m.metadata.namespace}/${m.metadata.name}`))
        this.stacks.enqueue(...key(s));
    });
    this.cache.stacks.onEvent((e, s: TofuStack, old) => {
      if (specOrMetaChanged(e, s, old)) this.stacks.enqueue(...key(s));
    });
    this.cache.executions.onEvent((e, x: TofuExecution, old) => {
      if (specOrMetaChanged(e, x, old)) this.executions.enqueue(...key(x));
      // A run that ends (or goes away) lets the next waiting execution of its owner start.
      const ended = e === 'delete' || (x.status?.phase !== old?.status?.phase && isTerminal(x));
      const ownerUid = controllerUid(x);
      if (ended && ownerUid) {
        for (const sibling of this.cache.executions.byIndex(Index.ownerUid, ownerUid)) this.executions.enqueue(...key(sibling));
      }
      moduleReconciler.observed(x);
      stackReconciler.observed(x);
      const owner = x.metadata.ownerReferences?.find((r) => r.controller);
      // Owners mirror their executions: changes within a short window collapse into one status
      // write; a new or finished execution is reflected at once.
      const delay = e === 'update' && old?.status?.phase === x.status?.phase ? OWNER_STATUS_COALESCE_MS : 0;
      if (owner?.kind === 'TofuModule') this.modules.enqueueAfter(x.metadata.namespace, owner.name, delay);
      else if (owner?.kind === 'TofuStack') this.stacks.enqueueAfter(x.metadata.namespace, owner.name, delay);
      else if (!owner && x.spec.stackRef) this.stacks.enqueue(x.metadata.namespace, x.spec.stackRef.name);
      else if (!owner && x.spec.moduleRef) this.modules.enqueue(x.metadata.namespace, x.spec.moduleRef.name);
    });
    // Job and Pod changes reach the execution after a short window, so the bursts of a starting
    // run (Job created, Pod created, scheduled, container created) become one status write; the
    // change that decides the run (finished, failed, deleted) goes at once.
    this.cache.jobs.onEvent((e, j: Job, old?: Job) => {
      const owner = j.metadata?.ownerReferences?.find((r) => r.controller && r.kind === 'TofuExecution');
      const now = e === 'delete' || decidesRun(j, old);
      if (owner) this.executions.enqueueAfter(j.metadata?.namespace, owner.name, now ? 0 : RUN_EVENTS_COALESCE_MS);
    });
    this.cache.pods.onEvent((_e, p: Pod, old?: Pod) => {
      // Pod -> its Job (by owner uid) -> the Job's execution.
      const jobUid = controllerUid(p);
      const job = jobUid ? this.cache.jobs.byIndex(Index.uid, jobUid)[0] : undefined;
      const owner = job?.metadata?.ownerReferences?.find((r) => r.controller && r.kind === 'TofuExecution');
      if (owner) this.executions.enqueueAfter(p.metadata?.namespace, owner.name, podDecidesRun(p, old) ? 0 : RUN_EVENTS_COALESCE_MS);
    });
  }

  onApplicationBootstrap(): void {
    this.cache.start();
    if (this.config.role !== 'all') {
      this.log.info('API-only replica: reconcilers are not started');
      return;
    }
    if (!this.config.leaderElection) {
      this.log.warn('leader election is disabled: run only one replica');
      void this.startControllers();
      return;
    }
    this.elector = new LeaderElector(
      this.client,
      {
        namespace: this.config.leaseNamespace,
        name: this.config.leaseName,
        identity: this.config.identity,
        leaseDurationMs: this.config.leaseDurationMs,
        renewDeadlineMs: this.config.renewDeadlineMs,
        retryPeriodMs: this.config.retryPeriodMs,
      },
      this.log,
    );
    this.elector.run({
      onStarted: () => {
        this.leadership.set(true);
        void this.startControllers();
      },
      onStopped: () => {
        this.leadership.set(false);
        // Another replica may already be reconciling: stop at once, let the orchestrator restart us.
        this.log.fatal('leadership lost; exiting');
        process.exit(1);
      },
    });
  }

  private async startControllers(): Promise<void> {
    await this.cache.waitForSync();
    if (this.started) return;
    this.started = true;
    // Everything already in the cache is reconciled once after a (re)start.
    for (const m of this.cache.modules.list()) this.modules.enqueue(m.metadata.namespace, m.metadata.name);
    for (const s of this.cache.stacks.list()) this.stacks.enqueue(s.metadata.namespace, s.metadata.name);
    for (const x of this.cache.executions.list()) this.executions.enqueue(x.metadata.namespace, x.metadata.name);
    this.executions.start();
    this.modules.start();
    this.stacks.start();
    // Without election this replica leads once its controllers run.
    if (!this.config.leaderElection) this.leadership.set(true);
  }

  async beforeApplicationShutdown(): Promise<void> {
    // Stop taking work and drain in-flight reconciles, then hand the lease over and stop watching.
    await Promise.all([this.modules.stop(), this.stacks.stop(), this.executions.stop()]);
    // Status computed by the last reconciles is written before the lease is handed over.
    const flushed = Promise.all([
      this.moduleReconciler.statuses.idle(),
      this.stackReconciler.statuses.idle(),
      this.executionReconciler.statuses.idle(),
    ]);
    await Promise.race([flushed, new Promise((r) => setTimeout(r, STATUS_FLUSH_TIMEOUT_MS).unref())]);
    await this.elector?.stop();
    this.leadership.set(false);
    await this.cache.stop();
    this.log.info('controllers stopped');
  }
}
