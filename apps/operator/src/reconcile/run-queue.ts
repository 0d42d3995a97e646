import { Inject, Injectable } from '@nestjs/common';
import { Annotations, controllerUid, nameOf, namespaceOf, uidOf, type TofuExecution } from '@tofu-operator/api-types';
import type { Logger } from '@tofu-operator/reconcile-runtime';
import type { OperatorConfig } from '../config/operator-config.js';
import { isTerminal } from '../execution/finished.js';
import { jobNameFor } from '../execution/naming.js';
import { ClusterCache, Index } from '../kube/cluster-cache.js';
import { Leadership } from '../kube/leadership.js';
import { LOGGER, OPERATOR_CONFIG } from '../kube/tokens.js';
import { runOf } from './job-template.js';
import { byNewest, createdAtMs } from './owner-status.js';
import { orderQueue, placeShownIsStale, type NamespaceCap, type QueueCandidate, type QueuePlace } from './run-queue-order.js';
import type { Queues } from './watches.js';

/** How soon after a change the queue is looked at again: changes within it (a burst of new runs) become one pass. */
const PUMP_DELAY_MS = 50;
/**
 * A pass over every execution is made at most once per this many times its own cost (and at least
 * every PUMP_DELAY_MS, at most every MAX_PASS_INTERVAL_MS apart): ordering the queue takes at most
 * about 5 % of the operator's time however many runs wait and however fast they change.
 */
const PASS_COST_FACTOR = 20;
const MAX_PASS_INTERVAL_MS = 2_000;
/**
 * How long the place changes of waiting runs are collected before their status is written: a queue
 * that moves every few seconds costs one write per run per move at most, and usually fewer.
 */
export const QUEUE_STATUS_COALESCE_MS = 2_000;
/**
 * While nobody waits the pump has no run to wake and no place to refresh (a new run asks by itself), so
 * it passes over every execution only this often, to drop the grants of runs that ended.
 */
export const IDLE_PASS_EVERY_MS = 10_000;

/**
 * What a run that asks for a slot gets: the slot, its place in the queue, or (a run the last pass did
 * not see, when a pass was made moments ago) when to ask again.
 */
export type Admission = { slot: true } | { slot: false; place: QueuePlace } | { slot: false; place: undefined; retryInMs: number };

/**
 * The run queue (docs/guides/run-queue.md): at most TOFU_OPERATOR_MAX_CONCURRENT_RUNS executions
 * have a Job that is not finished, and at most a namespace's cap in each namespace. Nothing of it is
 * stored: who holds a slot and who waits is read from the cache (after a restart or a failover too),
 * plus the slots this process granted whose Job the cache does not show yet. The execution reconciler
 * asks for a slot before it creates a Job; when a slot frees, the next run is woken at once.
 */
@Injectable()
export class RunQueue {
  /** Slots granted by this process to executions whose Job the cache may not show yet (by uid). */
  private readonly granted = new Set<string>();
  /** Runs told their place and waiting to be woken (by uid). */
  private readonly toldToWait = new Set<string>();
  /** Executions whose preparation waits on something else (a missing module): out of the queue until then (uid -> ms). */
  private readonly deferred = new Map<string, number>();
  /** When each namespace was last given a slot, for round-robin among equals. */
  private readonly lastServed = new Map<string, number>();
  private served = 0;
  /** The places at the last pass; `dirty` once something changed since (they are used until the next pass is due). */
  private places: Map<string, QueuePlace> | undefined;
  private dirty = true;
  /** What the last pass over every execution cost (ms). */
  private passCostMs = 0;
  /** The slots taken or promised at the last computation (plus grants since) and how many wait without one. */
  private load: QueueLoad | undefined;
  private queues: Queues | undefined;
  private pumpTimer: NodeJS.Timeout | undefined;
  /** When the queue was last computed from every execution. */
  private lastPassMs = Number.NEGATIVE_INFINITY;
  private readonly badCaps = new Set<string>();

  constructor(
    private readonly cache: ClusterCache,
    private readonly leadership: Leadership,
    @Inject(OPERATOR_CONFIG) private readonly config: OperatorConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /** Any change of an execution, a runner Job or a Namespace may move the queue. */
  setupWatches(queues: Queues): void {
    this.queues = queues;
    const changed = () => this.invalidate();
    this.cache.executions.onEvent(changed);
    this.cache.jobs.onEvent(changed);
    if (this.cache.namespaces) this.cache.namespaces.onEvent(changed);
    else this.log.info('one namespace is watched: the default namespace cap applies, annotations on the Namespace are not read');
    this.leadership.onChange(() => {
      // A new leader counts from the cache, not from what it computed while it led before.
      this.load = undefined;
      this.places = undefined;
      changed();
    });
  }

  /**
   * A slot for the execution's Job, or its place. Granted only to a run at the head of the fair
   * order; the grant holds until the execution ends or goes away (its Job then counts by itself).
   */
  acquire(execution: TofuExecution): Admission {
    const uid = uidOf(execution);
    if (this.granted.has(uid)) return { slot: true };
    this.deferred.delete(uid);
    // Places a little stale are safe: the runs admitted by one pass fit the caps, and slots only
    // free up until those runs take them (grants outside a pass are counted in the load).
    const known = this.places?.get(uid);
    if (known?.admit) return this.grant(execution, false);
    // Nobody waits and a slot is free: granted without ordering the whole queue (a burst of new runs
    // below the caps costs no pass over every execution per run).
    if (!known && this.uncontended(execution)) return this.grant(execution, true);
    if (this.dirty && this.passDue()) this.current();
    let place = this.places?.get(uid);
    if (!place) {
      // Not seen by the last pass (a new run, or the cache lagged behind): ordered with the others
      // now, or by the next pass when one was made moments ago (a burst costs a pass per interval).
      if (this.places && !this.passDue()) return { slot: false, place: undefined, retryInMs: this.nextPassInMs() };
      place = this.compute(execution).get(uid);
    }
    if (!place) return { slot: true };
    if (!place.admit) {
      this.toldToWait.add(uid);
      return { slot: false, place };
    }
    return this.grant(execution, false);
  }

  /** Whether the last computation showed nobody waiting for a slot, and one is free for the execution's namespace now. */
  private uncontended(execution: TofuExecution): boolean {
    const load = this.load;
    if (!load || load.waiting > 0 || load.total >= this.config.maxConcurrentRuns) return false;
    const ns = namespaceOf(execution);
    const cap = this.capOf(ns);
    return !cap || (load.byNs.get(ns) ?? 0) < cap.limit;
  }

  /** Gives the execution its slot; `unplanned` when the last computation had not promised it one. */
  private grant(execution: TofuExecution, unplanned: boolean): Admission {
    const ns = namespaceOf(execution);
    this.granted.add(uidOf(execution));
    this.toldToWait.delete(uidOf(execution));
    this.lastServed.set(ns, ++this.served);
    if (unplanned && this.load) {
      this.load.total++;
      this.load.byNs.set(ns, (this.load.byNs.get(ns) ?? 0) + 1);
    }
    this.invalidate();
    return { slot: true };
  }

  /** The run cannot start for another reason (its preparation waits): its slot goes to the next run. */
  release(execution: TofuExecution, retryInMs: number): void {
    const uid = uidOf(execution);
    this.granted.delete(uid);
    this.deferred.set(uid, Date.now() + retryInMs);
    this.invalidate();
  }

  private invalidate(): void {
    this.dirty = true;
    if (this.pumpTimer) return;
    this.pumpTimer = setTimeout(() => this.pump(), Math.max(PUMP_DELAY_MS, this.nextPassInMs()));
    this.pumpTimer.unref();
  }

  /**
   * Wakes the runs a slot is free for at once, and the waiting runs whose shown place is stale after
   * a short window (each writes its own status). Only the leader reconciles, and only after the cache has synced.
   */
  private pump(): void {
    this.pumpTimer = undefined;
    const queue = this.queues?.executions;
    if (!queue || !this.leadership.isLeader || !this.cache.executions.hasSynced || !this.cache.jobs.hasSynced) return;
    if (this.idle()) return;
    for (const place of this.current().values()) {
      if (place.admit) {
        queue.enqueue(place.namespace, place.name);
        continue;
      }
      const shown = this.cache.executions.get(place.namespace, place.name)?.status?.queue;
      if (placeShownIsStale(shown, place)) queue.enqueueAfter(place.namespace, place.name, QUEUE_STATUS_COALESCE_MS);
    }
  }

  /**
   * No run was told to wait, and the last pass is recent: nothing for the pump to do (a run that has
   * not asked yet asks by itself).
   */
  private idle(): boolean {
    return this.toldToWait.size === 0 && Date.now() - this.lastPassMs < IDLE_PASS_EVERY_MS;
  }

  private current(): Map<string, QueuePlace> {
    if (!this.places || this.dirty) return this.compute();
    return this.places;
  }

  private passDue(): boolean {
    return this.nextPassInMs() === 0;
  }

  /** How long until the next pass over every execution may be made. */
  private nextPassInMs(): number {
    const interval = Math.min(MAX_PASS_INTERVAL_MS, Math.max(PUMP_DELAY_MS, this.passCostMs * PASS_COST_FACTOR));
    return Math.max(0, this.lastPassMs + interval - Date.now());
  }

  /** The queue from the cache (and `asking`, if the cache does not show it waiting yet). */
  private compute(asking?: TofuExecution): Map<string, QueuePlace> {
    const started = performance.now();
    const running = new Map<string, number>();
    const waiting: QueueCandidate[] = [];
    const live = new Set<string>();
    const now = Date.now();
    this.lastPassMs = now;
    for (const [uid, until] of this.deferred) if (until <= now) this.deferred.delete(uid);
    for (const x of this.cache.executions.list()) {
      if (isTerminal(x)) continue;
      live.add(uidOf(x));
      if (this.holdsSlot(x)) running.set(namespaceOf(x), (running.get(namespaceOf(x)) ?? 0) + 1);
      else if (this.wantsSlot(x) || uidOf(x) === (asking && uidOf(asking))) waiting.push(candidateOf(x));
    }
    // Slots of executions that ended or went away are free again.
    for (const uid of this.granted) if (!live.has(uid)) this.granted.delete(uid);
    for (const uid of this.toldToWait) if (!live.has(uid)) this.toldToWait.delete(uid);
    if (asking && !live.has(uidOf(asking)) && !isTerminal(asking)) waiting.push(candidateOf(asking));
    const places = orderQueue({
      waiting,
      running,
      maxRuns: this.config.maxConcurrentRuns,
      capOf: (ns) => this.capOf(ns),
      lastServed: this.lastServed,
    });
    // Slots going or promised (admitted, not granted yet), and the runs that wait without one.
    const byNs = new Map(running);
    let total = [...running.values()].reduce((a, b) => a + b, 0);
    let stillWaiting = 0;
    for (const p of places) {
      if (!p.admit) stillWaiting++;
      else if (!this.granted.has(p.uid)) {
        total++;
        byNs.set(p.namespace, (byNs.get(p.namespace) ?? 0) + 1);
      }
    }
    this.load = { total, byNs, waiting: stillWaiting };
    this.places = new Map(places.map((p) => [p.uid, p]));
    this.dirty = false;
    this.passCostMs = performance.now() - started;
    return this.places;
  }

  /** Runs going: a Job (that the cache shows, the status names, or this process was granted a slot for). */
  private holdsSlot(x: TofuExecution): boolean {
    if (x.status?.jobName || this.granted.has(uidOf(x))) return true;
    const job = this.cache.jobs.get(namespaceOf(x), jobNameFor(nameOf(x)));
    return !!job && controllerUid(job) === uidOf(x);
  }

  /**
   * Would create its Job now: resolved, not deleting, not cancelled or superseded, not deferred, and
   * first of its owner (one run at a time per module or stack: the others wait for it, not for a slot).
   */
  private wantsSlot(x: TofuExecution): boolean {
    const a = x.metadata.annotations ?? {};
    if (x.metadata.deletionTimestamp || a[Annotations.cancelRequestedAt] || a[Annotations.supersededBy]) return false;
    if (!runOf(x) || this.deferred.has(uidOf(x))) return false;
    const owner = controllerUid(x);
    if (!owner) return true;
    const others = this.cache.executions.byIndex(Index.ownerUid, owner).filter((e) => uidOf(e) !== uidOf(x) && !isTerminal(e));
    return !others.some((e) => e.status?.jobName || byNewest(x, e) < 0);
  }

  /** The namespace's annotation (a whole number; 0 holds every run), else the operator's default per namespace. */
  private capOf(ns: string): NamespaceCap | undefined {
    const raw = this.cache.namespaces?.get(undefined, ns)?.metadata?.annotations?.[Annotations.maxConcurrentRuns];
    if (raw !== undefined) {
      if (/^\d{1,6}$/.test(raw.trim())) return { limit: Number(raw.trim()), source: 'annotation' };
      if (!this.badCaps.has(`${ns}=${raw}`)) {
        this.badCaps.add(`${ns}=${raw}`);
        this.log.warn({ namespace: ns, value: raw }, `${Annotations.maxConcurrentRuns} is not a whole number; the default applies`);
      }
    }
    const fallback = this.config.maxConcurrentRunsPerNamespace;
    return fallback ? { limit: fallback, source: 'default' } : undefined;
  }
}

/** What the queue held at its last computation: slots going or promised (all, by namespace), runs waiting without one. */
interface QueueLoad {
  total: number;
  byNs: Map<string, number>;
  waiting: number;
}

function candidateOf(x: TofuExecution): QueueCandidate {
  return { uid: uidOf(x), namespace: namespaceOf(x), name: nameOf(x), createdMs: createdAtMs(x), apply: x.spec.action !== 'plan' };
}
