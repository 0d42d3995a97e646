import { nameOf, namespaceOf } from '@tofu-operator/api-types';
import type { IncomingMessage } from 'node:http';
import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { Server, type Socket } from 'socket.io';
import {
  ClientEvents,
  ServerEvents,
  SOCKET_PATH,
  SocketLimits,
  type ChangeType,
  type ClientToServerEvents,
  type ResourceEvent,
  type ResourceKind,
  type ServerToClientEvents,
  type SubscribeAck,
  type SubscriptionEndedEvent,
} from '@tofu-operator/api-contracts';
import type { InformerEvent, KubeObject, Logger } from '@tofu-operator/reconcile-runtime';
import type { OperatorConfig } from '../config/operator-config.js';
import { ClusterCache } from '../kube/cluster-cache.js';
import { LOGGER, OPERATOR_CONFIG } from '../kube/tokens.js';
import { LogHub } from '../logs/log-hub.service.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { AccessReviewService, type UserInfo } from '../http/access-review.service.js';
import { devModeRefusal } from '../http/dev-mode-request.js';
import { ApiError, toErrorBody } from '../http/errors.js';
import { LiveAccess, refusal, type LiveCheck } from '../http/live-access.js';
import { ConnectionCaps, Releases } from './connection-caps.js';
import { logChecks } from './logs.service.js';
import { handshakeToken, originAllowed } from './socket-handshake.js';
import { execRoom, nsRoom, SocketSubscriptions } from './socket-subscriptions.js';
import { parseExecutionSubscription, parseNamespaceSubscription, rbacResource } from './socket-payloads.js';

/** How often open connections are re-authenticated (tokens expire or are revoked). */
const REAUTH_MS = 60_000;

interface SocketData {
  user: UserInfo;
  /** Rooms held or reserved, their access re-checks and log subscriptions. */
  subs: SocketSubscriptions;
}

type EventsSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

const CHANGE: Record<InformerEvent, ChangeType> = { add: 'ADDED', update: 'MODIFIED', delete: 'DELETED' };

/**
 * The socket.io endpoint: status events of modules, stacks and executions per namespace, and the
 * status and log lines of one execution. Authenticates on connection (TokenReview, token from the
 * auth payload or the Authorization header, never the URL) and authorises every subscription with a
 * SubjectAccessReview before joining its room.
 */
@Injectable()
export class EventsGateway implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private io: Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData> | undefined;
  private reauthTimer: NodeJS.Timeout | undefined;
  /** Re-checks the access of every joined room (a removed RoleBinding ends the subscription). */
  readonly live: LiveAccess;
  private readonly caps: ConnectionCaps;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly cache: ClusterCache,
    private readonly reviews: AccessReviewService,
    private readonly hub: LogHub,
    private readonly metrics: MetricsService,
    @Inject(OPERATOR_CONFIG) private readonly config: OperatorConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    this.live = new LiveAccess(reviews, config.accessRecheckMs, log);
    this.caps = new ConnectionCaps(config.wsConnectionsPerUser, config.wsConnectionsPerAddress);
    // Handlers only forward cache changes to rooms; emitting to an empty room costs nothing.
    cache.modules.onEvent((e, o) => this.broadcast('modules', e, o));
    cache.stacks.onEvent((e, o) => this.broadcast('stacks', e, o));
    cache.executions.onEvent((e, o) => this.broadcast('executions', e, o));
  }

  /** Connections open now. */
  get connections(): number {
    return this.io?.engine.clientsCount ?? 0;
  }

  onApplicationBootstrap(): void {
    const httpServer: unknown = this.adapterHost.httpAdapter.getHttpServer();
    const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>(httpServer as never, {
      path: SOCKET_PATH,
      maxHttpBufferSize: SocketLimits.maxMessageBytes,
      serveClient: false,
      allowRequest: (req: IncomingMessage, callback) => {
        // socket.io answers its path before any HTTP middleware, so development mode checks here too.
        const devRefusal = this.config.insecureNoAuth ? devModeRefusal(req.headers) : undefined;
        const ok = devRefusal === undefined && originAllowed(req.headers.origin, req.headers.host, this.config.allowedOrigins);
        if (!ok) this.log.warn({ origin: req.headers.origin, host: req.headers.host }, 'websocket refused: origin or host not allowed');
        callback(ok ? null : (devRefusal ?? 'origin not allowed'), ok);
      },
    });
    io.use((socket, next) => {
      const refuse = (err: unknown) => {
        const body = toErrorBody(err);
        next(Object.assign(new Error(body.message), { data: body }));
      };
      // Counted before any await, released when the engine connection closes (also when the client
      // leaves during the handshake, when no 'disconnect' comes).
      const releases = new Releases();
      try {
        releases.add(this.caps.address(socket.handshake.address));
      } catch (err) {
        return refuse(err);
      }
      socket.conn.once('close', () => releases.releaseAll());
      void this.authenticate(socket)
        .then(() => releases.add(this.caps.user(socket.data.user.username)))
        .then(
          () => next(),
          (err: unknown) => {
            releases.releaseAll();
            refuse(err);
          },
        );
    });
    io.on('connection', (socket) => this.connected(socket));
    this.io = io;
    this.reauthTimer = setInterval(() => void this.reauthenticate(), REAUTH_MS);
    this.reauthTimer.unref();
    this.live.start();
  }

  private async authenticate(socket: EventsSocket): Promise<void> {
    socket.data.user = await this.reviews.authenticate(handshakeToken(socket.handshake), socket.handshake.address);
    socket.data.subs = new SocketSubscriptions(this.metrics);
  }

  private connected(socket: EventsSocket): void {
    this.metrics.wsConnected();
    const on = <E extends keyof ClientToServerEvents>(event: E, fn: (payload: unknown) => Promise<void>) => {
      socket.on(
        event as never,
        ((payload: unknown, ack: unknown) => {
          const reply = typeof ack === 'function' ? (ack as (a: SubscribeAck) => void) : () => undefined;
          fn(payload).then(
            () => reply({ ok: true }),
            (err: unknown) => {
              if (!(err instanceof ApiError)) this.log.error({ err, event }, 'websocket handler failed');
              reply({ ok: false, error: toErrorBody(err) });
            },
          );
        }) as never,
      );
    };
    on(ClientEvents.subscribeNamespace, (p) => this.subscribeNamespace(socket, p));
    on(ClientEvents.unsubscribeNamespace, async (p) => {
      const { namespace, kinds } = parseNamespaceSubscription(p);
      for (const k of kinds) await this.leave(socket, nsRoom(namespace, k));
    });
    on(ClientEvents.subscribeExecution, (p) => this.subscribeExecution(socket, p));
    on(ClientEvents.unsubscribeExecution, async (p) => {
      const { namespace, name } = parseExecutionSubscription(p);
      await this.leave(socket, execRoom(namespace, name));
    });
    socket.on('disconnect', () => {
      this.metrics.wsDisconnected();
      socket.data.subs.releaseAll();
    });
  }

  /** Runs a subscription's reviews for the rooms it reserved, releasing them if it is refused. */
  private async reviewed<T>(socket: EventsSocket, rooms: string[], review: () => Promise<T>): Promise<T | undefined> {
    const fresh = socket.data.subs.reserve(rooms);
    let result: T;
    try {
      result = await review();
    } catch (err) {
      socket.data.subs.release(fresh);
      throw err;
    }
    // The client left while its reviews ran: disconnect already released everything.
    return socket.connected ? result : undefined;
  }

  /** Re-checks `checks` for a joined room while it is held; a refusal ends it with `subscription:ended`. */
  private watchAccess(socket: EventsSocket, room: string, checks: LiveCheck[], ended: Omit<SubscriptionEndedEvent, 'error'>): void {
    const stop = this.live.add({
      user: socket.data.user,
      checks,
      end: (error) => {
        void this.leave(socket, room);
        socket.emit(ServerEvents.subscriptionEnded, { ...ended, error: toErrorBody(error) });
        this.metrics.wsEmitted(ServerEvents.subscriptionEnded);
      },
    });
    socket.data.subs.hold(room, stop);
  }

  private async subscribeNamespace(socket: EventsSocket, payload: unknown): Promise<void> {
    const { namespace, kinds } = parseNamespaceSubscription(payload);
    const rooms = kinds.map((k) => nsRoom(namespace, k));
    const check = (k: ResourceKind): LiveCheck => ({ req: { verb: 'watch', resource: rbacResource(k) }, namespace });
    // Every kind must be allowed, so a subscription never silently delivers less than asked.
    const ok = await this.reviewed(socket, rooms, async () => {
      await Promise.all(kinds.map((k) => this.reviews.authorize(socket.data.user, check(k).req, namespace, undefined)));
      return true;
    });
    if (!ok) return;
    for (const k of kinds) this.watchAccess(socket, nsRoom(namespace, k), [check(k)], { namespace, kinds: [k] });
    await socket.join(rooms);
  }

  private async subscribeExecution(socket: EventsSocket, payload: unknown): Promise<void> {
    const { namespace, name, fromSeq } = parseExecutionSubscription(payload);
    const room = execRoom(namespace, name);
    const checks: LiveCheck[] = [{ req: { verb: 'get', resource: 'tofuexecutions' }, namespace, name }, ...logChecks(namespace, name)];
    const found = await this.reviewed(socket, [room], async () => {
      await this.reviews.authorize(socket.data.user, checks[0]!.req, namespace, name);
      // The log has its own permission (ADR 0010): without it the status still comes, the log does not.
      const logRefused = await refusal(this.reviews.authorize(socket.data.user, checks[1]!.req, namespace, name));
      const e = this.cache.executions.get(namespace, name);
      if (!e) throw new ApiError(404, 'NotFound', `tofuexecutions.tofu-operator.io "${name}" not found`);
      return { execution: e, logRefused };
    });
    if (!found) return;
    this.watchAccess(socket, room, found.logRefused ? checks.slice(0, 1) : checks, { namespace, name });
    await socket.join(room);
    // The current status first, so the client never starts from a stale REST answer.
    socket.emit(ServerEvents.resource, { kind: 'executions', type: 'ADDED', namespace, name, object: found.execution });
    this.metrics.wsEmitted(ServerEvents.resource);
    if (found.logRefused) {
      socket.emit(ServerEvents.executionLogState, { namespace, name, state: 'unavailable', message: found.logRefused.message });
      this.metrics.wsEmitted(ServerEvents.executionLogState);
      return;
    }
    socket.data.subs.setLog(
      room,
      this.hub.subscribe(namespace, name, fromSeq, {
        lines: (seq, lines) => {
          socket.emit(ServerEvents.executionLog, { namespace, name, seq, lines: [...lines] });
          this.metrics.wsEmitted(ServerEvents.executionLog);
        },
        state: (state, info) => {
          socket.emit(ServerEvents.executionLogState, {
            namespace,
            name,
            state,
            lines: info.lines,
            ...(info.message ? { message: info.message } : {}),
          });
          this.metrics.wsEmitted(ServerEvents.executionLogState);
        },
      }),
    );
  }

  private async leave(socket: EventsSocket, room: string): Promise<void> {
    socket.data.subs.release([room]);
    await socket.leave(room);
  }

  private broadcast(kind: ResourceKind, e: InformerEvent, obj: KubeObject): void {
    const io = this.io;
    if (!io) return;
    const namespace = namespaceOf(obj);
    const name = nameOf(obj);
    const rooms = kind === 'executions' ? [nsRoom(namespace, kind), execRoom(namespace, name)] : [nsRoom(namespace, kind)];
    const adapterRooms = io.sockets.adapter.rooms;
    if (!rooms.some((r) => adapterRooms.has(r))) return;
    // One emit to the union of rooms: a socket in both gets the event once.
    const target = io.to(rooms);
    target.emit(ServerEvents.resource, { kind, type: CHANGE[e], namespace, name, object: obj } as ResourceEvent);
    this.metrics.wsEmitted(ServerEvents.resource, new Set(rooms.flatMap((r) => [...(adapterRooms.get(r) ?? [])])).size);
  }

  /** Drops connections whose token is no longer valid. */
  private async reauthenticate(): Promise<void> {
    const io = this.io;
    if (!io) return;
    for (const socket of await io.fetchSockets()) {
      try {
        await this.reviews.authenticate(handshakeToken(socket.handshake));
      } catch {
        socket.disconnect(true);
      }
    }
  }

  /** Closes the websockets before Nest closes the HTTP server (which waits for open connections). */
  beforeApplicationShutdown(): void {
    if (this.reauthTimer) clearInterval(this.reauthTimer);
    this.live.stop();
    const io = this.io;
    if (!io) return;
    io.disconnectSockets(true);
    io.engine.close();
  }
}
