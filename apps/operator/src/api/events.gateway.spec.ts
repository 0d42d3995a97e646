import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ClientEvents, ServerEvents, SocketLimits, type SubscribeAck, type SubscriptionEndedEvent } from '@tofu-operator/api-contracts';
import type { HttpAdapterHost } from '@nestjs/core';
import type { Logger } from '@tofu-operator/reconcile-runtime';
import type { OperatorConfig } from '../config/operator-config.js';
import type { ClusterCache } from '../kube/cluster-cache.js';
import type { LogHub } from '../logs/log-hub.service.js';
import type { MetricsService } from '../metrics/metrics.service.js';
import type { AccessReviewService } from '../http/access-review.service.js';
import { ApiError } from '../http/errors.js';
import { EventsGateway } from './events.gateway.js';
import { originAllowed } from './socket-handshake.js';
import { SocketSubscriptions } from './socket-subscriptions.js';

/** Client events that need no permission: leaving a subscription. Everything else must be reviewed. */
const WITHOUT_PERMISSION = new Set<string>([ClientEvents.unsubscribeNamespace, ClientEvents.unsubscribeExecution]);

/** A valid payload for each client event (a new event without one fails the table below). */
const PAYLOADS: Record<string, unknown> = {
  [ClientEvents.subscribeNamespace]: { namespace: 'team-a' },
  [ClientEvents.unsubscribeNamespace]: { namespace: 'team-a' },
  [ClientEvents.subscribeExecution]: { namespace: 'team-a', name: 'x' },
  [ClientEvents.unsubscribeExecution]: { namespace: 'team-a', name: 'x' },
};

const metrics = {
  wsConnected: () => undefined,
  wsSubscriptions: () => undefined,
  wsEmitted: () => undefined,
} as unknown as MetricsService;

function gatewayWith(authorize: (u: unknown, req: { verb: string; subresource?: string }) => Promise<void>): EventsGateway {
  const informer = { onEvent: () => undefined, get: () => ({ metadata: { name: 'x', namespace: 'team-a' } }) };
  const cache = { modules: informer, stacks: informer, executions: informer } as unknown as ClusterCache;
  const reviews = { authorize } as unknown as AccessReviewService;
  const hub = { subscribe: () => ({ close: () => undefined }) } as unknown as LogHub;
  const log = { warn: () => undefined, error: () => undefined, info: () => undefined } as unknown as Logger;
  return new EventsGateway({} as HttpAdapterHost, cache, reviews, hub, metrics, { accessRecheckMs: 5_000 } as OperatorConfig, log);
}

function gatewayDenyingAll(reviewed: string[]): EventsGateway {
  return gatewayWith((_u, req) => {
    reviewed.push(req.verb);
    return Promise.reject(new ApiError(403, 'Forbidden', 'denied'));
  });
}

/** A connection's socket as the gateway uses it: handlers by event name, what it was sent. */
function connect(gateway: EventsGateway) {
  const on = new Map<string, (payload: unknown, ack: (a: SubscribeAck) => void) => void>();
  const emitted: { event: string; payload: unknown }[] = [];
  const socket = {
    connected: true,
    data: { user: { username: 'u' }, subs: new SocketSubscriptions(metrics) },
    on: (event: string, fn: (payload: unknown, ack: (a: SubscribeAck) => void) => void) => on.set(event, fn),
    join: () => Promise.resolve(),
    leave: () => Promise.resolve(),
    emit: (event: string, payload: unknown) => emitted.push({ event, payload }),
  };
  gateway['connected'](socket as never);
  const send = (event: string, payload: unknown) => new Promise<SubscribeAck>((resolve) => on.get(event)?.(payload, resolve));
  return { on, emitted, socket, send };
}

/** The handlers the gateway registers on a connection, by event name. */
function handlers(gateway: EventsGateway): Map<string, (payload: unknown, ack: (a: SubscribeAck) => void) => void> {
  return connect(gateway).on;
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

describe('EventsGateway subscription limit', () => {
  it('counts a subscription when it is made, not when its review answers: a burst of 200 gets exactly 64', async () => {
    let release: () => void = () => undefined;
    const answered = new Promise<void>((r) => (release = r));
    const { send, socket } = connect(gatewayWith(() => answered));
    const acks = Array.from({ length: 200 }, (_, i) => send(ClientEvents.subscribeNamespace, { namespace: `ns-${i}`, kinds: ['modules'] }));
    release();
    const all = await Promise.all(acks);
    assert.equal(all.filter((a) => a.ok).length, SocketLimits.subscriptionsPerConnection);
    const refused = all.filter((a) => !a.ok);
    assert.equal(refused.length, 200 - SocketLimits.subscriptionsPerConnection);
    assert.ok(refused.every((a) => !a.ok && a.error.status === 429));
    assert.equal(socket.data.subs.size, SocketLimits.subscriptionsPerConnection);
  });

  it('gives a refused subscription its place back', async () => {
    const { send, socket } = connect(
      gatewayWith((_u, req) => (req.verb === 'watch' ? Promise.reject(new ApiError(403, 'Forbidden', 'no')) : Promise.resolve())),
    );
    for (let i = 0; i < 100; i++) {
      const ack = await send(ClientEvents.subscribeNamespace, { namespace: `ns-${i}` });
      assert.ok(!ack.ok && ack.error.status === 403, `subscription ${i} refused by its review, not by the limit`);
    }
    assert.equal(socket.data.subs.size, 0);
    const granted = await Promise.all(
      Array.from({ length: SocketLimits.subscriptionsPerConnection }, (_, i) =>
        send(ClientEvents.subscribeExecution, { namespace: 'team-a', name: `x${i}` }),
      ),
    );
    assert.ok(granted.every((a) => a.ok));
  });
});

describe('EventsGateway execution logs (ADR 0010)', () => {
  it('without get on tofuexecutions/log a subscription gets the status and an unavailable log naming the permission', async () => {
    const asked: string[] = [];
    const gateway = gatewayWith((_u, req) => {
      asked.push(`${req.verb} ${req.subresource ?? ''}`);
      return req.subresource === 'log'
        ? Promise.reject(new ApiError(403, 'Forbidden', 'cannot get tofuexecutions/log "x"'))
        : Promise.resolve();
    });
    let logSubscriptions = 0;
    (gateway as unknown as { hub: LogHub }).hub = {
      subscribe: () => {
        logSubscriptions++;
        return { close: () => undefined };
      },
    } as unknown as LogHub;
    const { send, emitted } = connect(gateway);
    assert.deepEqual(await send(ClientEvents.subscribeExecution, { namespace: 'team-a', name: 'x' }), { ok: true });
    assert.deepEqual(asked, ['get ', 'get log']);
    assert.deepEqual(
      emitted.map((e) => e.event),
      [ServerEvents.resource, ServerEvents.executionLogState],
    );
    assert.deepEqual(emitted[1]?.payload, {
      namespace: 'team-a',
      name: 'x',
      state: 'unavailable',
      message: 'cannot get tofuexecutions/log "x"',
    });
    assert.equal(logSubscriptions, 0, 'no log is read for the subscriber');
  });
});

describe('EventsGateway access re-checks', () => {
  it('ends a subscription whose access is refused on a re-check, with subscription:ended', async () => {
    let allowed = true;
    const gateway = gatewayWith(() =>
      allowed ? Promise.resolve() : Promise.reject(new ApiError(403, 'Forbidden', 'user "u" cannot watch')),
    );
    const { send, socket, emitted } = connect(gateway);
    assert.deepEqual(await send(ClientEvents.subscribeNamespace, { namespace: 'team-a', kinds: ['modules'] }), { ok: true });
    assert.deepEqual(await send(ClientEvents.subscribeExecution, { namespace: 'team-a', name: 'x' }), { ok: true });
    await gateway.live.recheck();
    assert.equal(socket.data.subs.size, 2, 'still allowed: kept');
    allowed = false;
    await gateway.live.recheck();
    assert.equal(socket.data.subs.size, 0);
    assert.equal(gateway.live.size, 0);
    const ended = emitted.filter((e) => e.event === ServerEvents.subscriptionEnded).map((e) => e.payload as SubscriptionEndedEvent);
    assert.deepEqual(
      ended.map((e) => [e.namespace, e.kinds, e.name, e.error.status]),
      [
        ['team-a', ['modules'], undefined, 403],
        ['team-a', undefined, 'x', 403],
      ],
    );
    assert.match(ended[0]?.error.message ?? '', /cannot watch/);
  });

  it('stops re-checking what the client left', async () => {
    const gateway = gatewayWith(() => Promise.resolve());
    const { send } = connect(gateway);
    await send(ClientEvents.subscribeNamespace, { namespace: 'team-a' });
    assert.equal(gateway.live.size, 3);
    await send(ClientEvents.unsubscribeNamespace, { namespace: 'team-a', kinds: ['stacks'] });
    assert.equal(gateway.live.size, 2);
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
