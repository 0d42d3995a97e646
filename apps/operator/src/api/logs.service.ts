import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { TofuExecution } from '@tofu-operator/api-types';
import type { Logger } from '@tofu-operator/reconcile-runtime';
import type { OperatorConfig } from '../config/operator-config.js';
import { ClusterCache } from '../kube/cluster-cache.js';
import { LOGGER, OPERATOR_CONFIG } from '../kube/tokens.js';
import { LogHub } from '../logs/log-hub.service.js';
import { AccessReviewService, type UserInfo } from '../http/access-review.service.js';
import { ApiError, badRequest, notFound } from '../http/errors.js';
import { LiveAccess, type LiveCheck } from '../http/live-access.js';

/** Lines per piece of a whole log sent over HTTP. */
const SEND_LINES = 2000;

/** Who follows a log, for the re-checks of their access while the stream is open. */
export interface LogFollower {
  user: UserInfo;
  token: string | undefined;
}

/** The permissions reading the log of execution `name` needs (checked by the route, and again while following). */
export const logChecks = (namespace: string, name: string): LiveCheck[] => [
  { req: { verb: 'get', resource: 'tofuexecutions', subresource: 'log' }, namespace, name },
];

/** The last line of a followed log that was ended because its reader's access was refused. */
export const endedLine = (reason: string): string => `[tofu-operator] log stream ended: ${reason}`;

/**
 * The runner's log of an execution over HTTP, read through the replica's LogHub: whole (the pod's
 * log while the pod has it, else the stored chunks), or followed through the shared log session
 * until the run ends.
 */
@Injectable()
export class LogsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  /** Open follow responses, ended on shutdown (the HTTP server waits for open connections). */
  private readonly following = new Set<ServerResponse>();
  /** Re-checks the access of every open follow (a removed RoleBinding ends it). */
  readonly live: LiveAccess;

  constructor(
    private readonly cache: ClusterCache,
    private readonly hub: LogHub,
    reviews: AccessReviewService,
    @Inject(OPERATOR_CONFIG) config: OperatorConfig,
    @Inject(LOGGER) log: Logger,
  ) {
    this.live = new LiveAccess(reviews, config.accessRecheckMs, log);
  }

  onApplicationBootstrap(): void {
    this.live.start();
  }

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
   * the runner starts the response stays open and waits. The follower's token and access are checked
   * again while it is open; once refused, a last line says why and the stream ends.
   */
  follow(ns: string, name: string, offset: number, res: ServerResponse, follower: LogFollower): void {
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
    const unwatch = this.live.add({
      user: follower.user,
      token: follower.token,
      checks: logChecks(ns, name),
      end: (err) => {
        if (ended) return;
        ended = true;
        res.end(`${endedLine(err.message)}\n`);
      },
    });
    const done = () => {
      this.following.delete(res);
      unwatch();
      sub.close();
    };
    res.on('close', done);
    res.on('finish', done);
  }

  /** Ends open follow streams; clients resume from their line count on another replica or after the restart. */
  beforeApplicationShutdown(): void {
    this.live.stop();
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
