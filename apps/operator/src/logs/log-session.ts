import type { LogState } from '@tofu-operator/api-contracts';
import type { TofuExecution } from '@tofu-operator/api-types';
import { KubeApiError, type KubeClient, type Logger, type Pod } from '@tofu-operator/reconcile-runtime';
import { isTerminal } from '../execution/finished.js';
import { runnerStarted, runnerTerminated } from '../execution/runner-pod.js';
import type { StoredLog } from './log-chunks.js';
import { LineSplitter, parseTimestamped, ResumeFilter } from './log-lines.js';
import { openRunnerLog } from './pod-log.js';

/** Receives what a log session learns. Calls arrive in order; lines are never repeated or skipped. */
export interface LogSink {
  lines(seq: number, lines: readonly string[]): void;
  state(state: LogState, info: { lines: number; message?: string; stored: boolean }): void;
}

/** What a session needs from the rest of the service (narrow, so tests and callers stay simple). */
export interface LogSessionDeps {
  client: KubeClient;
  log: Logger;
  /** The execution from the cache, or undefined once it is gone. */
  execution(): TofuExecution | undefined;
  /** The execution's newest runner pod from the cache. */
  pod(execution: TofuExecution): Pod | undefined;
  readStored(execution: TofuExecution): Promise<StoredLog>;
  /** Called once when the session has ended and has no subscribers left to serve. */
  onUpstream?(delta: 1 | -1): void;
}

/** How long a session waits before looking at the cache again when no event woke it. */
const POLL_MS = 1000;
/** Pause before reopening a log stream that ended early or failed. */
const RESUME_MS = 500;
/**
 * How long lines read from the pod are collected before they go to the viewers. The API server
 * passes a fast log on in pieces of a few lines; one message per piece costs a write per viewer
 * each (and a parse and a render in each browser). Collected for this long, a fast log goes out in
 * messages of hundreds of lines; a slow one is late by at most this much.
 */
export const LINE_BATCH_MS = 20;

/**
 * The log of one execution, read once per replica and shared by every viewer: from the store when the
 * log is stored to its end, else from the runner pod (one follow stream that resumes where it broke
 * off). Lines are numbered from the start of the log; `lines[seq]` is line number seq.
 */
export class LogSession {
  readonly lines: string[] = [];
  state: LogState = 'waiting';
  message: string | undefined;
  /** The lines came from the store (the log was already archived). */
  stored = false;
  /** Each viewer with the first line number it wants (it may ask for lines not read yet) and its batch size. */
  private readonly sinks = new Map<LogSink, { from: number; batch: number }>();
  private readonly abort = new AbortController();
  private wakeUp: (() => void) | undefined;
  private started = false;
  /** Lines read from the pod and not yet handed to the viewers (see LINE_BATCH_MS). */
  private pending: string[] = [];
  private pendingTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly namespace: string,
    readonly name: string,
    private readonly deps: LogSessionDeps,
  ) {}

  get subscribers(): number {
    return this.sinks.size;
  }

  get done(): boolean {
    return this.state === 'ended' || this.state === 'unavailable';
  }

  /**
   * Adds a viewer: it gets the lines from `fromSeq` held so far and the current state at once, then
   * everything new. Returns the function that removes it.
   */
  subscribe(sink: LogSink, fromSeq: number, batch: number): () => void {
    for (let i = fromSeq; i < this.lines.length; i += batch) sink.lines(i, this.lines.slice(i, Math.min(i + batch, this.lines.length)));
    sink.state(this.state, this.info());
    this.sinks.set(sink, { from: fromSeq, batch });
    if (!this.started) {
      this.started = true;
      void this.run();
    }
    return () => {
      this.sinks.delete(sink);
    };
  }

  /** Tells the session the cache changed (pod or execution), so a waiting session looks again. */
  poke(): void {
    this.wakeUp?.();
  }

  /** Stops reading. */
  close(): void {
    clearTimeout(this.pendingTimer);
    this.abort.abort();
    this.poke();
  }

  private info(): { lines: number; message?: string; stored: boolean } {
    return { lines: this.lines.length, stored: this.stored, ...(this.message ? { message: this.message } : {}) };
  }

  private setState(state: LogState, message?: string): void {
    this.flushPending(); // a state (ended) always comes after every line read before it
    if (this.state === state && this.message === message) return;
    this.state = state;
    this.message = message;
    for (const s of [...this.sinks.keys()]) s.state(state, this.info());
  }

  private append(lines: string[]): void {
    if (lines.length === 0) return;
    const seq = this.lines.length;
    for (const l of lines) this.lines.push(l);
    const end = this.lines.length;
    for (const [s, { from, batch }] of [...this.sinks]) {
      // A large append (a stored log, a big chunk of the stream) reaches a viewer in batches too.
      if (seq >= from && lines.length <= batch) s.lines(seq, lines);
      else for (let i = Math.max(seq, from); i < end; i += batch) s.lines(i, this.lines.slice(i, Math.min(i + batch, end)));
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wakeUp = done;
    });
  }

  private async run(): Promise<void> {
    try {
      await this.follow();
    } catch (err) {
      if (this.abort.signal.aborted) return;
      this.deps.log.error({ err, namespace: this.namespace, execution: this.name }, 'log session failed');
      this.setState('unavailable', `the log could not be read: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private async follow(): Promise<void> {
    const signal = this.abort.signal;
    let execution = this.deps.execution();
    if (!execution) return this.setState('unavailable', 'the execution does not exist');
    const stored = await this.deps.readStored(execution);
    if (stored.final) {
      this.stored = true;
      this.append(stored.lines);
      return this.setState('ended', stored.incomplete);
    }
    // Wait for the runner container; the pod has the whole log from its start.
    for (;;) {
      if (signal.aborted) return;
      execution = this.deps.execution();
      if (!execution) return this.setState('unavailable', 'the execution was deleted');
      const pod = this.deps.pod(execution);
      if (runnerStarted(pod)) break;
      if (isTerminal(execution)) {
        if (stored.lines.length > 0) {
          this.append(stored.lines);
          return this.setState('ended', 'the runner pod was removed before its log was stored to the end');
        }
        return this.setState(
          'ended',
          pod ? 'the runner container never started' : 'no log: the runner pod is gone and its log was not stored',
        );
      }
      this.setState('waiting');
      await this.sleep(POLL_MS);
    }
    this.setState('streaming');
    this.deps.onUpstream?.(1);
    try {
      await this.stream(signal);
    } finally {
      this.deps.onUpstream?.(-1);
    }
  }

  /** Reads the pod's log with follow, resuming after early ends, until the runner has terminated. */
  private async stream(signal: AbortSignal): Promise<void> {
    const filter = new ResumeFilter();
    let finalPass = false;
    let lostPod = false;
    while (!signal.aborted) {
      const execution = this.deps.execution();
      const pod = execution ? this.deps.pod(execution) : undefined;
      if (!pod?.metadata?.name) {
        lostPod = true;
        break;
      }
      // Once the runner has terminated, one more read without follow gets the tail the cache lag hid.
      finalPass = runnerTerminated(pod);
      const since = filter.sinceTime();
      filter.restart();
      const splitter = new LineSplitter();
      try {
        const body = await openRunnerLog(
          this.deps.client,
          this.namespace,
          pod.metadata.name,
          { follow: !finalPass, sinceTime: since },
          signal,
        );
        for await (const chunk of body as AsyncIterable<Buffer>) this.take(splitter.push(chunk.toString('utf8')), filter);
        // An unterminated line at an early end is a torn line: the resumed stream repeats it whole.
        const rest = splitter.flush();
        if (rest !== undefined && finalPass) this.take([rest], filter);
      } catch (err) {
        if (signal.aborted) return;
        if (err instanceof KubeApiError && err.code === 404) {
          lostPod = true;
          break;
        }
        this.deps.log.warn({ err, namespace: this.namespace, execution: this.name }, 'log stream broke off; resuming');
      }
      if (finalPass) break;
      await this.sleep(RESUME_MS);
    }
    if (signal.aborted) return;
    this.setState('ended', lostPod ? 'the runner pod was removed before its log ended' : undefined);
  }

  private take(raw: string[], filter: ResumeFilter): void {
    const out: string[] = [];
    for (const r of raw) {
      const line = parseTimestamped(r);
      if (filter.accept(line)) out.push(line.text);
    }
    if (out.length === 0) return;
    for (const l of out) this.pending.push(l);
    this.pendingTimer ??= setTimeout(() => this.flushPending(), LINE_BATCH_MS);
  }

  private flushPending(): void {
    clearTimeout(this.pendingTimer);
    this.pendingTimer = undefined;
    const lines = this.pending;
    this.pending = [];
    this.append(lines);
  }
}
