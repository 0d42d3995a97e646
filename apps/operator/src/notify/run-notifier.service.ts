// The run notifier (issue 13, docs/guides/notifications.md): watches the shared caches while this
// replica leads and, for each transition an update shows (run started, succeeded, failed, a plan
// waiting for approval, drift found), records an aggregated Event on the module or stack and queues
// a webhook notification when the owner asks for one. Only updates count, never the first list, so
// a restart or a new leader sends nothing again for what happened before it watched; what happens
// while no replica leads is not notified.
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { controllerOf, type NotificationEventName, type TofuExecution, type TofuModule, type TofuStack } from '@tofu-operator/api-types';
import {
  isNotFound,
  KubeApiError,
  KubeClient,
  systemClock,
  TokenBucket,
  type InformerEvent,
  type KubeObject,
  type Logger,
} from '@tofu-operator/reconcile-runtime';
import { Counter } from 'prom-client';
import type { OperatorConfig } from '../config/operator-config.js';
import { ClusterCache } from '../kube/cluster-cache.js';
import { Leadership } from '../kube/leadership.js';
import { LOGGER, OPERATOR_CONFIG } from '../kube/tokens.js';
import { METRICS_PREFIX, MetricsService } from '../metrics/metrics.service.js';
import { AggregatedEvents } from './aggregated-events.js';
import { DeliveryQueue, type DeliveryResult } from './delivery-queue.js';
import { eventNote } from './event-notes.js';
import { notificationBody } from './notification-body.js';
import { EVENTS_RECORDED_ELSEWHERE, effectiveNotifications, executionTransitions, ownerTransitions, webhookWanted } from './transitions.js';
import { webhookDelivery, type WebhookIo } from './webhook-delivery.js';
import { postNotification } from './webhook-post.js';
import { CoreEvents, NotifySecrets } from './resources.js';

/** Reason of the Warning Event on an owner whose notification could not be sent. */
export const NOTIFICATION_FAILED = 'NotificationFailed';
/** Waits before the 2nd to 5th attempt of a notification. */
export const RETRY_DELAYS_MS = [1_000, 4_000, 16_000, 64_000] as const;
/** Deadline of one attempt (connect, send, answer). */
export const ATTEMPT_TIMEOUT_MS = 5_000;
/** Notifications waiting at most; beyond, the oldest is dropped (tofu_operator_notifications_total{result="dropped"}). */
export const QUEUE_CAPACITY = 1_000;

type Owner = TofuModule | TofuStack;

@Injectable()
export class RunNotifier implements OnModuleInit, OnApplicationShutdown {
  private readonly events: AggregatedEvents;
  private readonly queue: DeliveryQueue;
  private readonly results: Counter<'result'>;
  private readonly io: WebhookIo;
  /** Set at shutdown: what is dropped then is counted and logged, not recorded as Events. */
  private stopping = false;

  constructor(
    private readonly cache: ClusterCache,
    private readonly leadership: Leadership,
    private readonly client: KubeClient,
    @Inject(OPERATOR_CONFIG) private readonly config: OperatorConfig,
    @Inject(LOGGER) private readonly log: Logger,
    metrics: MetricsService,
  ) {
    // Events have their own small budget (like the EventRecorder's), on top of the client's low priority.
    const budget = new TokenBucket(10, 50);
    this.events = new AggregatedEvents(
      {
        create: (ns, event) => budget.take(undefined, 'low').then(() => client.create(CoreEvents, ns, event, { priority: 'low' })),
        patch: (ns, name, patch) =>
          budget.take(undefined, 'low').then(() => client.mergePatch(CoreEvents, ns, name, patch, { priority: 'low' })),
      },
      { component: 'tofu-operator.io/operator', instance: config.identity, clock: systemClock, log, isNotFound },
    );
    this.queue = new DeliveryQueue({ capacity: QUEUE_CAPACITY, concurrency: 4, retryDelaysMs: RETRY_DELAYS_MS, clock: systemClock });
    this.results = new Counter({
      name: `${METRICS_PREFIX}notifications_total`,
      help: 'Webhook notifications by result: sent; failed (refused, or not sent after the retries); dropped (the queue was full).',
      labelNames: ['result'],
      registers: [metrics.registry],
    });
    for (const result of ['sent', 'failed', 'dropped']) this.results.labels(result).inc(0);
    this.io = {
      readSecret: (ns, name) => this.readSecret(ns, name),
      isRetryable: (err) => !(err instanceof KubeApiError) || err.code === 429 || err.code >= 500,
      post: (url, body, headers) =>
        postNotification(url, body, { allowLoopback: this.config.notifyAllowLoopback, timeoutMs: ATTEMPT_TIMEOUT_MS, headers }),
    };
  }

  onModuleInit(): void {
    this.cache.executions.onEvent((event, obj, old) => this.onExecution(event, obj, old));
    this.cache.modules.onEvent((event, obj, old) => this.onOwner(event, obj, old));
    this.cache.stacks.onEvent((event, obj, old) => this.onOwner(event, obj, old));
  }

  onApplicationShutdown(): void {
    this.stopping = true;
    this.queue.stop();
  }

  private onExecution(event: InformerEvent, now: TofuExecution, old: TofuExecution | undefined): void {
    if (event !== 'update' || !old || !this.leadership.isLeader) return;
    const transitions = executionTransitions(old, now);
    if (transitions.length === 0) return;
    const owner = this.ownerOf(now);
    if (!owner) return;
    for (const t of transitions) this.notify(t, owner, now);
  }

  private onOwner(event: InformerEvent, now: Owner, old: Owner | undefined): void {
    if (event !== 'update' || !old || !this.leadership.isLeader) return;
    const check = now.status?.drift?.lastCheckExecution;
    const execution = check ? this.cache.executions.get(now.metadata.namespace, check) : undefined;
    for (const t of ownerTransitions(old, now)) this.notify(t, now, execution);
  }

  /** The module or stack an execution belongs to: its controller, else the stack or module it names. */
  private ownerOf(execution: TofuExecution): Owner | undefined {
    const ns = execution.metadata.namespace;
    const ref = controllerOf(execution);
    if (ref?.kind === 'TofuStack') return this.cache.stacks.get(ns, ref.name);
    if (ref?.kind === 'TofuModule') return this.cache.modules.get(ns, ref.name);
    if (ref) return undefined;
    if (execution.spec.stackRef) return this.cache.stacks.get(ns, execution.spec.stackRef.name);
    return execution.spec.moduleRef ? this.cache.modules.get(ns, execution.spec.moduleRef.name) : undefined;
  }

  private notify(event: NotificationEventName, owner: Owner, execution: TofuExecution | undefined): void {
    if (!EVENTS_RECORDED_ELSEWHERE.has(event)) {
      const note = eventNote(event, owner, execution);
      this.events.record(owner, note.type, event, note.message);
    }
    const ns = owner.metadata.namespace ?? '';
    const module = owner.kind === 'TofuStack' ? this.cache.modules.get(ns, owner.spec.moduleRef.name) : undefined;
    const settings = effectiveNotifications(owner, module);
    if (!settings || !webhookWanted(settings, event, execution)) return;
    const target = { namespace: ns, secretName: settings.webhookSecretRef.name, key: settings.webhookSecretRef.key || 'url' };
    const body = JSON.stringify(notificationBody(event, owner, execution, new Date(), this.config.dashboardUrl));
    const fields = { event, kind: owner.kind, namespace: ns, name: owner.metadata.name, execution: execution?.metadata.name };
    this.queue.push(
      webhookDelivery(target, body, this.io, (result, problem, host) => this.settled(result, problem, host, owner, event, fields)),
    );
  }

  private settled(
    result: DeliveryResult,
    problem: string | undefined,
    host: string | undefined,
    owner: Owner,
    event: NotificationEventName,
    fields: Record<string, unknown>,
  ): void {
    this.results.labels(result).inc();
    if (result === 'sent') {
      this.log.debug({ ...fields, host }, 'notification sent');
      return;
    }
    this.log.warn({ ...fields, host, result, problem }, 'notification not sent');
    if (this.stopping) return;
    const what = result === 'dropped' ? 'dropped' : 'not sent';
    this.events.record(owner, 'Warning', NOTIFICATION_FAILED, `the ${event} notification was ${what}: ${problem ?? ''}`);
  }

  /** The Secret's data decoded, undefined when it does not exist. The values stay in this call chain. */
  private async readSecret(namespace: string, name: string): Promise<Record<string, string> | undefined> {
    try {
      const secret = await this.client.get<KubeObject & { data?: Record<string, string> }>(NotifySecrets, namespace, name, {
        priority: 'low',
      });
      return Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}
