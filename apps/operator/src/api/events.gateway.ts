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
} from '@tofu-operator/api-contracts';
import type { InformerEvent, KubeObject, Logger } from '@tofu-operator/reconcile-runtime';
import type { OperatorConfig } from '../config/operator-config.js';
import { ClusterCache } from '../kube/cluster-cache.js';
import { LOGGER, OPERATOR_CONFIG } from '../kube/tokens.js';
import { LogHub, type LogSubscription } from '../logs/log-hub.service.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { AccessReviewService, type UserInfo } from '../http/access-review.service.js';
import { bearerToken } from '../http/authz.guard.js';
import { devModeRefusal } from '../http/dev-mode-request.js';
import { ApiError, toErrorBody } from '../http/errors.js';
import { parseExecutionSubscription, parseNamespaceSubscription, rbacResource } from './socket-payloads.js';

/** How often open connections are re-authenticated (tokens expire or are revoked). */
const REAUTH_MS = 60_000;

interface SocketData {
  user: UserInfo;
  /** Open log subscriptions by "namespace/name". */
  logs: Map<string, LogSubscription>;
  /** Rooms joined by a subscription, for the per-connection limit. */
  subscriptions: Set<string>;
}

type EventsSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

const nsRoom = (ns: string, kind: ResourceKind) => `ns:${ns}:${kind}`;
const execRoom = (ns: string, name: string) => `x:${ns}:${name}`;
const CHANGE: Record<InformerEvent, ChangeType> = { add: 'ADDED', update: 'MODIFIED', delete: 'DELETED' };

/** Whether a browser Origin may open the websocket: the service's own origin or an allowed one. */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (!origin) return true; // not a browser (browsers always send Origin on websocket and CORS requests)
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

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

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly cache: ClusterCache,
    private readonly reviews: AccessReviewService,
    private readonly hub: LogHub,
    private readonly metrics: MetricsService,
    @Inject(OPERATOR_CONFIG) private readonly config: OperatorConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
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
      void this.authenticate(socket).then(
        () => next(),
        (err: unknown) => {
          const body = toErrorBody(err);
          next(Object.assign(new Error(body.message), { data: body }));
        },
      );
    });
    io.on('connection', (socket) => this.connected(socket));
    this.io = io;
    this.reauthTimer = setInterval(() => void this.reauthenticate(), REAUTH_MS);
    this.reauthTimer.unref();
  }

  private async authenticate(socket: EventsSocket): Promise<void> {
    const { handshake } = socket;
    if (typeof handshake.query['token'] === 'string' || typeof handshake.query['access_token'] === 'string') {
      throw new ApiError(
        400,
        'BadRequest',
        'tokens are not accepted in URLs: send it in the auth payload ({ token }) or an Authorization header',
      );
    }
    const auth = handshake.auth as { token?: unknown };
    const token = typeof auth.token === 'string' ? auth.token : bearerToken({ headers: handshake.headers });
    socket.data.user = await this.reviews.authenticate(token, handshake.address);
    socket.data.logs = new Map();
    socket.data.subscriptions = new Set();
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
      socket.data.logs.get(`${namespace}/${name}`)?.close();
      socket.data.logs.delete(`${namespace}/${name}`);
    });
    socket.on('disconnect', () => {
      this.metrics.wsDisconnected();
      for (const room of socket.data.subscriptions) this.metrics.wsSubscriptions(room.startsWith('x:') ? 'execution' : 'namespace', -1);
      socket.data.subscriptions.clear();
      for (const sub of socket.data.logs.values()) sub.close();
      socket.data.logs.clear();
    });
  }

  private reserve(socket: EventsSocket, rooms: string[]): void {
    const fresh = rooms.filter((r) => !socket.data.subscriptions.has(r));
    if (socket.data.subscriptions.size + fresh.length > SocketLimits.subscriptionsPerConnection) {
      throw new ApiError(429, 'TooManyRequests', `at most ${SocketLimits.subscriptionsPerConnection} subscriptions per connection`);
    }
  }

  private async subscribeNamespace(socket: EventsSocket, payload: unknown): Promise<void> {
    const { namespace, kinds } = parseNamespaceSubscription(payload);
    const rooms = kinds.map((k) => nsRoom(namespace, k));
    this.reserve(socket, rooms);
    // Every kind must be allowed, so a subscription never silently delivers less than asked.
    await Promise.all(
      kinds.map((k) => this.reviews.authorize(socket.data.user, { verb: 'watch', resource: rbacResource(k) }, namespace, undefined)),
    );
    for (const r of rooms) this.track(socket, r);
    await socket.join(rooms);
  }

  private async subscribeExecution(socket: EventsSocket, payload: unknown): Promise<void> {
    const { namespace, name, fromSeq } = parseExecutionSubscription(payload);
    const room = execRoom(namespace, name);
    this.reserve(socket, [room]);
    await this.reviews.authorize(socket.data.user, { verb: 'get', resource: 'tofuexecutions' }, namespace, name);
    const execution = this.cache.executions.get(namespace, name);
    if (!execution) throw new ApiError(404, 'NotFound', `tofuexecutions.tofu-operator.io "${name}" not found`);
    this.track(socket, room);
    await socket.join(room);
    // The current status first, so the client never starts from a stale REST answer.
    socket.emit(ServerEvents.resource, { kind: 'executions', type: 'ADDED', namespace, name, object: execution });
    this.metrics.wsEmitted(ServerEvents.resource);
    const key = `${namespace}/${name}`;
    socket.data.logs.get(key)?.close();
    socket.data.logs.set(
      key,
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

  private track(socket: EventsSocket, room: string): void {
    if (socket.data.subscriptions.has(room)) return;
    socket.data.subscriptions.add(room);
    this.metrics.wsSubscriptions(room.startsWith('x:') ? 'execution' : 'namespace', 1);
  }

  private async leave(socket: EventsSocket, room: string): Promise<void> {
    if (socket.data.subscriptions.delete(room)) this.metrics.wsSubscriptions(room.startsWith('x:') ? 'execution' : 'namespace', -1);
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
      const token = (socket.handshake.auth as { token?: unknown }).token;
      try {
        await this.reviews.authenticate(typeof token === 'string' ? token : bearerToken({ headers: socket.handshake.headers }));
      } catch {
        socket.disconnect(true);
      }
    }
  }

  /** Closes the websockets before Nest closes the HTTP server (which waits for open connections). */
  beforeApplicationShutdown(): void {
    if (this.reauthTimer) clearInterval(this.reauthTimer);
    const io = this.io;
    if (!io) return;
    io.disconnectSockets(true);
    io.engine.close();
  }
}
