import { StringDecoder } from 'node:string_decoder';
import type { LogState } from '@tofu-operator/api-contracts';
import type { TofuExecution } from '@tofu-operator/api-types';
import { type KubeClient, type Logger, type Pod } from '@tofu-operator/reconcile-runtime';
import { isTerminal } from '../execution/finished.js';
import { runnerStarted, runnerTerminated } from '../execution/runner-pod.js';
import { LogCap, formatBytes, type StoredLog } from './log-chunks.js';
import { LineSplitter, parseTimestamped, ResumeFilter } from './log-lines.js';
import { openRunnerLog } from './pod-log.js';
import { ReadFailures } from './read-failures.js';
import { END_WAIT_MS, LINE_BATCH_MS, MAX_PENDING_BYTES, POLL_MS, RESUME_MS, Sleeper } from './log-timing.js';

/**
 * Receives what a log session learns. Calls arrive in order; lines are never repeated or skipped. A
 * sink that returns a promise from `lines` holds the session's reading of the pod until it settles
 * (back-pressure on the pods/log stream: the archiver waits for its chunk writes this way).
 */
export interface LogSink {
  lines(seq: number, lines: readonly string[]): void | Promise<void>;
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
  /** The per-run cap: the log served ends with a truncation marker after this many bytes of text. */
  maxBytes: number;
  /** Keep the lines read for later viewers (default); the archiver's session keeps none (one sink from line 0). */
  history?: boolean;
  /** How long a follow stream that ended cleanly waits for the cache to show the runner terminated (default END_WAIT_MS). */
  endWaitMs?: number;
}

/**
 * The log of one execution, read once per replica and shared by every viewer: from the store when the
 * log is stored to its end, else from the runner pod (one follow stream that resumes where it broke
 * off). Lines are numbered from the start of the log; `lines[seq]` is line number seq.
 */
export class LogSession {
  /** The lines read so far (empty when the session keeps no history: see `count`). */
  readonly lines: string[] = [];
  /** Number of lines read so far. */
  count = 0;
  state: LogState = 'waiting';
  message: string | undefined;
  /** The lines came from the store (the log was already archived). */
  stored = false;
  /** Each viewer with the first line number it wants (it may ask for lines not read yet) and its batch size. */
  private readonly sinks = new Map<LogSink, { from: number; batch: number }>();
  private readonly abort = new AbortController();
  private readonly waits = new Sleeper();
  private started = false;
  /** Lines read from the pod and not yet handed to the viewers (see LINE_BATCH_MS). */
  private pending: string[] = [];
  private pendingBytes = 0;
  private pendingTimer: NodeJS.Timeout | undefined;
  /** Promises of sinks still busy with lines (see LogSink). */
  private busy: Promise<void>[] = [];
  private readonly cap: LogCap;

  constructor(
    readonly namespace: string,
    readonly name: string,
    private readonly deps: LogSessionDeps,
  ) {
    this.cap = new LogCap(deps.maxBytes);
  }

  get subscribers(): number {
    return this.sinks.size;
  }

  get done(): boolean {
    return this.state === 'ended' || this.state === 'unavailable';
  }

  /**
   * Adds a viewer: it gets the lines from `fromSeq` held so far and the current state at once, then
   * everything new (lines held so far are handed over without waiting on the sink). Returns the function that removes it.
   */
  subscribe(sink: LogSink, fromSeq: number, batch: number): () => void {
    for (let i = fromSeq; i < this.lines.length; i += batch)
      void sink.lines(i, this.lines.slice(i, Math.min(i + batch, this.lines.length)));
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
    this.waits.wake();
  }

  /** Stops reading. */
  close(): void {
    clearTimeout(this.pendingTimer);
    this.abort.abort();
    this.poke();
  }

  private info(): { lines: number; message?: string; stored: boolean } {
    return { lines: this.count, stored: this.stored, ...(this.message ? { message: this.message } : {}) };
  }

  private setState(state: LogState, message?: string): void {
    this.flushPending(); // a state (ended) always comes after every line read before it
    if (this.state === state && this.message === message) return;
    this.state = state;
    this.message = message;
    for (const s of [...this.sinks.keys()]) s.state(state, this.info());
  }

  private append(lines: readonly string[]): void {
    if (lines.length === 0) return;
    const seq = this.count;
    const end = seq + lines.length;
    this.count = end;
    if (this.deps.history !== false) for (const l of lines) this.lines.push(l);
    for (const [s, { from, batch }] of [...this.sinks]) {
      // A large append (a stored log, a big chunk of the stream) reaches a viewer in batches too.
      for (let i = Math.max(seq, from); i < end; i += batch) {
        const part = i === seq && lines.length <= batch ? lines : lines.slice(i - seq, Math.min(i + batch, end) - seq);
        const wait = s.lines(i, part);
        if (wait) this.busy.push(wait);
      }
    }
  }

  /** Waits until every sink has taken the lines handed to it (see LogSink). */
  private async drain(): Promise<void> {
    while (this.busy.length > 0) {
      const busy = this.busy;
      this.busy = [];
      await Promise.all(busy);
    }
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
      await this.waits.sleep(POLL_MS);
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
    const failures = new ReadFailures();
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
      const decoder = new StringDecoder('utf8');
      try {
        const body = await openRunnerLog(
          this.deps.client,
          this.namespace,
          pod.metadata.name,
          { follow: !finalPass, sinceTime: since },
          signal,
        );
        for await (const chunk of body as AsyncIterable<Buffer>) {
          this.take(splitter.push(decoder.write(chunk)), filter);
          // Not reading on while a sink is busy pushes back on the API server (TCP flow control).
          await this.drain();
          if (this.cap.reached) break;
        }
        // An unterminated line at an early end is a torn line: the resumed stream repeats it whole.
        const rest = splitter.flush();
        if (rest !== undefined && finalPass && !this.cap.reached) this.take([rest], filter);
        await this.drain();
        failures.ok();
      } catch (err) {
        if (signal.aborted) return;
        if (failures.ends(err, finalPass)) break;
        this.deps.log.warn({ err, namespace: this.namespace, execution: this.name }, 'log stream broke off; resuming');
        finalPass = false; // read the end again
        await this.waits.sleep(RESUME_MS);
        continue;
      }
      if (finalPass || this.cap.reached) break;
      await this.untilRunnerTerminated(signal, this.deps.endWaitMs ?? END_WAIT_MS);
    }
    if (signal.aborted) return;
    if (this.cap.reached) return this.setState('ended', `the log was truncated at ${formatBytes(this.cap.maxBytes)}`);
    this.setState('ended', lostPod ? 'the runner pod was removed before its log ended' : failures.why);
  }

  /** Waits until the cache shows the runner terminated (or its pod gone), for at most `ms`. */
  private async untilRunnerTerminated(signal: AbortSignal, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    for (;;) {
      const execution = this.deps.execution();
      const pod = execution ? this.deps.pod(execution) : undefined;
      const left = deadline - Date.now();
      if (signal.aborted || !pod || runnerTerminated(pod) || left <= 0) return;
      await this.waits.sleep(Math.min(left, POLL_MS));
    }
  }

  private take(raw: string[], filter: ResumeFilter): void {
    const out: string[] = [];
    for (const r of raw) {
      const line = parseTimestamped(r);
      if (filter.accept(line)) out.push(line.text);
    }
    const kept = this.cap.take(out);
    if (kept.length === 0) return;
    for (const l of kept) {
      this.pending.push(l);
      this.pendingBytes += l.length;
    }
    if (this.pendingBytes >= MAX_PENDING_BYTES || this.cap.reached) this.flushPending();
    else this.pendingTimer ??= setTimeout(() => this.flushPending(), LINE_BATCH_MS);
  }

  private flushPending(): void {
    clearTimeout(this.pendingTimer);
    this.pendingTimer = undefined;
    const lines = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.append(lines);
  }
}
