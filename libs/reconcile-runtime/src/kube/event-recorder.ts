import type { Logger } from 'pino';
import type { ResourceType } from '@tofu-operator/api-types';
import type { KubeClient } from './kube-client.js';
import type { KubeObject } from './types.js';
import { microTime } from './leader-election.js';
import { TokenBucket } from './token-bucket.js';

const Events: ResourceType = { group: 'events.k8s.io', version: 'v1', plural: 'events', kind: 'Event', namespaced: true };

/**
 * Records Kubernetes Events (events.k8s.io/v1) about objects, shown by `kubectl describe` and
 * `kubectl events`. Best effort: a failed event is logged, never retried, never fails a reconcile.
 * Events have their own small budget (like client-go's event spam filter), so a burst of thousands
 * of objects does not spend the API budget of the reconcilers on events; beyond a backlog of
 * `maxPending`, events are dropped (and counted).
 */
export class EventRecorder {
  private seq = 0;
  private pending = 0;
  private readonly budget = new TokenBucket(10, 50);
  private readonly maxPending = 500;
  /** Events dropped because the backlog was full. */
  dropped = 0;
  constructor(
    private readonly client: KubeClient,
    private readonly controller: string,
    private readonly instance: string,
    private readonly log: Logger,
  ) {}

  record(regarding: KubeObject, type: 'Normal' | 'Warning', reason: string, action: string, note: string): void {
    const ns = regarding.metadata?.namespace ?? 'default';
    const name = regarding.metadata?.name ?? 'unknown';
    const body = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      // client-go's naming: "<object>.<unix nanoseconds in hex>", unique enough and sortable.
      metadata: {
        name: `${name.slice(0, 200)}.${(BigInt(Date.now()) * 1_000_000n + BigInt(++this.seq % 1_000_000)).toString(16)}`,
        namespace: ns,
      },
      eventTime: microTime(new Date()),
      reportingController: this.controller,
      reportingInstance: this.instance,
      action,
      reason,
      type,
      note: note.slice(0, 1024),
      regarding: {
        apiVersion: regarding.apiVersion,
        kind: regarding.kind,
        name,
        namespace: ns,
        uid: regarding.metadata?.uid,
        resourceVersion: regarding.metadata?.resourceVersion,
      },
    };
    if (this.pending >= this.maxPending) {
      this.dropped++;
      return;
    }
    this.pending++;
    this.budget
      .take()
      .then(() => this.client.create(Events, ns, body as KubeObject, { priority: 'low' }))
      .catch((err: unknown) => this.log.warn({ err, reason, namespace: ns, name }, 'could not record event'))
      .finally(() => this.pending--);
  }
}
