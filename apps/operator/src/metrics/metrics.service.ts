import { Inject, Injectable, Optional } from '@nestjs/common';
import { ServerEvents, type ServerToClientEvents } from '@tofu-operator/api-contracts';
import { namespaceOf } from '@tofu-operator/api-types';
import { KubeClient, type ControllerObserver, type Informer, type KubeObject, type WorkQueueStats } from '@tofu-operator/reconcile-runtime';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ClusterCache } from '../kube/cluster-cache.js';
import { isTerminal } from '../execution/finished.js';
import { REVIEW_CLIENT } from '../kube/tokens.js';
import { driftMetrics, type DriftCheckResult } from './drift-metrics.js';
import { kubeRequestMetrics } from './kube-request-metrics.js';
import { controllerLabel, countExecutionsByPhase } from './metric-labels.js';

/** Every metric of the operator's own starts with this; the process and Node.js metrics keep their standard names. */
export const METRICS_PREFIX = 'tofu_operator_';

/** Reconciles take milliseconds; a slow API server or a long list pushes them to seconds. */
const RECONCILE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Near zero while workers are idle, up to minutes when a burst outnumbers them. */
const QUEUE_WAIT_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
/** Reads come from the cache; writes and access reviews go to the API server. */
const HTTP_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** What the controller manager lets the metrics read at scrape time. */
export interface ControllerSource {
  /** Whether this replica leads (and so runs the reconcilers). */
  isLeader(): boolean;
  /** The work queue of each controller, by the kind of its reconciler. */
  queues: Record<string, { stats(): WorkQueueStats }>;
}

/** Kinds of websocket subscriptions, as the gateway counts them. */
export type WebsocketSubscriptionType = 'namespace' | 'execution';

/** Events the server emits to websocket clients (the contracts' ServerToClientEvents). */
export type WebsocketEvent = keyof ServerToClientEvents;

type QueueGauge = 'workqueue_depth' | 'workqueue_in_flight' | 'workqueue_delayed';

/**
 * The operator's Prometheus metrics, in a registry of their own (not prom-client's global one, so
 * nothing else in the process can register into or collide with it). Events (reconciles, requests,
 * websocket traffic) are counted as they happen; state (queue depth, executions by phase, leadership,
 * cache sync) is read at scrape time, so it never drifts from what it describes.
 */
@Injectable()
export class MetricsService {
  /** The registry GET /metrics serves. */
  readonly registry = new Registry();

  /**
   * Hand this to each Controller (ControllerOptions.observer): it counts reconciles by result, times
   * them, and times how long keys waited in the work queue.
   */
  readonly controllerObserver: ControllerObserver;

  private controllers: ControllerSource | undefined;
  private readonly reconciles: Counter<'controller' | 'result'>;
  private readonly retries: Counter<'controller'>;
  private readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  private readonly httpDuration: Histogram<'method' | 'route'>;
  private readonly websocketConnections: Gauge;
  private readonly websocketSubscriptions: Gauge<'type'>;
  private readonly websocketMessages: Counter<'event'>;
  private readonly logUpstreamStreams: Gauge;
  private readonly driftChecks: Counter<'result'>;

  constructor(cache: ClusterCache, @Optional() client?: KubeClient, @Optional() @Inject(REVIEW_CLIENT) review?: KubeClient) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    const controllers = () => this.controllers;

    // Reconciles and their queues.
    this.reconciles = new Counter({
      name: `${METRICS_PREFIX}reconcile_total`,
      help: 'Reconciles by controller and result: success; requeue (done, asked to run again later); error (retried with backoff).',
      labelNames: ['controller', 'result'],
      registers,
    });
    const reconcileDuration = new Histogram({
      name: `${METRICS_PREFIX}reconcile_duration_seconds`,
      help: 'Time one reconcile took, by controller.',
      labelNames: ['controller'],
      buckets: RECONCILE_BUCKETS,
      registers,
    });
    const queueWait = new Histogram({
      name: `${METRICS_PREFIX}workqueue_wait_seconds`,
      help: 'Time a key waited in the work queue before a worker took it, by controller.',
      labelNames: ['controller'],
      buckets: QUEUE_WAIT_BUCKETS,
      registers,
    });
    this.retries = new Counter({
      name: `${METRICS_PREFIX}workqueue_retries_total`,
      help: 'Keys put back into the work queue with backoff after a failed reconcile, by controller.',
      labelNames: ['controller'],
      registers,
    });
    const queueGauge = (name: QueueGauge, help: string, pick: (s: WorkQueueStats) => number) =>
      new Gauge({
        name: `${METRICS_PREFIX}${name}`,
        help,
        labelNames: ['controller'],
        registers,
        collect() {
          for (const [kind, queue] of Object.entries(controllers()?.queues ?? {}))
            this.set({ controller: controllerLabel(kind) }, pick(queue.stats()));
        },
      });
    queueGauge('workqueue_depth', 'Keys waiting in the work queue for a worker, by controller.', (s) => s.depth);
    queueGauge('workqueue_in_flight', 'Keys being reconciled right now, by controller.', (s) => s.processing);
    queueGauge(
      'workqueue_delayed',
      'Keys due to re-enter the work queue later (retry backoff or a requested requeue), by controller.',
      (s) => s.waitingForRetry,
    );
    this.controllerObserver = {
      reconciled: (kind, result, durationMs) => {
        const controller = controllerLabel(kind);
        this.reconciles.inc({ controller, result });
        reconcileDuration.observe({ controller }, durationMs / 1000);
        // A failed reconcile is always re-added with its key's backoff (see Controller.process).
        if (result === 'error') this.retries.inc({ controller });
      },
      queueWait: (kind, waitedMs) => queueWait.observe({ controller: controllerLabel(kind) }, waitedMs / 1000),
    };

    // State read from the caches and the controller manager at scrape time.
    new Gauge({
      name: `${METRICS_PREFIX}leader`,
      help: '1 while this replica holds the leader Lease and runs the reconcilers, else 0.',
      registers,
      collect() {
        this.set(controllers()?.isLeader() ? 1 : 0);
      },
    });
    new Gauge({
      name: `${METRICS_PREFIX}executions`,
      help: 'TofuExecutions in the cache by namespace and phase (Unknown: no status yet or an unrecognised phase).',
      labelNames: ['namespace', 'phase'],
      registers,
      collect() {
        // Series of namespaces whose executions are gone must disappear, not keep their last value.
        this.reset();
        // A partial first list would read as executions vanishing: report nothing until it is complete.
        if (!cache.executions.hasSynced) return;
        for (const { namespace, phase, count } of countExecutionsByPhase(cache.executions.list())) this.set({ namespace, phase }, count);
      },
    });
    // The run queue (docs/guides/run-queue.md), as the executions' status shows it.
    new Gauge({
      name: `${METRICS_PREFIX}runs_running`,
      help: 'Runs going: unfinished executions whose Job was created (they hold a slot of TOFU_OPERATOR_MAX_CONCURRENT_RUNS).',
      registers,
      collect() {
        this.set(cache.executions.list().filter((x) => x.status?.jobName && !isTerminal(x)).length);
      },
    });
    new Gauge({
      name: `${METRICS_PREFIX}runs_queued`,
      help: 'Runs waiting in the run queue for a free slot (status.queue), by namespace.',
      labelNames: ['namespace'],
      registers,
      collect() {
        // Namespaces whose queue emptied drop their series.
        this.reset();
        const queued = new Map<string, number>();
        for (const x of cache.executions.list())
          if (x.status?.queue && !isTerminal(x)) queued.set(namespaceOf(x), (queued.get(namespaceOf(x)) ?? 0) + 1);
        for (const [namespace, count] of queued) this.set({ namespace }, count);
      },
    });
    const informers = (): Informer<KubeObject>[] =>
      [cache.modules, cache.stacks, cache.executions, cache.jobs, cache.pods] as unknown as Informer<KubeObject>[];
    new Gauge({
      name: `${METRICS_PREFIX}informer_synced`,
      help: '1 once the informer cache of a resource has finished its first list, else 0.',
      labelNames: ['resource'],
      registers,
      collect() {
        for (const i of informers()) this.set({ resource: i.resource.plural }, i.hasSynced ? 1 : 0);
      },
    });
    const restartsSeen = new Map<string, number>();
    new Counter({
      name: `${METRICS_PREFIX}informer_restarts_total`,
      help: 'Times the list+watch loop of an informer restarted after an error, by resource.',
      labelNames: ['resource'],
      registers,
      collect() {
        // The informer keeps the running total; the counter advances by what happened since the last scrape.
        for (const i of informers()) {
          const resource = i.resource.plural;
          this.inc({ resource }, i.restarts - (restartsSeen.get(resource) ?? 0));
          restartsSeen.set(resource, i.restarts);
        }
      },
    });

    // The REST API (HttpMetricsMiddleware).
    this.httpRequests = new Counter({
      name: `${METRICS_PREFIX}http_requests_total`,
      help: 'HTTP requests answered, by method, route template and status code (refusals by the guard included).',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: `${METRICS_PREFIX}http_request_duration_seconds`,
      help: 'Time from receiving an HTTP request to finishing its answer, by method and route template.',
      labelNames: ['method', 'route'],
      buckets: HTTP_BUCKETS,
      registers,
    });

    // The websocket gateway.
    this.websocketConnections = new Gauge({
      name: `${METRICS_PREFIX}websocket_connections`,
      help: 'Open websocket (socket.io) connections.',
      registers,
    });
    this.websocketSubscriptions = new Gauge({
      name: `${METRICS_PREFIX}websocket_subscriptions`,
      help: 'Subscriptions held by websocket clients, by type (namespace, execution).',
      labelNames: ['type'],
      registers,
    });
    for (const type of ['namespace', 'execution'] satisfies WebsocketSubscriptionType[]) this.websocketSubscriptions.set({ type }, 0);
    this.websocketMessages = new Counter({
      name: `${METRICS_PREFIX}websocket_messages_total`,
      help: 'Messages the server emitted to websocket clients, by event.',
      labelNames: ['event'],
      registers,
    });
    for (const event of Object.values(ServerEvents)) this.websocketMessages.inc({ event }, 0);
    this.logUpstreamStreams = new Gauge({
      name: `${METRICS_PREFIX}log_upstreams`,
      help: 'Open log streams from the Kubernetes API server (runner pod logs being followed).',
      registers,
    });
    this.driftChecks = driftMetrics(METRICS_PREFIX, registers, cache);
    kubeRequestMetrics(METRICS_PREFIX, registers, { reconcile: client, review });
  }

  /** A drift check finished (the owner reconcilers count each once). */
  driftChecked(result: DriftCheckResult): void {
    this.driftChecks.inc({ result });
  }

  /** Lets scrapes read the controllers' work queues and the leadership; the controller manager calls this once. */
  watchControllers(source: ControllerSource): void {
    this.controllers = source;
    // Counters start at 0 for every controller, so rate() and alerts see them before the first failure.
    for (const kind of Object.keys(source.queues)) {
      const controller = controllerLabel(kind);
      for (const result of ['success', 'requeue', 'error'] as const) this.reconciles.inc({ controller, result }, 0);
      this.retries.inc({ controller }, 0);
    }
  }

  /** Counts one answered HTTP request; `route` is the route template, never the URL. */
  httpRequest(method: string, route: string, status: number, durationSeconds: number): void {
    this.httpRequests.inc({ method, route, status: String(status) });
    this.httpDuration.observe({ method, route }, durationSeconds);
  }

  /** A websocket client connected (after authentication). */
  wsConnected(): void {
    this.websocketConnections.inc();
  }

  /** A websocket client disconnected. Call once per wsConnected(). */
  wsDisconnected(): void {
    this.websocketConnections.dec();
  }

  /** Subscriptions of `type` were added (delta > 0) or released (delta < 0), including on disconnect. */
  wsSubscriptions(type: WebsocketSubscriptionType, delta: number): void {
    this.websocketSubscriptions.inc({ type }, delta);
  }

  /**
   * The server emitted `event` to `n` clients: one per socket it reaches, so a broadcast to a room
   * counts the room's size (`io.sockets.adapter.rooms.get(room)?.size ?? 0`).
   */
  wsEmitted(event: WebsocketEvent, n = 1): void {
    this.websocketMessages.inc({ event }, n);
  }

  /** The number of open upstream log streams (LogHub keeps the count). */
  setLogUpstreams(count: number): void {
    this.logUpstreamStreams.set(count);
  }

  /** The metrics in the Prometheus text format. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }
}
