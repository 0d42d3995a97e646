import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { nameOf, namespaceOf, uidOf, type TofuExecution } from '@tofu-operator/api-types';
import type { Logger } from '@tofu-operator/reconcile-runtime';
import type { OperatorConfig } from '../config/operator-config.js';
import { isTerminal } from '../execution/finished.js';
import { ClusterCache } from '../kube/cluster-cache.js';
import { Leadership } from '../kube/leadership.js';
import { LOGGER, OPERATOR_CONFIG } from '../kube/tokens.js';
import { gapMarker, lineBytes, MAX_CHUNK_BYTES, namespaceFullMarker } from './log-chunks.js';
import { LogHub, type LogSubscription } from './log-hub.service.js';
import { LogQuota } from './log-quota.js';
import { ResumeCheck } from './log-resume.js';
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

/** One execution being archived: only its open chunk is held (the pod's stream waits while a sealed one is written). */
class Archive {
  index = 0;
  firstLine = 0;
  lines: string[] = [];
  bytes = 0;
  /** Text bytes of the open chunk as last queued for writing (undefined: not written yet). */
  written: number | undefined;
  timer: NodeJS.Timeout | undefined;
  /** Writes in order, one at a time. */
  chain: Promise<void> = Promise.resolve();
  sub: LogSubscription | undefined;
  /** Set while lines read again after a leader change are matched against the stored ones. */
  resume: ResumeCheck | undefined;
  failed = false;
  /** The final chunk is queued: nothing more is taken. */
  closed = false;
  constructor(
    readonly execution: TofuExecution,
    /** Started for a finished run (catch-up after a leader change), not a running one. */
    readonly catchUp: boolean,
  ) {}
}

/**
 * Stores the log of every execution whose runner started, while it runs, as TofuLogChunks
 * (docs/adr/0004-log-store.md). Runs on the leader only (it learns of leadership from Leadership's
 * events). It reads the pod's log through a session of its own that keeps no lines and waits for
 * each sealed chunk's write, so its memory is a chunk or two per run whatever the log's size; the
 * log stored and served ends at the per-run cap with a marker line, and a namespace whose stored
 * logs reach their caps gets a marker line instead of more chunks. A new leader resumes after the
 * stored chunks: it never rewrites stored lines with different ones, and records a gap when the
 * pod's log no longer matches them.
 */
@Injectable()
export class LogArchiver implements OnApplicationShutdown {
  private readonly active = new Map<string, Archive>();
  private readonly quota: LogQuota;
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
    this.quota = new LogQuota({ maxChunks: config.logNamespaceMaxChunks, maxBytes: config.logNamespaceMaxBytes }, (ns) => store.usage(ns));
    cache.executions.onEvent((_e, x) => this.consider(x));
    leadership.onChange((leading) => this.leadershipChanged(leading));
  }

  /** Sweeps at once on becoming leader, then on a timer; stops sweeping when leadership ends. */
  private leadershipChanged(leading: boolean): void {
    this.leading = leading && this.config.role === 'all';
    if (!this.leading || this.stopped) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.quota.reset();
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

  /** Finds where the stored log ends, then reads the pod's log from line 0 and stores what is new. */
  private start(x: TofuExecution, catchUp: boolean): void {
    const a = new Archive(x, catchUp);
    this.active.set(uidOf(x), a);
    a.chain = this.store.tail(x).then(
      (tail) => {
        if (tail.final || this.stopped) return this.done(a, tail.final);
        a.index = tail.last?.index ?? tail.next.index;
        a.firstLine = tail.last?.firstLine ?? tail.next.firstLine;
        if (tail.last) {
          a.resume = new ResumeCheck(tail.last.firstLine, tail.last.lines);
          a.lines = [...tail.last.lines];
          a.bytes = a.lines.reduce((n, l) => n + lineBytes(l), 0);
          a.written = a.bytes;
        }
        a.sub = this.hub.open(namespaceOf(x), nameOf(x), this.sink(a), () => Promise.resolve({ lines: [], final: false }));
      },
      (err: unknown) => {
        this.log.warn({ err, namespace: namespaceOf(x), execution: nameOf(x) }, 'cannot read the stored log; retrying at the next sweep');
        this.done(a, false);
      },
    );
  }

  private sink(a: Archive): Parameters<LogHub['open']>[2] {
    return {
      lines: (seq, lines) => this.take(a, seq, lines),
      state: (state, info) => {
        if (a.closed || (state !== 'ended' && state !== 'unavailable')) return;
        if (state === 'unavailable') return this.done(a, false);
        // The pod's log ended before the resume point: it is not the log stored.
        if (a.resume?.endedShort()) this.push(a, gapMarker(a.resume.end));
        this.flush(a, true, info.message);
        a.chain = a.chain.then(() => this.done(a, !a.failed));
      },
    };
  }

  /** Takes lines from the session; the promise it answers holds the pod's stream while a sealed chunk is written. */
  private take(a: Archive, seq: number, lines: readonly string[]): Promise<void> | undefined {
    if (a.closed || a.failed) return undefined;
    let sealed = false;
    for (const [i, line] of lines.entries()) {
      if (a.resume) {
        const step = a.resume.step(seq + i, line);
        if (step === 'skip') continue;
        if (step === 'gap') sealed = this.push(a, gapMarker(a.resume.end)) || sealed;
        a.resume = undefined;
      }
      sealed = this.push(a, line) || sealed;
    }
    a.timer ??= setTimeout(() => {
      a.timer = undefined;
      this.flush(a, false);
    }, FLUSH_MS);
    return sealed ? a.chain : undefined;
  }

  /** Adds a line to the open chunk; seals it first when the line does not fit. Answers whether it sealed. */
  private push(a: Archive, line: string): boolean {
    const size = lineBytes(line);
    const seal = a.lines.length > 0 && a.bytes + size > MAX_CHUNK_BYTES;
    if (seal) {
      this.flush(a, false);
      a.firstLine += a.lines.length;
      a.index++;
      a.lines = [];
      a.bytes = 0;
      a.written = undefined;
    }
    a.lines.push(line);
    a.bytes += size;
    return seal;
  }

  /** Queues a write of the open chunk as it is now, within the namespace's caps (a final chunk always goes). */
  private flush(a: Archive, final: boolean, incomplete?: string): void {
    if (a.closed) return;
    if (a.timer) {
      clearTimeout(a.timer);
      a.timer = undefined;
    }
    if (final) a.closed = true;
    const ns = namespaceOf(a.execution);
    const chunk: ChunkWrite = { index: a.index, firstLine: a.firstLine, lines: [...a.lines], final, ...(incomplete ? { incomplete } : {}) };
    const grow = { chunks: a.written === undefined ? 1 : 0, bytes: Math.max(0, a.bytes - (a.written ?? 0)) };
    a.written = a.bytes;
    a.chain = a.chain.then(async () => {
      if (a.failed) return;
      try {
        if (final) this.quota.add(ns, grow.chunks, grow.bytes);
        const full = final ? undefined : await this.quota.reserve(ns, grow.chunks, grow.bytes);
        if (full) return await this.stopFull(a, chunk, full);
        await this.store.write(a.execution, chunk);
      } catch (err) {
        // The log is read again at the next sweep (the pod still has it), resuming after what is stored.
        a.failed = true;
        this.log.warn({ err, namespace: ns, execution: nameOf(a.execution) }, 'storing a log chunk failed');
        this.done(a, false);
      }
    });
  }

  /** The namespace's stored logs are at their cap: the chunk ends the log with a marker line instead. */
  private async stopFull(a: Archive, chunk: ChunkWrite, why: string): Promise<void> {
    const ns = namespaceOf(a.execution);
    this.log.warn(
      { namespace: ns, execution: nameOf(a.execution), why },
      'log storage of the namespace is full; the rest of this log is not stored',
    );
    a.closed = true;
    const marker = namespaceFullMarker(ns, why);
    await this.store.write(a.execution, { ...chunk, lines: [...chunk.lines, marker], final: true, incomplete: marker });
    this.done(a, true);
  }

  private done(a: Archive, complete: boolean): void {
    const uid = uidOf(a.execution);
    if (a.timer) clearTimeout(a.timer);
    a.closed = true;
    a.sub?.close();
    if (this.active.get(uid) === a) this.active.delete(uid);
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
