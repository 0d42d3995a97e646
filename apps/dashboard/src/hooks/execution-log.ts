'use client';
/**
 * The log of one execution, held by line number: over the socket (subscribe with `fromSeq` = lines
 * held, so a reconnect or a reload catches up without repeats), or, while the socket cannot connect,
 * over the HTTP follow stream resumed at `offset` = lines held.
 */
import { useEffect, useRef, useState } from 'react';
import {
  apiPaths,
  appendLogLines,
  ClientEvents,
  ServerEvents,
  type LogLinesEvent,
  type LogState,
  type LogStateEvent,
  type SubscriptionEndedEvent,
} from '@tofu-operator/api-contracts';
import type { TofuExecution } from '@tofu-operator/api-types';
import { LineSplitter } from '../lib/line-splitter.ts';
import { api } from './api.ts';
import { getSocket, useConnectionState } from './socket.ts';

export interface ExecutionLog {
  lines: string[];
  /** Where the log stands; `connecting` until the first answer. */
  state: LogState | 'connecting';
  message?: string;
  /** How lines arrive. */
  transport: 'socket' | 'http';
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });

export function useExecutionLog(ns: string, name: string): ExecutionLog {
  const held = useRef<string[]>([]);
  const [lines, setLines] = useState<string[]>([]);
  const [state, setState] = useState<{ state: ExecutionLog['state']; message?: string }>({ state: 'connecting' });
  const live = useConnectionState();
  const transport: ExecutionLog['transport'] = live === 'unavailable' ? 'http' : 'socket';

  useEffect(() => {
    held.current = [];
    setLines([]);
    setState({ state: 'connecting' });
  }, [ns, name]);

  useEffect(() => {
    if (transport !== 'socket') return;
    const socket = getSocket();
    const subscribe = () => {
      socket.emit(ClientEvents.subscribeExecution, { namespace: ns, name, fromSeq: held.current.length }, (ack) => {
        if (!ack.ok) setState({ state: 'unavailable', message: ack.error.message });
      });
    };
    const onLog = (e: LogLinesEvent) => {
      if (e.namespace !== ns || e.name !== name) return;
      const r = appendLogLines(held.current, e);
      if (r.gap) {
        // Lines were missed (should not happen on one connection): ask again from what we hold.
        socket.emit(ClientEvents.unsubscribeExecution, { namespace: ns, name }, () => subscribe());
        return;
      }
      if (r.lines !== held.current) {
        held.current = r.lines;
        setLines(r.lines);
      }
    };
    const onState = (e: LogStateEvent) => {
      if (e.namespace !== ns || e.name !== name) return;
      setState(e.message ? { state: e.state, message: e.message } : { state: e.state });
    };
    // The server ended the subscription (access checked again and refused): nothing more comes.
    const onEnded = (e: SubscriptionEndedEvent) => {
      if (e.namespace !== ns || e.name !== name) return;
      setState({ state: 'unavailable', message: `the live log ended: ${e.error.message}` });
    };
    socket.on(ServerEvents.executionLog, onLog);
    socket.on(ServerEvents.executionLogState, onState);
    socket.on(ServerEvents.subscriptionEnded, onEnded);
    socket.on('connect', subscribe);
    if (socket.connected) subscribe();
    return () => {
      socket.off(ServerEvents.executionLog, onLog);
      socket.off(ServerEvents.executionLogState, onState);
      socket.off(ServerEvents.subscriptionEnded, onEnded);
      socket.off('connect', subscribe);
      if (socket.connected) socket.emit(ClientEvents.unsubscribeExecution, { namespace: ns, name }, () => undefined);
    };
  }, [ns, name, transport]);

  useEffect(() => {
    if (transport !== 'http') return;
    const ctrl = new AbortController();
    const { signal } = ctrl;
    const finished = async () => {
      const e = await api<TofuExecution>(apiPaths.item(ns, 'executions', name), { signal });
      return e.status?.phase === 'Succeeded' || e.status?.phase === 'Failed';
    };
    const run = async () => {
      let backoff = 500;
      while (!signal.aborted) {
        try {
          const res = await fetch(apiPaths.logs(ns, name, { follow: true, offset: held.current.length }), { signal, cache: 'no-store' });
          if (res.status === 404) {
            if (await finished()) {
              setState({ state: 'unavailable', message: 'the runner pod is gone and no stored log exists' });
              return;
            }
            setState({ state: 'waiting' });
          } else if (res.ok && res.body) {
            setState({ state: 'streaming' });
            const split = new LineSplitter();
            const decoder = new TextDecoder();
            const reader = res.body.getReader();
            for (;;) {
              const { done, value } = await reader.read();
              if (done) break;
              const got = split.push(decoder.decode(value, { stream: true }));
              if (got.length) {
                held.current = [...held.current, ...got];
                setLines(held.current);
              }
              backoff = 500;
            }
            if (await finished()) {
              const rest = split.flush();
              if (rest.length) {
                held.current = [...held.current, ...rest];
                setLines(held.current);
              }
              setState({ state: 'ended' });
              return;
            }
            // The stream ended early (pod log follow interrupted): resume from the lines held.
          }
        } catch (err) {
          if (signal.aborted) return;
          console.warn('log stream broke; resuming', err);
        }
        await sleep(backoff, signal);
        backoff = Math.min(backoff * 2, 5000);
      }
    };
    void run();
    return () => ctrl.abort();
  }, [ns, name, transport]);

  return { lines, ...state, transport };
}
