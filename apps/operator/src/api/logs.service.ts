import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { TofuExecution } from '@tofu-operator/api-types';
import { ClusterCache } from '../kube/cluster-cache.js';
import { LogHub } from '../logs/log-hub.service.js';
import { ApiError, badRequest, notFound } from '../http/errors.js';

/** Lines per piece of a whole log sent over HTTP. */
const SEND_LINES = 2000;

/**
 * The runner's log of an execution over HTTP, read through the replica's LogHub: whole (the pod's
 * log while the pod has it, else the stored chunks), or followed through the shared log session
 * until the run ends.
 */
@Injectable()
export class LogsService implements BeforeApplicationShutdown {
  /** Open follow responses, ended on shutdown (the HTTP server waits for open connections). */
  private readonly following = new Set<ServerResponse>();

  constructor(
    private readonly cache: ClusterCache,
    private readonly hub: LogHub,
  ) {}

  private execution(ns: string, name: string): TofuExecution {
    const e = this.cache.executions.get(ns, name);
    if (!e) throw notFound(`tofuexecutions.tofu-operator.io "${name}" not found`);
    return e;
  }

  /**
   * Sends the whole log so far as text, from line `offset` on, in pieces that the client takes one
   * after the other: a log of tens of MiB is never copied into one string and one buffer as well.
   */
  async send(ns: string, name: string, offset: number, res: ServerResponse): Promise<void> {
    const lines = await this.hub.read(this.execution(ns, name));
    if (!lines) throw new ApiError(404, 'NotFound', `execution "${name}" has no log yet (its runner has not started) or it was not kept`);
    res.setHeader('content-type', 'text/plain; charset=utf-8');
    for (let i = offset; i < lines.length && !res.destroyed; i += SEND_LINES) {
      if (!res.write(logText(lines.slice(i, i + SEND_LINES), 0))) {
        await new Promise((resolve) => {
          res.once('drain', resolve);
          res.once('close', resolve);
        });
      }
    }
    res.end();
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
        if (!ended) res.write(logText(lines, 0));
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

/** Lines from number `offset` on as text, each ended by a newline (as the followed stream writes them). */
export function logText(lines: readonly string[], offset: number): string {
  return lines
    .slice(offset)
    .map((l) => `${l}\n`)
    .join('');
}
