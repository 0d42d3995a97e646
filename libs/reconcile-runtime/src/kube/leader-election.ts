import type { Logger } from 'pino';
import type { KubeClient } from './kube-client.js';
import { isAlreadyExists, isConflict, isNotFound } from './kube-errors.js';
import type { Lease } from './types.js';
import type { ResourceType } from '@tofu-operator/api-types';
import { systemClock, type Clock } from '../clock.js';

const Leases: ResourceType = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease', namespaced: true };

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  /** Unique per process, e.g. the pod name plus a random suffix. */
  identity: string;
  /** How long a lease is valid without renewal. Default 15 s. */
  leaseDurationMs?: number;
  /** The leader gives up if it cannot renew within this. Default 10 s. */
  renewDeadlineMs?: number;
  /** How often to try acquiring or renewing. Default 2 s. */
  retryPeriodMs?: number;
  /** Time and timers (expiry, renew deadline, retry period, MicroTimes written). The real ones by default. */
  clock?: Clock;
}

/** The client calls leader election makes (KubeClient has them; specs pass a fake). */
export type LeaseClient = Pick<KubeClient, 'get' | 'create' | 'replace'>;

/** Formats a time as a Kubernetes MicroTime (RFC 3339 with six fractional digits). */
export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * Leader election on a coordination.k8s.io/v1 Lease, with client-go's semantics: a candidate takes
 * the lease when it is free or expired (by its own clock since it last saw the record change), the
 * leader renews every retry period and steps down when it cannot renew within the renew deadline.
 * Writes use the Lease's resourceVersion, so two candidates never both win.
 */
export class LeaderElector {
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private observedRecord = '';
  private observedAt = 0;
  private leading = false;
  private stopped = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  /** The lease request in flight, aborted at its deadline or on stop. */
  private attempt: AbortController | undefined;
  private readonly clock: Clock;

  constructor(
    private readonly client: LeaseClient,
    private readonly opts: LeaderElectionOptions,
    private readonly log: Logger,
  ) {
    this.leaseDurationMs = opts.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = opts.retryPeriodMs ?? 2_000;
    this.clock = opts.clock ?? systemClock;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /**
   * Campaigns until stopped. Calls onStarted when this process becomes leader and onStopped when it
   * loses leadership (the caller should then stop reconciling, typically by exiting).
   */
  run(callbacks: { onStarted: () => void; onStopped: () => void }): void {
    const stepDown = () => {
      if (!this.leading) return;
      this.leading = false;
      this.log.error({ lease: this.opts.name }, 'lost leadership: could not renew the lease in time');
      callbacks.onStopped();
    };
    this.loop = (async () => {
      let lastRenew = 0;
      while (!this.stopped) {
        const started = this.clock.now();
        // A renewal is judged at the renew deadline, not when its request returns: a slow request is
        // aborted then, and leading work stops at that moment, before a standby may take the Lease.
        const budgetMs = this.leading ? Math.max(0, lastRenew + this.renewDeadlineMs - started) : this.renewDeadlineMs;
        const attempt = new AbortController();
        this.attempt = attempt;
        const deadline = this.clock.setTimeout(() => {
          attempt.abort(new Error(`the lease request did not end within ${budgetMs} ms`));
          if (this.leading && this.clock.now() - lastRenew >= this.renewDeadlineMs) stepDown();
        }, budgetMs);
        let ok = false;
        try {
          ok = await this.tryAcquireOrRenew(attempt.signal);
        } catch (err) {
          this.log.warn({ err, lease: this.opts.name }, 'leader election: lease update failed');
        } finally {
          this.clock.clearTimeout(deadline);
          this.attempt = undefined;
        }
        // An answer that came after the abort does not count: the deadline has already been judged.
        if (attempt.signal.aborted) ok = false;
        const now = this.clock.now();
        if (ok) {
          // The renewTime written is the attempt's start: count the lease from there, not from the answer.
          lastRenew = started;
          if (!this.leading) {
            this.leading = true;
            this.log.info({ lease: this.opts.name, identity: this.opts.identity }, 'became leader');
            callbacks.onStarted();
          }
        } else if (this.leading && now - lastRenew > this.renewDeadlineMs) {
          stepDown();
        }
        await this.sleep(this.retryPeriodMs);
      }
    })();
  }

  /** Stops campaigning and, if leading, releases the lease so a standby takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.attempt?.abort(new Error('leader election stopped'));
    this.wake?.();
    await this.loop;
    if (!this.leading) return;
    this.leading = false;
    try {
      const lease = await this.client.get<Lease>(Leases, this.opts.namespace, this.opts.name);
      if (lease.spec?.holderIdentity !== this.opts.identity) return;
      const now = microTime(new Date(this.clock.now()));
      await this.client.replace(Leases, this.opts.namespace, this.opts.name, {
        ...lease,
        spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now, acquireTime: now },
      });
      this.log.info({ lease: this.opts.name }, 'released the leader lease');
    } catch (err) {
      this.log.warn({ err }, 'could not release the leader lease');
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.stopped) return resolve();
      const t = this.clock.setTimeout(resolve, ms);
      this.wake = () => {
        this.clock.clearTimeout(t);
        resolve();
      };
    });
  }

  private async tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const { namespace, name, identity } = this.opts;
    const now = new Date(this.clock.now());
    const spec = {
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
      renewTime: microTime(now),
    };
    let lease: Lease;
    try {
      lease = await this.client.get<Lease>(Leases, namespace, name, { signal });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      try {
        await this.client.create<Lease>(
          Leases,
          namespace,
          {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name, namespace },
            spec: { ...spec, acquireTime: microTime(now), leaseTransitions: 0 },
          },
          { signal },
        );
        return true;
      } catch (createErr) {
        if (isAlreadyExists(createErr)) return false;
        throw createErr;
      }
    }
    const holder = lease.spec?.holderIdentity ?? '';
    // Expiry is judged by our own clock from when we last saw the record change, not by the
    // renewTime written by another machine's clock.
    const record = `${holder}|${lease.spec?.renewTime ?? ''}|${lease.metadata?.resourceVersion ?? ''}`;
    if (record !== this.observedRecord) {
      this.observedRecord = record;
      this.observedAt = this.clock.now();
    }
    const durationMs = (lease.spec?.leaseDurationSeconds ?? 15) * 1000;
    const held = holder !== '' && holder !== identity && this.clock.now() - this.observedAt < durationMs;
    if (held) return false;
    const transitions = (lease.spec?.leaseTransitions ?? 0) + (holder === identity ? 0 : 1);
    try {
      const updated = await this.client.replace<Lease>(
        Leases,
        namespace,
        name,
        {
          ...lease,
          spec: {
            ...spec,
            acquireTime: holder === identity ? lease.spec?.acquireTime : microTime(now),
            leaseTransitions: transitions,
          },
        },
        { signal },
      );
      this.observedRecord = `${identity}|${updated.spec?.renewTime ?? ''}|${updated.metadata?.resourceVersion ?? ''}`;
      this.observedAt = this.clock.now();
      return true;
    } catch (err) {
      if (isConflict(err)) return false;
      throw err;
    }
  }
}
