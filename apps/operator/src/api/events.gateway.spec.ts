import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ClientEvents, type SubscribeAck } from '@tofu-operator/api-contracts';
import type { HttpAdapterHost } from '@nestjs/core';
import type { Logger } from '@tofu-operator/reconcile-runtime';
import type { OperatorConfig } from '../config/operator-config.js';
import type { ClusterCache } from '../kube/cluster-cache.js';
import type { LogHub } from '../logs/log-hub.service.js';
import type { MetricsService } from '../metrics/metrics.service.js';
import type { AccessReviewService } from '../http/access-review.service.js';
import { ApiError } from '../http/errors.js';
import { EventsGateway, originAllowed } from './events.gateway.js';

/** Client events that need no permission: leaving a subscription. Everything else must be reviewed. */
const WITHOUT_PERMISSION = new Set<string>([ClientEvents.unsubscribeNamespace, ClientEvents.unsubscribeExecution]);

/** A valid payload for each client event (a new event without one fails the table below). */
const PAYLOADS: Record<string, unknown> = {
  [ClientEvents.subscribeNamespace]: { namespace: 'team-a' },
  [ClientEvents.unsubscribeNamespace]: { namespace: 'team-a' },
  [ClientEvents.subscribeExecution]: { namespace: 'team-a', name: 'x' },
  [ClientEvents.unsubscribeExecution]: { namespace: 'team-a', name: 'x' },
};

function gatewayDenyingAll(reviewed: string[]): EventsGateway {
  const informer = { onEvent: () => undefined, get: () => ({ metadata: { name: 'x', namespace: 'team-a' } }) };
  const cache = { modules: informer, stacks: informer, executions: informer } as unknown as ClusterCache;
  const reviews = {
    authorize: (_u: unknown, req: { verb: string }) => {
      reviewed.push(req.verb);
      return Promise.reject(new ApiError(403, 'Forbidden', 'denied'));
    },
  } as unknown as AccessReviewService;
  const hub = { subscribe: () => ({ close: () => undefined }) } as unknown as LogHub;
  const metrics = {
    wsConnected: () => undefined,
    wsSubscriptions: () => undefined,
    wsEmitted: () => undefined,
  } as unknown as MetricsService;
  const log = { warn: () => undefined, error: () => undefined } as unknown as Logger;
  return new EventsGateway({} as HttpAdapterHost, cache, reviews, hub, metrics, {} as OperatorConfig, log);
}

/** The handlers the gateway registers on a connection, by event name. */
function handlers(gateway: EventsGateway): Map<string, (payload: unknown, ack: (a: SubscribeAck) => void) => void> {
  const on = new Map<string, (payload: unknown, ack: (a: SubscribeAck) => void) => void>();
  const socket = {
    data: { user: { username: 'u' }, logs: new Map(), subscriptions: new Set() },
    on: (event: string, fn: (payload: unknown, ack: (a: SubscribeAck) => void) => void) => on.set(event, fn),
    join: () => Promise.resolve(),
    leave: () => Promise.resolve(),
    emit: () => true,
  };
  gateway['connected'](socket as never);
  return on;
}

describe('EventsGateway', () => {
  it('every client event is either reviewed (refused when the reviewer denies) or explicitly permission-free', async () => {
    const reviewed: string[] = [];
    const on = handlers(gatewayDenyingAll(reviewed));
    for (const event of Object.values(ClientEvents)) {
      const handler = on.get(event);
      assert.ok(handler, `${event} has a handler`);
      assert.ok(event in PAYLOADS, `${event} has a payload in this table`);
      const before = reviewed.length;
      const ack = await new Promise<SubscribeAck>((resolve) => handler(PAYLOADS[event], resolve));
      if (WITHOUT_PERMISSION.has(event)) {
        assert.deepEqual(ack, { ok: true }, event);
      } else {
        assert.ok(!ack.ok && ack.error.status === 403, `${event} must be refused when the review denies it`);
        assert.ok(reviewed.length > before, `${event} asked for a review`);
      }
    }
  });
});

describe('EventsGateway resource events', () => {
  it("forwards a stack's outputs, outputsInfo and DependenciesReady as the cached object, adding nothing", () => {
    const callbacks = new Map<string, (e: string, o: unknown) => void>();
    const informer = (kind: string) => ({ onEvent: (fn: (e: string, o: unknown) => void) => callbacks.set(kind, fn) });
    const cache = {
      modules: informer('modules'),
      stacks: informer('stacks'),
      executions: informer('executions'),
    } as unknown as ClusterCache;
    const metrics = { wsEmitted: () => undefined } as unknown as MetricsService;
    const gateway = new EventsGateway(
      {} as HttpAdapterHost,
      cache,
      {} as AccessReviewService,
      {} as LogHub,
      metrics,
      {} as OperatorConfig,
      {} as Logger,
    );
    const emitted: { rooms: string[]; event: string; payload: unknown }[] = [];
    gateway['io'] = {
      sockets: { adapter: { rooms: new Map([['ns:team-a:stacks', new Set(['s1'])]]) } },
      to: (rooms: string[]) => ({ emit: (event: string, payload: unknown) => emitted.push({ rooms, event, payload }) }),
    } as never;
    const stack = {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuStack',
      metadata: { name: 'app', namespace: 'team-a' },
      spec: { moduleRef: { name: 'm' }, varsFrom: [{ kind: 'Secret', name: 'db' }] },
      status: {
        outputs: { vpc_id: 'vpc-1' },
        outputsInfo: { names: ['password', 'vpc_id'], sensitive: ['password'], secretName: 'app-out' },
        conditions: [{ type: 'DependenciesReady', status: 'False', reason: 'DependencyNotReady', message: 'net has not applied' }],
      },
    };
    const before = JSON.stringify(stack);
    callbacks.get('stacks')?.('update', stack);
    assert.equal(emitted.length, 1);
    assert.deepEqual(emitted[0]?.rooms, ['ns:team-a:stacks']);
    assert.deepEqual(emitted[0]?.payload, { kind: 'stacks', type: 'MODIFIED', namespace: 'team-a', name: 'app', object: stack });
    // The event is the status the operator wrote (sensitive outputs only named), nothing looked up or added.
    assert.equal(JSON.stringify((emitted[0]?.payload as { object: unknown }).object), before);
  });
});

describe('originAllowed', () => {
  const cases: [string | undefined, string, string[], boolean][] = [
    [undefined, 'svc:8080', [], true],
    ['http://svc:8080', 'svc:8080', [], true],
    ['https://dash.example.com', 'svc:8080', ['https://dash.example.com'], true],
    ['https://evil.example', 'svc:8080', ['https://dash.example.com'], false],
    ['null', 'svc:8080', [], false],
  ];
  for (const [origin, host, allowed, want] of cases)
    it(`${origin ?? '(none)'} -> ${want}`, () => assert.equal(originAllowed(origin, host, allowed), want));
});
