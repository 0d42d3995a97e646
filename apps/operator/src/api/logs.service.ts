import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { KubeApiError, KubeClient } from '@tofu-operator/reconcile-runtime';
import type { TofuExecution } from '@tofu-operator/api-types';
import { ClusterCache } from '../kube/cluster-cache.js';
import { RUNNER_CONTAINER, runnerStarted } from '../execution/runner-pod.js';
import { LogHub } from '../logs/log-hub.service.js';
import { LogStore } from '../logs/log-store.service.js';
import { ApiError, badRequest, notFound } from '../http/errors.js';

/**
 * The runner's log of an execution over HTTP: whole (stored chunks once the run has ended, else the
 * pod's log), or followed through the replica's shared log session until the run ends.
 */
@Injectable()
export class LogsService implements BeforeApplicationShutdown {
  /** Open follow responses, ended on shutdown (the HTTP server waits for open connections). */
  private readonly following = new Set<ServerResponse>();

  constructor(
    private readonly cache: ClusterCache,
    private readonly client: KubeClient,
    private readonly hub: LogHub,
    private readonly store: LogStore,
  ) {}

  private execution(ns: string, name: string): TofuExecution {
    const e = this.cache.executions.get(ns, name);
    if (!e) throw notFound(`tofuexecutions.tofu-operator.io "${name}" not found`);
    return e;
  }

  /** The whole log so far as text, from line `offset` on. */
  async text(ns: string, name: string, offset: number): Promise<string> {
    const e = this.execution(ns, name);
    const pod = this.hub.podOf(e);
    let text: string;
    // While the pod exists it has the whole log; the store is read only when it is gone.
    if (pod?.metadata?.name && runnerStarted(pod)) {
      text = await this.podLog(ns, pod.metadata.name);
    } else {
      const stored = await this.store.read(e);
      if (!stored.final && stored.lines.length === 0)
        throw new ApiError(404, 'NotFound', `execution "${name}" has no log yet (its runner has not started) or it was not kept`);
      text = stored.lines.map((l) => `${l}\n`).join('');
    }
    return offset > 0 ? dropLines(text, offset)[0] : text;
  }

  private async podLog(ns: string, pod: string): Promise<string> {
    const abort = new AbortController();
    let text = '';
    try {
      const path = `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(pod)}/log`;
      const stream = await this.client.stream(path, { container: RUNNER_CONTAINER }, abort.signal);
      for await (const chunk of stream as AsyncIterable<Buffer>) text += chunk.toString('utf8');
    } catch (err) {
      if (err instanceof KubeApiError && err.code === 400) return '';
      throw err;
    }
    return text;
  }

  /**
   * Streams the log as chunked text from line `offset` until the run ends or the client leaves. Before
   * the runner starts the response stays open and waits.
   */
  follow(ns: string, name: string, offset: number, res: ServerResponse): void {
    this.execution(ns, name);
    res.setHeader('content-type', 'text/plain; charset=utf-8');
    res.setHeader('cache-control', 'no-cache');
    res.setHeader('x-content-type-options', 'nosniff');
    res.flushHeaders();
    let ended = false;
    const sub = this.hub.subscribe(ns, name, offset, {
      lines: (_seq, lines) => {
        if (!ended) res.write(lines.map((l) => `${l}\n`).join(''));
      },
      state: (state) => {
        if (ended || (state !== 'ended' && state !== 'unavailable')) return;
        ended = true;
        res.end();
      },
    });
    if (ended) {
      sub.close();
      return;
    }
    this.following.add(res);
    const done = () => {
      this.following.delete(res);
      sub.close();
    };
    res.on('close', done);
    res.on('finish', done);
  }

  /** Ends open follow streams; clients resume from their line count on another replica or after the restart. */
  beforeApplicationShutdown(): void {
    for (const res of this.following) res.end();
    this.following.clear();
  }
}

/** Parses the `offset` query parameter (a line number, default 0). */
export function parseOffset(raw: unknown): number {
  if (raw === undefined || raw === '') return 0;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw)) throw badRequest(`offset must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

/** Drops up to n whole lines from the start of text; returns the rest and how many lines are still to drop. */
export function dropLines(text: string, n: number): [string, number] {
  let rest = text;
  let left = n;
  while (left > 0) {
    const i = rest.indexOf('\n');
    if (i < 0) return ['', left];
    rest = rest.slice(i + 1);
    left--;
  }
  return [rest, 0];
}
