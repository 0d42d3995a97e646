import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { TofuModules, type Source, type TofuModule } from '@tofu-operator/api-types';
import { isNotFound, KubeApiError, KubeClient, type Logger } from '@tofu-operator/reconcile-runtime';
import { Counter, Gauge } from 'prom-client';
import { ClusterCache } from '../kube/cluster-cache.js';
import { Leadership } from '../kube/leadership.js';
import { LOGGER } from '../kube/tokens.js';
import { METRICS_PREFIX, MetricsService } from '../metrics/metrics.service.js';
import { classifyLsRemote, stderrDetail } from './git-failure.js';
import { readCredentials } from './credentials-secret.js';
import { CredentialsError, preparePollAuth } from './git-credentials.js';
import { pollEnv, runGit, LS_REMOTE_TIMEOUT_MS } from './ls-remote.js';
import { displayUrl, lsRemoteArgs, parseLsRemote, resolveRevision, type SourceTarget } from './source-key.js';
import { SourcePolls, type PollOutcome } from './source-polls.js';
import type { SourceObservation, SourceSubscriber, SourceView } from './source-view.js';

/** How often due polls are looked for. */
const TICK_MS = 1000;

/**
 * Set on a module by a standby replica that received a valid push webhook: the leader (the only one
 * that polls) polls the module's source when the value changes (docs/guides/polling.md).
 */
export const POLL_REQUESTED_AT = 'tofu-operator.io/poll-requested-at';

/**
 * The source poller (issue 13): resolves the revision of every followed source with `git ls-remote`
 * from the operator, with the owner's credentials, at most once per interval per repository,
 * revision and credentials however many owners share them; backs off a failing source; tells the
 * owner reconcilers (SourceView.onChange) when a commit or a failure changes. Polls only while this
 * replica leads. docs/guides/polling.md.
 */
@Injectable()
export class SourcePoller implements SourceView, OnApplicationShutdown {
  private readonly polls: SourcePolls;
  private timer: NodeJS.Timeout | undefined;
  private readonly stopLeadership: () => void;
  /** The poll-request annotation of every module seen (namespace/name -> value, "" without one). */
  private readonly pollRequests = new Map<string, string>();

  constructor(
    private readonly client: KubeClient,
    private readonly cache: ClusterCache,
    private readonly leadership: Leadership,
    metrics: MetricsService,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    const registers = [metrics.registry];
    const pollsTotal = new Counter({
      name: `${METRICS_PREFIX}source_polls_total`,
      help: 'git ls-remote polls of followed sources, by result (ok, error).',
      labelNames: ['result'],
      registers,
    });
    for (const result of ['ok', 'error']) pollsTotal.inc({ result }, 0);
    this.polls = new SourcePolls({
      poll: (target) => this.pollOnce(target),
      now: Date.now,
      random: Math.random,
      polled: (ok) => pollsTotal.inc({ result: ok ? 'ok' : 'error' }),
      transition: (target, failure) => {
        const repository = displayUrl(target.repository);
        if (failure) this.log.warn({ repository, revision: target.revision, reason: failure.reason }, failure.message);
        else this.log.info({ repository, revision: target.revision }, 'source reachable again');
      },
    });
    const polls = this.polls;
    new Gauge({
      name: `${METRICS_PREFIX}source_keys`,
      help: 'Sources (repository, revision, credentials) owners follow; each is polled once per the shortest pollInterval among them (never when all have "0").',
      registers,
      collect() {
        this.set(polls.size);
      },
    });
    this.stopLeadership = leadership.onChange((leading) => this.leadershipChanged(leading));
    cache.modules.onEvent((event, module) => this.pollRequested(event, module));
  }

  observe(subscriber: SourceSubscriber, namespace: string, source: Source, intervalMs: number): SourceObservation | undefined {
    return this.polls.observe(subscriber, namespace, source, intervalMs);
  }

  forget(subscriber: SourceSubscriber): void {
    this.polls.forget(subscriber);
  }

  onChange(listener: (subscribers: readonly SourceSubscriber[]) => void): void {
    this.polls.onChange(listener);
  }

  /**
   * Polls the source of module `namespace`/`name` at once (a push webhook), whatever its
   * pollInterval, "0" included. False when the module is not in the cache.
   */
  pollNow(namespace: string, name: string): boolean {
    const module = this.cache.modules.get(namespace, name);
    const source = module?.spec?.source;
    if (!source) return false;
    this.polls.pollNow({ kind: 'TofuModule', namespace, name }, namespace, source);
    this.polls.tick();
    return true;
  }

  /**
   * A valid push for module `namespace`/`name`: polled at once on the leader; a standby asks the
   * leader with the POLL_REQUESTED_AT annotation. False when the module is not in the cache.
   */
  async requestPoll(namespace: string, name: string): Promise<boolean> {
    if (!this.cache.modules.get(namespace, name)?.spec?.source) return false;
    if (this.leadership.isLeader) return this.pollNow(namespace, name);
    try {
      const patch = { metadata: { annotations: { [POLL_REQUESTED_AT]: new Date().toISOString() } } };
      await this.client.mergePatch(TofuModules, namespace, name, patch);
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  onApplicationShutdown(): void {
    this.stopLeadership();
    this.leadershipChanged(false);
  }

  /** Polls a module whose poll-request annotation changed (never at the first sight of a module). */
  private pollRequested(event: 'add' | 'update' | 'delete', module: TofuModule): void {
    const namespace = module.metadata?.namespace ?? '';
    const name = module.metadata?.name ?? '';
    const key = `${namespace}/${name}`;
    if (event === 'delete') {
      this.pollRequests.delete(key);
      return;
    }
    const value = module.metadata?.annotations?.[POLL_REQUESTED_AT] ?? '';
    const seen = this.pollRequests.get(key);
    this.pollRequests.set(key, value);
    if (seen !== undefined && value !== '' && value !== seen && this.leadership.isLeader) this.pollNow(namespace, name);
  }

  private leadershipChanged(leading: boolean): void {
    this.polls.setLeading(leading);
    if (leading && !this.timer) {
      this.timer = setInterval(() => this.polls.tick(), TICK_MS);
      this.timer.unref();
    } else if (!leading && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** One ls-remote of `target` with its credentials; never throws. */
  private async pollOnce(target: SourceTarget): Promise<PollOutcome> {
    const shown = displayUrl(target.repository);
    let data: Record<string, string> | undefined;
    if (target.secretName) {
      const ref = `${target.namespace}/${target.secretName}`;
      try {
        // Read at poll time, never cached.
        data = await readCredentials(this.client, target.namespace, target.secretName);
      } catch (err) {
        const why = isNotFound(err)
          ? 'does not exist'
          : err instanceof KubeApiError && err.code === 403
            ? 'may not be read by the operator'
            : `cannot be read (${err instanceof KubeApiError ? err.code : (err as Error).message})`;
        const reason = err instanceof KubeApiError && (err.code === 404 || err.code === 403) ? 'SourceAuthFailed' : 'SourceUnreachable';
        return { failure: { reason, message: `the credentials Secret ${ref} of ${shown} ${why}` } };
      }
    }
    let auth;
    try {
      auth = await preparePollAuth(target.repository, data, target.insecureSkipHostKey, target.secretName);
    } catch (err) {
      if (err instanceof CredentialsError) return { failure: { reason: 'SourceAuthFailed', message: err.message } };
      throw err;
    }
    try {
      const redact = (s: string) => auth.secrets.reduce((acc, secret) => acc.split(secret).join('***'), displayUrl(s));
      let result;
      try {
        result = await runGit(lsRemoteArgs(target), pollEnv(auth.env));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const message = code === 'ENOENT' ? 'git is not installed in the operator image' : (err as Error).message;
        return { failure: { reason: 'SourceUnreachable', message: `cannot poll ${shown}: ${message}` } };
      }
      if (result.timedOut) {
        return {
          failure: {
            reason: 'SourceUnreachable',
            message: `cannot reach repository ${shown}: no answer within ${LS_REMOTE_TIMEOUT_MS / 1000} s`,
          },
        };
      }
      if (result.code !== 0) return { failure: classifyLsRemote(result.stderr, shown, stderrDetail(result.stderr, redact)) };
      const resolution = resolveRevision(target, parseLsRemote(result.stdout));
      if (resolution.kind === 'notFound') return { failure: { reason: 'RevisionNotFound', message: resolution.message } };
      return { commit: resolution.kind === 'commit' ? resolution.commit : undefined };
    } finally {
      await auth.dispose();
    }
  }
}
