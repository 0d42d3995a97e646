'use client';
/**
 * The one socket.io connection of a page, to the dashboard's own origin (the proxy adds the token).
 * Its state drives the "live / reconnecting / HTTP fallback" indicator.
 */
import { useSyncExternalStore } from 'react';
import { io, type Socket } from 'socket.io-client';
import { SOCKET_PATH, type ClientToServerEvents, type ServerToClientEvents } from '@tofu-operator/api-contracts';
import { signInUrl } from '../lib/return-path.ts';

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * - connecting: first attempt under way
 * - live: connected
 * - reconnecting: the connection dropped (network, service restart); socket.io retries with backoff
 * - unavailable: never connected after several attempts (websockets blocked): pages poll and logs
 *   come over the HTTP stream until the socket connects
 */
export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'unavailable';

/** Failed attempts before a socket that never connected counts as unavailable. */
const ATTEMPTS_BEFORE_FALLBACK = 2;

let socket: LiveSocket | undefined;
let state: ConnectionState = 'connecting';
let everConnected = false;
let failures = 0;
const listeners = new Set<() => void>();

function setState(s: ConnectionState): void {
  if (s === state) return;
  state = s;
  for (const l of listeners) l();
}

/** The page's socket, created on first use. */
export function getSocket(): LiveSocket {
  if (socket) return socket;
  socket = io({
    path: SOCKET_PATH,
    // Websocket first; where a proxy breaks websockets, long polling (still live); where both fail,
    // the pages fall back to plain HTTP (see ConnectionState 'unavailable').
    transports: ['websocket', 'polling'],
    tryAllTransports: true,
    withCredentials: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 5000,
    timeout: 8000,
  });
  socket.on('connect', () => {
    everConnected = true;
    failures = 0;
    setState('live');
  });
  socket.on('disconnect', (reason) => {
    // The server closing the connection on purpose does not reconnect by itself.
    if (reason === 'io server disconnect') socket?.connect();
    setState(everConnected ? 'reconnecting' : 'connecting');
  });
  socket.on('connect_error', (err: Error & { data?: { status?: number } }) => {
    // The gateway refuses the handshake with the API's ErrorBody: an expired or revoked token
    // (401) means signing in again, not retrying.
    if (err.data?.status === 401) {
      socket?.disconnect();
      window.location.assign(signInUrl(window.location.pathname + window.location.search, true));
      return;
    }
    failures++;
    if (!everConnected) setState(failures >= ATTEMPTS_BEFORE_FALLBACK ? 'unavailable' : 'connecting');
    else setState('reconnecting');
  });
  return socket;
}

export function connectionState(): ConnectionState {
  return state;
}

/** Namespaces whose subscription the API refused (no `watch` permission), with its message: their lists poll. */
const refused = new Map<string, string>();

/** Records whether the API accepted the namespace's subscription (`refusal`: the API's message, or undefined). */
export function setNamespaceRefused(ns: string, refusal: string | undefined): void {
  if (refusal === refused.get(ns)) return;
  if (refusal !== undefined) refused.set(ns, refusal);
  else refused.delete(ns);
  for (const l of listeners) l();
}

/** Why the namespace's subscription was refused (the API's message), re-rendering on change; undefined when it was not. */
export function useNamespaceRefusal(ns: string): string | undefined {
  return useSyncExternalStore(
    subscribe,
    () => refused.get(ns),
    () => undefined,
  );
}

/** Whether events of a namespace arrive live (connected and subscribed). */
export function useNamespaceIsLive(ns: string): boolean {
  return useSyncExternalStore(
    subscribe,
    () => state === 'live' && !refused.has(ns),
    () => false,
  );
}

function subscribe(l: () => void): () => void {
  getSocket();
  listeners.add(l);
  return () => listeners.delete(l);
}

/** The connection state, re-rendering on change. */
export function useConnectionState(): ConnectionState {
  return useSyncExternalStore(subscribe, connectionState, () => 'connecting');
}
