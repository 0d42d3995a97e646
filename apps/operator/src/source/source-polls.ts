// The bookkeeping of the source poller, without Nest or Kubernetes: which owners share which
// source, when each source is due, what its last poll found, and whom to tell when that changes.
// The poll itself (git ls-remote with the credentials) is a function given to it.
import type { Source } from '@tofu-operator/api-types';
import { backoffAfterFailure, firstPollDelay, nextAfterSuccess } from './poll-schedule.js';
import { fixedCommit, keyOf, targetOf, type SourceTarget } from './source-key.js';
import type { SourceObservation, SourceSubscriber } from './source-view.js';
import type { PollFailureReason } from './git-failure.js';

/** What one poll found. `commit` undefined with no failure: an abbreviated commit id, nothing to follow. */
export type PollOutcome = { commit?: string; failure?: undefined } | { failure: { reason: PollFailureReason; message: string } };

/** What the bookkeeping needs from outside. */
export interface PollDeps {
  poll(target: SourceTarget): Promise<PollOutcome>;
  now(): number;
  random(): number;
  /** Called after every poll (metrics). */
  polled?(ok: boolean): void;
  /** Called when a source starts failing or recovers (the log). */
  transition?(target: SourceTarget, failure: PollOutcome['failure']): void;
}

/** Polls running at once, whatever the number of sources due. */
export const MAX_CONCURRENT_POLLS = 8;

interface Entry {
  key: string;
  target: SourceTarget;
  /** Subscriber id -> its subscriber and interval (0: follows the source but does not ask for polls). */
  subscribers: Map<string, { subscriber: SourceSubscriber; intervalMs: number }>;
  /** How many subscribers ask for each interval (> 0): the shortest is found without a pass over thousands of subscribers. */
  intervals: Map<number, number>;
  commit?: string;
  lastPollTime?: number;
  failure?: { reason: PollFailureReason; message: string; since: string };
  failures: number;
  /** Polled at least once (found something or failed). */
  known: boolean;
  dueAt?: number;
  polling: boolean;
  /** Asked to poll at once while a poll was running: poll again after it. */
  again: boolean;
}

/** Takes the subscriber out of the entry, and its interval out of the counts. */
function removeSubscriber(entry: Entry, id: string): void {
  const was = entry.subscribers.get(id);
  if (!was) return;
  entry.subscribers.delete(id);
  if (was.intervalMs <= 0) return;
  const left = (entry.intervals.get(was.intervalMs) ?? 0) - 1;
  if (left > 0) entry.intervals.set(was.intervalMs, left);
  else entry.intervals.delete(was.intervalMs);
}

const subscriberId = (s: SourceSubscriber) => `${s.kind}/${s.namespace}/${s.name}`;
const iso = (ms: number) => new Date(ms).toISOString();

/** Sources, their subscribers and their schedule (see SourceView). */
export class SourcePolls {
  private readonly entries = new Map<string, Entry>();
  private readonly keyOfSubscriber = new Map<string, string>();
  private readonly listeners: ((subscribers: readonly SourceSubscriber[]) => void)[] = [];
  private running = 0;
  private leadingSince: number | undefined;

  constructor(private readonly deps: PollDeps) {}

  /** Sources followed (for the keys gauge). */
  get size(): number {
    return this.entries.size;
  }

  /** Polls in flight. */
  get inFlight(): number {
    return this.running;
  }

  onChange(listener: (subscribers: readonly SourceSubscriber[]) => void): void {
    this.listeners.push(listener);
  }

  observe(subscriber: SourceSubscriber, namespace: string, source: Source, intervalMs: number): SourceObservation | undefined {
    const target = targetOf(namespace, source);
    const fixed = fixedCommit(target.revision);
    const id = subscriberId(subscriber);
    const key = keyOf(target);
    const previous = this.keyOfSubscriber.get(id);
    if (previous !== undefined && previous !== key) this.forget(subscriber);
    // A full commit id is the commit: nothing to poll, nothing to remember.
    if (fixed) return { commit: fixed };
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { key, target, subscribers: new Map(), intervals: new Map(), failures: 0, known: false, polling: false, again: false };
      this.entries.set(key, entry);
    }
    removeSubscriber(entry, id);
    const sub = { subscriber, intervalMs: Math.max(0, intervalMs) };
    entry.subscribers.set(id, sub);
    if (sub.intervalMs > 0) entry.intervals.set(sub.intervalMs, (entry.intervals.get(sub.intervalMs) ?? 0) + 1);
    this.keyOfSubscriber.set(id, key);
    this.reschedule(entry);
    return this.observation(entry);
  }

  forget(subscriber: SourceSubscriber): void {
    const id = subscriberId(subscriber);
    const key = this.keyOfSubscriber.get(id);
    if (key === undefined) return;
    this.keyOfSubscriber.delete(id);
    const entry = this.entries.get(key);
    if (!entry) return;
    removeSubscriber(entry, id);
    if (entry.subscribers.size === 0) this.entries.delete(key);
    else this.reschedule(entry);
  }

  /**
   * Polls the source of `subscriber` (observed with `source`, any interval, 0 included) as soon as a
   * slot is free. Returns false for a full commit id (nothing to poll).
   */
  pollNow(subscriber: SourceSubscriber, namespace: string, source: Source): boolean {
    const id = subscriberId(subscriber);
    if (!this.keyOfSubscriber.has(id) || this.keyOfSubscriber.get(id) !== keyOf(targetOf(namespace, source))) {
      this.observe(subscriber, namespace, source, 0);
    }
    const entry = this.entries.get(this.keyOfSubscriber.get(id) ?? '');
    if (!entry) return false;
    if (entry.polling) entry.again = true;
    else entry.dueAt = this.deps.now();
    return true;
  }

  /** This replica started (true) or stopped leading: the first polls after a start are spread. */
  setLeading(leading: boolean): void {
    const now = this.deps.now();
    this.leadingSince = leading ? now : undefined;
    if (!leading) return;
    for (const entry of this.entries.values()) {
      const interval = this.intervalOf(entry);
      if (entry.dueAt !== undefined && interval > 0) entry.dueAt = now + firstPollDelay(interval, 0, this.deps.random());
    }
  }

  /** Starts the polls that are due (at most MAX_CONCURRENT_POLLS at once); call it every second while leading. */
  tick(): void {
    if (this.leadingSince === undefined) return;
    const now = this.deps.now();
    const due = [...this.entries.values()].filter((e) => !e.polling && e.dueAt !== undefined && e.dueAt <= now);
    due.sort((a, b) => (a.dueAt ?? 0) - (b.dueAt ?? 0));
    for (const entry of due) {
      if (this.running >= MAX_CONCURRENT_POLLS) break;
      void this.run(entry);
    }
  }

  private async run(entry: Entry): Promise<void> {
    entry.polling = true;
    entry.again = false;
    entry.dueAt = undefined;
    this.running++;
    let outcome: PollOutcome;
    try {
      outcome = await this.deps.poll(entry.target);
    } catch (err) {
      outcome = { failure: { reason: 'SourceUnreachable', message: `polling failed: ${(err as Error).message}` } };
    } finally {
      this.running--;
      entry.polling = false;
    }
    this.deps.polled?.(!outcome.failure);
    // Forgotten while it ran: nobody to tell.
    if (this.entries.get(entry.key) !== entry) return this.tick();
    const now = this.deps.now();
    const before = { commit: entry.commit, reason: entry.failure?.reason, known: entry.known };
    entry.known = true;
    if (outcome.failure) {
      entry.failures++;
      if (!entry.failure || entry.failure.reason !== outcome.failure.reason) this.deps.transition?.(entry.target, outcome.failure);
      entry.failure = { ...outcome.failure, since: entry.failure?.since ?? iso(now) };
    } else {
      if (entry.failure) this.deps.transition?.(entry.target, undefined);
      entry.failures = 0;
      entry.failure = undefined;
      entry.commit = outcome.commit;
      entry.lastPollTime = now;
    }
    const interval = this.intervalOf(entry);
    if (entry.again) entry.dueAt = now;
    else if (interval > 0)
      entry.dueAt = now + (entry.failure ? backoffAfterFailure(entry.failures, interval) : nextAfterSuccess(interval, this.deps.random()));
    if (before.commit !== entry.commit || before.reason !== entry.failure?.reason || !before.known) this.notify(entry);
    // A slot is free: a source waiting for one (or this one, asked again) need not wait for the next tick.
    this.tick();
  }

  private notify(entry: Entry): void {
    const subscribers = [...entry.subscribers.values()].map((s) => s.subscriber);
    for (const listener of this.listeners) listener(subscribers);
  }

  /** The shortest interval among the subscribers that ask for polls (0: none does). */
  private intervalOf(entry: Entry): number {
    let min = 0;
    for (const intervalMs of entry.intervals.keys()) if (min === 0 || intervalMs < min) min = intervalMs;
    return min;
  }

  private reschedule(entry: Entry): void {
    if (entry.polling) return;
    const interval = this.intervalOf(entry);
    const now = this.deps.now();
    if (interval === 0) {
      // Nobody polls it any more; a one-off poll already asked for (pollNow) still happens.
      if (entry.dueAt !== undefined && entry.dueAt > now) entry.dueAt = undefined;
      return;
    }
    if (entry.dueAt === undefined) {
      const since = this.leadingSince === undefined ? 0 : now - this.leadingSince;
      entry.dueAt = entry.known ? (entry.lastPollTime ?? now) + interval : now + firstPollDelay(interval, since, this.deps.random());
    } else if (entry.dueAt > now + interval) {
      entry.dueAt = now + interval; // a subscriber with a shorter interval joined
    }
  }

  private observation(entry: Entry): SourceObservation | undefined {
    if (!entry.known) return undefined;
    return {
      commit: entry.commit,
      lastPollTime: entry.lastPollTime === undefined ? undefined : iso(entry.lastPollTime),
      nextPollTime: entry.dueAt === undefined ? undefined : iso(entry.dueAt),
      failure: entry.failure,
    };
  }
}
