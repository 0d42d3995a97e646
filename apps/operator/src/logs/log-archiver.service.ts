import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { nameOf, namespaceOf, uidOf, type TofuExecution } from '@tofu-operator/api-types';
import type { Logger } from '@tofu-operator/reconcile-runtime';
import type { OperatorConfig } from '../config/operator-config.js';
import { isTerminal } from '../execution/finished.js';
import { ClusterCache } from '../kube/cluster-cache.js';
import { Leadership } from '../kube/leadership.js';
import { LOGGER, OPERATOR_CONFIG } from '../kube/tokens.js';
import { lineBytes, MAX_CHUNK_BYTES } from './log-chunks.js';
import { LogHub, type LogSubscription } from './log-hub.service.js';
import { LogStore, type ChunkWrite } from './log-store.service.js';

/** The open chunk is written at most this often while lines arrive. */
const FLUSH_MS = 2000;
/**
 * While leading, the archiver looks at every execution every SWEEP_TICKS ticks, and at every tick
 * until it has listed the stored logs once.
 */
const TICK_MS = 1000;
const SWEEP_TICKS = 15;
/** Finished runs archived at once after a leader change (running ones are never held back). */
const CATCH_UP_CONCURRENCY = 4;

/** One execution being archived. */
class Archive {
  index = 0;
  firstLine = 0;
  lines: string[] = [];
  bytes = 0;
  timer: NodeJS.Timeout | undefined;
  /** Writes in order, one at a time. */
  chain: Promise<void> = Promise.resolve();
  sub: LogSubscription | undefined;
  failed = false;
  constructor(
    readonly execution: TofuExecution,
    /** Started for a finished run (catch-up after a leader change), not a running one. */
    readonly catchUp: boolean,
  ) {}
}

/**
 * Stores the log of every execution whose runner started, while it runs, as TofuLogChunks
 * (docs/adr/0004-log-store.md). Runs on the leader only (it learns of leadership from Leadership's
 * events); a new leader re-reads the pod's log from the start and writes the same chunks again
 * (server-side apply, same content).
 */
@Injectable()
export class LogArchiver implements OnApplicationShutdown {
  private readonly active = new Map<string, Archive>();
  private finished: Set<string> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ticks = 0;
  private leading = false;
  private stopped = false;

  constructor(
    private readonly cache: ClusterCache,
    private readonly hub: LogHub,
    private readonly store: LogStore,
    leadership: Leadership,
    @Inject(OPERATOR_CONFIG) private readonly config: OperatorConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    cache.executions.onEvent((_e, x) => this.consider(x));
    leadership.onChange((leading) => this.leadershipChanged(leading));
  }

  /** Sweeps at once on becoming leader, then on a timer; stops sweeping when leadership ends. */
  private leadershipChanged(leading: boolean): void {
    this.leading = leading && this.config.role === 'all';
    if (!this.leading || this.stopped) {
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    if (this.timer) return;
    void this.sweep();
    this.timer = setInterval(() => {
      this.ticks++;
      if (!this.finished || this.ticks % SWEEP_TICKS === 0) void this.sweep();
    }, TICK_MS);
    this.timer.unref();
  }

  /** Executions being archived now (for tests and metrics). */
  get activeCount(): number {
    return this.active.size;
  }

  private consider(x: TofuExecution): void {
    if (this.stopped || !this.leading || !this.finished) return;
    const uid = uidOf(x);
    if (!x.status?.startTime || this.finished.has(uid) || this.active.has(uid)) return;
    const catchUp = isTerminal(x);
    if (catchUp && [...this.active.values()].filter((a) => a.catchUp).length >= CATCH_UP_CONCURRENCY) return; // a later sweep takes it
    this.start(x, catchUp);
  }

  private async sweep(): Promise<void> {
    if (this.stopped || !this.leading) return;
    try {
      this.finished ??= await this.store.finishedUids(this.config.watchNamespace);
    } catch (err) {
      this.log.warn({ err }, 'cannot list stored logs; retrying at the next sweep');
      return;
    }
    for (const x of this.cache.executions.list()) this.consider(x);
    // Forget archived executions that no longer exist.
    const live = new Set(this.cache.executions.list().map(uidOf));
    for (const uid of this.finished) if (!live.has(uid)) this.finished.delete(uid);
  }

  /** Reads the execution's log from line 0 through the hub and stores it as it comes. */
  private start(x: TofuExecution, catchUp: boolean): void {
    const uid = uidOf(x);
    const a = new Archive(x, catchUp);
    this.active.set(uid, a);
    a.sub = this.hub.subscribe(namespaceOf(x), nameOf(x), 0, {
      lines: (seq, lines) => this.add(a, seq, lines),
      state: (state, info) => {
        if (state !== 'ended' && state !== 'unavailable') return;
        if (info.stored) {
          // Archived before (e.g. by the previous leader): nothing to write.
          this.done(a, true);
          return;
        }
        if (state === 'unavailable') {
          this.done(a, false);
          return;
        }
        this.flush(a, true, info.message);
        a.chain = a.chain.then(() => this.done(a, !a.failed));
      },
    });
  }

  private add(a: Archive, seq: number, lines: readonly string[]): void {
    for (const [i, line] of lines.entries()) {
      const size = lineBytes(line);
      if (a.lines.length > 0 && a.bytes + size > MAX_CHUNK_BYTES) {
        this.flush(a, false);
        a.index++;
        a.firstLine = seq + i;
        a.lines = [];
        a.bytes = 0;
      }
      a.lines.push(line);
      a.bytes += size;
    }
    a.timer ??= setTimeout(() => {
      a.timer = undefined;
      this.flush(a, false);
    }, FLUSH_MS);
  }

  /** Queues a write of the open chunk as it is now. */
  private flush(a: Archive, final: boolean, incomplete?: string): void {
    if (a.timer && final) {
      clearTimeout(a.timer);
      a.timer = undefined;
    }
    const chunk: ChunkWrite = { index: a.index, firstLine: a.firstLine, lines: [...a.lines], final, ...(incomplete ? { incomplete } : {}) };
    a.chain = a.chain.then(async () => {
      if (a.failed) return;
      try {
        await this.store.write(a.execution, chunk);
      } catch (err) {
        // The whole log is read again at the next sweep (the pod still has it).
        a.failed = true;
        this.log.warn(
          { err, namespace: a.execution.metadata.namespace, execution: a.execution.metadata.name },
          'storing a log chunk failed',
        );
      }
    });
  }

  private done(a: Archive, complete: boolean): void {
    const uid = uidOf(a.execution);
    if (a.timer) clearTimeout(a.timer);
    a.sub?.close();
    this.active.delete(uid);
    if (complete) this.finished?.add(uid);
  }

  /** Waits for queued chunk writes (shutdown hands the log over complete up to its last flush). */
  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    const chains = [...this.active.values()].map((a) => {
      if (a.timer) {
        clearTimeout(a.timer);
        this.flush(a, false);
      }
      a.sub?.close();
      return a.chain;
    });
    await Promise.race([Promise.all(chains), new Promise((r) => setTimeout(r, 3000).unref())]);
  }
}
