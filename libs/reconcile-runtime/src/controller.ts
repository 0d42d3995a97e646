import { randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import { WorkQueue, type WorkQueueOptions } from './work-queue.js';

/** What a reconcile asks for next. Throwing means "failed, retry with backoff". */
export type ReconcileResult = { requeueAfterMs?: number } | void;

/** Identifies the object a reconcile is for. */
export interface ReconcileRequest {
  namespace: string;
  name: string;
}

/**
 * Reconcile ids: 8 hex digits counting up from a random start, so two processes' ids rarely meet
 * and one process repeats none for 2^32 reconciles (randomBytes per reconcile cost about 1 % of the
 * operator's CPU under load).
 */
let lastReconcileId = randomInt(2 ** 32);
function nextReconcileId(): string {
  lastReconcileId = (lastReconcileId + 1) >>> 0;
  return lastReconcileId.toString(16).padStart(8, '0');
}

/** Context handed to each reconcile: a logger carrying kind, namespace, name and a reconcile id. */
export interface ReconcileContext {
  log: Logger;
  reconcileId: string;
}

/** A level-based reconciler: reads current state (from caches) and makes the world match. */
export interface Reconciler {
  /** Kind name for logs and metrics. */
  readonly kind: string;
  reconcile(req: ReconcileRequest, ctx: ReconcileContext): Promise<ReconcileResult>;
}

/** Observes reconciles, for metrics. */
export interface ControllerObserver {
  reconciled(kind: string, outcome: 'success' | 'requeue' | 'error', durationMs: number): void;
  queueWait(kind: string, waitedMs: number): void;
}

export interface ControllerOptions {
  /** Parallel reconciles; one key is never reconciled twice at once. Default 4. */
  concurrency?: number;
  observer?: ControllerObserver;
  /** Options of the work queue (retry delays, clock). */
  workQueue?: WorkQueueOptions;
}

/** Splits a "namespace/name" key. */
export function parseKey(key: string): ReconcileRequest {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/**
 * Runs a reconciler over a work queue, like controller-runtime's controller: informer callbacks
 * only enqueue keys; workers take keys, reconcile, and requeue with per-key backoff on errors or
 * after the delay the reconciler asked for.
 */
export class Controller {
  readonly queue: WorkQueue;
  private workers: Promise<void>[] = [];
  private readonly concurrency: number;

  constructor(
    private readonly reconciler: Reconciler,
    private readonly log: Logger,
    private readonly opts: ControllerOptions = {},
  ) {
    this.queue = new WorkQueue(opts.workQueue);
    this.concurrency = Math.max(1, opts.concurrency ?? 4);
    this.queue.onDequeue = (_key, waited) => opts.observer?.queueWait(reconciler.kind, waited);
  }

  /** Enqueues an object by namespace and name. */
  enqueue(namespace: string | undefined, name: string | undefined): void {
    if (!name) return;
    this.queue.add(namespace ? `${namespace}/${name}` : name);
  }

  /** Enqueues an object after a delay; enqueues within the delay collapse into one reconcile. */
  enqueueAfter(namespace: string | undefined, name: string | undefined, delayMs: number): void {
    if (!name) return;
    this.queue.addAfter(namespace ? `${namespace}/${name}` : name, delayMs);
  }

  /** Starts the workers. Call after every informer the reconciler reads has synced. */
  start(): void {
    for (let i = 0; i < this.concurrency; i++) this.workers.push(this.worker());
    this.log.info({ kind: this.reconciler.kind, concurrency: this.concurrency }, 'controller started');
  }

  /** Stops intake and waits for in-flight reconciles to finish. */
  async stop(): Promise<void> {
    this.queue.shutDown();
    await Promise.all(this.workers);
    this.workers = [];
  }

  private async worker(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      await this.process(key);
    }
  }

  private async process(key: string): Promise<void> {
    const req = parseKey(key);
    const reconcileId = nextReconcileId();
    const log = this.log.child({ kind: this.reconciler.kind, namespace: req.namespace, name: req.name, reconcileId });
    const started = performance.now();
    try {
      const result = await this.reconciler.reconcile(req, { log, reconcileId });
      this.queue.forget(key);
      const after = result?.requeueAfterMs;
      if (after !== undefined) this.queue.addAfter(key, after);
      this.opts.observer?.reconciled(this.reconciler.kind, after !== undefined ? 'requeue' : 'success', performance.now() - started);
    } catch (err) {
      const retries = this.queue.numRequeues(key);
      log.error({ err, retries }, 'reconcile failed; retrying with backoff');
      this.queue.addRateLimited(key);
      this.opts.observer?.reconciled(this.reconciler.kind, 'error', performance.now() - started);
    } finally {
      this.queue.done(key);
    }
  }
}
