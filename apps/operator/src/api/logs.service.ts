import { Injectable } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { KubeApiError, KubeClient, type Pod } from '@tofu-operator/reconcile-runtime';
import type { TofuExecution } from '@tofu-operator/api-types';
import { ClusterCache, Index } from '../kube/cluster-cache.js';
import { jobNameFor } from '../reconcile/naming.js';
import { RUNNER_CONTAINER } from '../reconcile/job-template.js';
import { isTerminal, newestPod } from '../reconcile/execution-status.js';
import { ApiError, badRequest, notFound } from './errors.js';

/** How often a follow request checks again while the runner container has not started. */
const START_POLL_MS = 1000;

/**
 * The runner's log of an execution, read from its pod through the API server (pods/log). This
 * slice serves logs while the pod exists; logs kept after the pod is gone come with the log store.
 */
@Injectable()
export class LogsService {
  constructor(
    private readonly cache: ClusterCache,
    private readonly client: KubeClient,
  ) {}

  private execution(ns: string, name: string): TofuExecution {
    const e = this.cache.executions.get(ns, name);
    if (!e) throw notFound(`tofuexecutions.tofu-operator.io "${name}" not found`);
    return e;
  }

  /** The newest runner pod of the execution's Job, from the cache. */
  private pod(e: TofuExecution): Pod | undefined {
    const job = this.cache.jobs.get(e.metadata.namespace, e.status?.jobName ?? jobNameFor(e.metadata.name ?? ''));
    if (!job?.metadata?.uid) return undefined;
    return newestPod(this.cache.pods.byIndex(Index.ownerUid, job.metadata.uid));
  }

  private logPath(ns: string, pod: string): string {
    return `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(pod)}/log`;
  }

  /** The whole log so far as text, from line `offset` on. */
  async text(ns: string, name: string, offset: number): Promise<string> {
    const e = this.execution(ns, name);
    const pod = this.pod(e);
    if (!pod?.metadata?.name)
      throw new ApiError(404, 'NotFound', `execution "${name}" has no runner pod (not started yet, or already removed)`);
    const abort = new AbortController();
    let text = '';
    try {
      const stream = await this.client.stream(this.logPath(ns, pod.metadata.name), { container: RUNNER_CONTAINER }, abort.signal);
      for await (const chunk of stream as AsyncIterable<Buffer>) text += chunk.toString('utf8');
    } catch (err) {
      if (err instanceof KubeApiError && err.code === 400) return '';
      throw err;
    }
    return offset > 0 ? skipLines(text, offset) : text;
  }

  /**
   * Streams the log as it is written (chunked text) until the run ends or the client leaves. Before
   * the container starts the response stays open and waits.
   */
  async follow(ns: string, name: string, offset: number, res: ServerResponse): Promise<void> {
    this.execution(ns, name);
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    res.setHeader('content-type', 'text/plain; charset=utf-8');
    res.setHeader('cache-control', 'no-cache');
    res.setHeader('x-content-type-options', 'nosniff');
    res.flushHeaders();
    let skip = offset;
    while (!abort.signal.aborted) {
      const e = this.cache.executions.get(ns, name);
      const pod = e ? this.pod(e) : undefined;
      if (!e || (!pod && isTerminal(e))) break;
      if (pod?.metadata?.name) {
        try {
          const stream = await this.client.stream(
            this.logPath(ns, pod.metadata.name),
            { container: RUNNER_CONTAINER, follow: true },
            abort.signal,
          );
          for await (const chunk of stream as AsyncIterable<Buffer>) {
            let text = chunk.toString('utf8');
            if (skip > 0) [text, skip] = dropLines(text, skip);
            if (text) res.write(text);
          }
          break;
        } catch (err) {
          // 400 "waiting to start": the container has not started yet; wait for it.
          if (!(err instanceof KubeApiError && err.code === 400) && !abort.signal.aborted) throw err;
        }
      }
      await new Promise((r) => setTimeout(r, START_POLL_MS));
    }
    res.end();
  }
}

/** Parses the `offset` query parameter (a line number, default 0). */
export function parseOffset(raw: unknown): number {
  if (raw === undefined || raw === '') return 0;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw)) throw badRequest(`offset must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

function skipLines(text: string, n: number): string {
  return dropLines(text, n)[0];
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
