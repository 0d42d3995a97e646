import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Labels, nameOf, namespaceOf, type TofuExecution } from '@tofu-operator/api-types';
import { SocketLimits } from '@tofu-operator/api-contracts';
import { KubeClient, type Logger, type Pod } from '@tofu-operator/reconcile-runtime';
import { ClusterCache, Index } from '../kube/cluster-cache.js';
import { LOGGER, OPERATOR_CONFIG } from '../kube/tokens.js';
import type { OperatorConfig } from '../config/operator-config.js';
import { jobNameFor } from '../execution/naming.js';
import { isTerminal } from '../execution/finished.js';
import { newestPod, runnerStarted } from '../execution/runner-pod.js';
import type { StoredLog } from './log-chunks.js';
import { LogSession, type LogSink } from './log-session.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { LogStore } from './log-store.service.js';
import { readRunnerLog } from './pod-log.js';

/** A subscription to an execution's log; `close()` ends it. */
export interface LogSubscription {
  close(): void;
}

/**
 * Per replica, one LogSession per execution that anyone (a websocket viewer, an HTTP follower, the
 * archiver) is reading: many viewers share one upstream stream, which closes with the last viewer.
 */
@Injectable()
export class LogHub implements OnModuleDestroy {
  private readonly sessions = new Map<string, LogSession>();
  /** Sessions of one reader each (see open). */
  private readonly own = new Set<LogSession>();
  /** Upstream log streams open now. */
  upstreams = 0;

  constructor(
    private readonly cache: ClusterCache,
    private readonly client: KubeClient,
    private readonly store: LogStore,
    private readonly metrics: MetricsService,
    @Inject(OPERATOR_CONFIG) private readonly config: Pick<OperatorConfig, 'logMaxBytes'>,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    // A waiting session looks again as soon as its pod or execution changes.
    cache.pods.onEvent((_e, p) => {
      const ns = namespaceOf(p);
      const exec = p.metadata?.labels?.[Labels.execution];
      if (!exec) return;
      for (const s of [...this.sessions.values(), ...this.own]) if (s.namespace === ns && jobNameFor(s.name) === exec) s.poke();
    });
    cache.executions.onEvent((_e, x) => {
      this.sessions.get(key(namespaceOf(x), nameOf(x)))?.poke();
      for (const s of this.own) if (s.namespace === namespaceOf(x) && s.name === nameOf(x)) s.poke();
    });
  }

  /** Sessions open now (for tests and metrics). */
  get sessionCount(): number {
    return this.sessions.size;
  }

  /** The newest runner pod of an execution, from the cache. */
  podOf(e: TofuExecution): Pod | undefined {
    const job = this.cache.jobs.get(e.metadata.namespace, e.status?.jobName ?? jobNameFor(nameOf(e)));
    if (!job?.metadata?.uid) return undefined;
    return newestPod(this.cache.pods.byIndex(Index.ownerUid, job.metadata.uid));
  }

  /**
   * The whole log of an execution as it is now (up to the per-run cap, then a truncation marker):
   * from the store when the run has ended and its log is stored to the end (the pod's log may have
   * been rotated by the kubelet since), else from the runner pod while it has it, else what is stored.
   * Undefined when there is none: the runner has not started, or its log was not kept.
   */
  async read(e: TofuExecution): Promise<string[] | undefined> {
    const pod = this.podOf(e);
    const ended = isTerminal(e) ? await this.store.read(e) : undefined;
    if (ended?.final) return ended.lines;
    if (pod?.metadata?.name && runnerStarted(pod))
      return readRunnerLog(this.client, namespaceOf(e), pod.metadata.name, this.config.logMaxBytes);
    const stored = ended ?? (await this.store.read(e));
    return stored.final || stored.lines.length > 0 ? stored.lines : undefined;
  }

  /**
   * Subscribes to an execution's log from line `fromSeq`: the sink gets the lines held so far, the
   * state, then new lines as they come.
   */
  subscribe(namespace: string, name: string, fromSeq: number, sink: LogSink): LogSubscription {
    const k = key(namespace, name);
    let session = this.sessions.get(k);
    if (!session) {
      session = this.newSession(namespace, name, true);
      this.sessions.set(k, session);
    }
    const s = session;
    const remove = s.subscribe(sink, fromSeq, SocketLimits.linesPerMessage);
    let closed = false;
    return {
      close: () => {
        if (closed) return;
        closed = true;
        remove();
        if (s.subscribers === 0 && this.sessions.get(k) === s) {
          this.sessions.delete(k);
          s.close();
        }
      },
    };
  }

  /**
   * A session of one reader of its own, from line 0, that keeps no lines (the archiver's: its memory
   * stays at one batch whatever the log's size, and its sink's promises hold back the pod's stream).
   */
  open(namespace: string, name: string, sink: LogSink, readStored: (e: TofuExecution) => Promise<StoredLog>): LogSubscription {
    const s = this.newSession(namespace, name, false, readStored);
    this.own.add(s);
    s.subscribe(sink, 0, SocketLimits.linesPerMessage);
    return {
      close: () => {
        this.own.delete(s);
        s.close();
      },
    };
  }

  private newSession(namespace: string, name: string, history: boolean, readStored = (e: TofuExecution) => this.store.read(e)): LogSession {
    return new LogSession(namespace, name, {
      client: this.client,
      log: this.log,
      execution: () => this.cache.executions.get(namespace, name),
      pod: (e) => this.podOf(e),
      readStored,
      onUpstream: (d) => {
        this.upstreams += d;
        this.metrics.setLogUpstreams(this.upstreams);
      },
      maxBytes: this.config.logMaxBytes,
      history,
    });
  }

  onModuleDestroy(): void {
    for (const s of [...this.sessions.values(), ...this.own]) s.close();
    this.sessions.clear();
    this.own.clear();
  }
}

const key = (ns: string, name: string) => `${ns}/${name}`;
