import type { ErrorBody, ResourceKind, ResourceTypes } from './rest.js';

/**
 * The socket.io endpoint: same origin and port as the REST API, below /api so one proxy rule
 * serves both.
 */
export const SOCKET_PATH = '/api/socket.io';

/** Limits the server enforces per connection. */
export const SocketLimits = {
  /** Subscriptions (namespaces plus executions) one connection may hold. */
  subscriptionsPerConnection: 64,
  /** Largest message a client may send, in bytes. */
  maxMessageBytes: 16 * 1024,
  /** Most log lines in one `execution:log` message (catch-up is split into several). */
  linesPerMessage: 1000,
} as const;

/** Events a client sends; each takes an acknowledgement callback. */
export const ClientEvents = {
  subscribeNamespace: 'namespace:subscribe',
  unsubscribeNamespace: 'namespace:unsubscribe',
  subscribeExecution: 'execution:subscribe',
  unsubscribeExecution: 'execution:unsubscribe',
} as const;

/** Events the server sends. */
export const ServerEvents = {
  /** A module, stack or execution was added, changed or deleted. */
  resource: 'resource',
  /** Log lines of a subscribed execution. */
  executionLog: 'execution:log',
  /** Where the log of a subscribed execution stands (waiting, streaming, ended). */
  executionLogState: 'execution:log-state',
  /**
   * The server ended a subscription: the caller's access was checked again and refused (a removed
   * RoleBinding). Nothing more comes for it; subscribing again is refused the same way.
   */
  subscriptionEnded: 'subscription:ended',
} as const;

/** Subscribes to status events of modules, stacks and executions in a namespace. */
export interface NamespaceSubscription {
  namespace: string;
  /** Which kinds; all three when omitted. Each needs `watch` permission on that kind. */
  kinds?: ResourceKind[];
}

/** Subscribes to one execution: its status events and its log lines. */
export interface ExecutionSubscription {
  namespace: string;
  name: string;
  /**
   * The number of log lines the client already has (the next `seq` it expects): a reconnecting
   * client passes what it holds and gets exactly the lines it missed. 0 or omitted: from the start.
   */
  fromSeq?: number;
}

/** The acknowledgement of a subscribe or unsubscribe. */
export type SubscribeAck = { ok: true } | { ok: false; error: ErrorBody };

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** A change of one object, as the service's cache saw it. */
export type ResourceEvent = {
  [K in ResourceKind]: {
    kind: K;
    type: ChangeType;
    namespace: string;
    name: string;
    /** The object after the change (before it, for DELETED). */
    object: ResourceTypes[K];
  };
}[ResourceKind];

/** Consecutive log lines of an execution; `seq` is the 0-based line number of `lines[0]`. */
export interface LogLinesEvent {
  namespace: string;
  name: string;
  seq: number;
  lines: string[];
}

/**
 * - waiting: the runner container has not started (no pod yet, or image pull, or scheduling)
 * - streaming: lines arrive as the runner writes them
 * - ended: the log is complete; `lines` is its total line count
 * - unavailable: the pod is gone and no stored copy exists (`message` says why)
 */
export type LogState = 'waiting' | 'streaming' | 'ended' | 'unavailable';

export interface LogStateEvent {
  namespace: string;
  name: string;
  state: LogState;
  /** Total lines, when known (always for `ended`). */
  lines?: number;
  message?: string;
}

/**
 * A subscription the server ended: a namespace's kinds (`kinds`) or one execution (`name`), and why
 * (`error.status` 403 when access was revoked).
 */
export interface SubscriptionEndedEvent {
  namespace: string;
  kinds?: ResourceKind[];
  name?: string;
  error: ErrorBody;
}

/** Typed map of server-to-client events (for socket.io's generics). */
export interface ServerToClientEvents {
  resource: (e: ResourceEvent) => void;
  'execution:log': (e: LogLinesEvent) => void;
  'execution:log-state': (e: LogStateEvent) => void;
  'subscription:ended': (e: SubscriptionEndedEvent) => void;
}

/** Typed map of client-to-server events (for socket.io's generics). */
export interface ClientToServerEvents {
  'namespace:subscribe': (s: NamespaceSubscription, ack: (a: SubscribeAck) => void) => void;
  'namespace:unsubscribe': (s: NamespaceSubscription, ack: (a: SubscribeAck) => void) => void;
  'execution:subscribe': (s: ExecutionSubscription, ack: (a: SubscribeAck) => void) => void;
  'execution:unsubscribe': (s: ExecutionSubscription, ack: (a: SubscribeAck) => void) => void;
}

/**
 * What a refused handshake gives the client's `connect_error` listener: the error body in `data`
 * (401 for a missing or invalid token, 400 for a token in the URL).
 */
export type HandshakeError = Error & { data?: ErrorBody };

/** What the client sends in socket.io's handshake `auth` payload (never in the URL). */
export interface HandshakeAuth {
  token?: string;
}
