import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { Controller, KubeClient, LeaderElector, type Logger } from '@tofu-operator/reconcile-runtime';
import type { OperatorConfig } from '../config/operator-config.js';
import { ClusterCache } from '../kube/cluster-cache.js';
import { Leadership } from '../kube/leadership.js';
import { LOGGER, OPERATOR_CONFIG } from '../kube/tokens.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { ExecutionReconciler } from './execution.reconciler.js';
import { ModuleReconciler } from './module.reconciler.js';
import { StackReconciler } from './stack.reconciler.js';
import type { Queues } from './watches.js';

/** How long shutdown waits for queued status writes. */
const STATUS_FLUSH_TIMEOUT_MS = 10_000;

/**
 * The lifecycle of the controllers (controller-runtime's manager): starts the caches, campaigns for
 * leadership, runs the three controllers while leading, and on shutdown drains them, flushes their
 * status writes and hands the lease over. What each reconciler watches, it declares itself
 * (setupWatches).
 */
@Injectable()
export class ControllerManager implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly queues: Queues;
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
    this.queues = {
      modules: new Controller(moduleReconciler, log, opts),
      stacks: new Controller(stackReconciler, log, opts),
      executions: new Controller(executionReconciler, log, opts),
    };
    metrics.watchControllers({
      isLeader: () => leadership.isLeader,
      queues: {
        [moduleReconciler.kind]: this.queues.modules.queue,
        [stackReconciler.kind]: this.queues.stacks.queue,
        [executionReconciler.kind]: this.queues.executions.queue,
      },
    });
    // Before the caches start (onApplicationBootstrap): indexes must exist before the first list.
    for (const reconciler of [moduleReconciler, stackReconciler, executionReconciler]) reconciler.setupWatches(this.queues);
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
    const { modules, stacks, executions } = this.queues;
    // Everything already in the cache is reconciled once after a (re)start.
    for (const m of this.cache.modules.list()) modules.enqueue(m.metadata.namespace, m.metadata.name);
    for (const s of this.cache.stacks.list()) stacks.enqueue(s.metadata.namespace, s.metadata.name);
    for (const x of this.cache.executions.list()) executions.enqueue(x.metadata.namespace, x.metadata.name);
    executions.start();
    modules.start();
    stacks.start();
    // Without election this replica leads once its controllers run.
    if (!this.config.leaderElection) this.leadership.set(true);
  }

  async beforeApplicationShutdown(): Promise<void> {
    const { modules, stacks, executions } = this.queues;
    // Stop taking work and drain in-flight reconciles, then hand the lease over and stop watching.
    await Promise.all([modules.stop(), stacks.stop(), executions.stop()]);
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
