import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { TofuExecutions, type TofuExecution } from '@tofu-operator/api-types';
import { isNotFound, KubeClient, type Logger } from '@tofu-operator/reconcile-runtime';
import type { OperatorConfig } from '../config/operator-config.js';
import { ClusterCache } from '../kube/cluster-cache.js';
import { LOGGER, OPERATOR_CONFIG } from '../kube/tokens.js';
import { createRunnerApiHandler } from './runner-api.handler.js';
import { OutputsStore } from './outputs-store.service.js';
import { PlanStore } from './plan-store.service.js';
import { RunnerKeyService } from './runner-key.service.js';
import { StateStore } from './state-store.service.js';

/** Time for in-flight requests to finish on shutdown before their connections are closed. */
const DRAIN_MS = 10_000;

/**
 * The runner API's own HTTP server (plain node:http, not Nest's adapter: OpenTofu's LOCK and UNLOCK
 * methods, raw bodies, and a port of its own that a NetworkPolicy can open to runner pods alone).
 * Started once the application is up, on TOFU_OPERATOR_RUNNER_PORT (0: not served) and HOST; every
 * replica serves it, leader or not (locks live in the API server).
 */
@Injectable()
export class RunnerApiServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private server: Server | undefined;

  constructor(
    @Inject(OPERATOR_CONFIG) private readonly config: OperatorConfig,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly cache: ClusterCache,
    private readonly keys: RunnerKeyService,
    private readonly state: StateStore,
    private readonly plans: PlanStore,
    private readonly outputs: OutputsStore,
    @Inject(KubeClient) private readonly client: KubeClient,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.runnerPort === 0) {
      this.log.info('runner API not served (TOFU_OPERATOR_RUNNER_PORT=0)');
      return;
    }
    const executions = this.cache.executions;
    const handler = createRunnerApiHandler({
      executions: {
        get hasSynced() {
          return executions.hasSynced;
        },
        get: (namespace, name) => executions.get(namespace, name),
      },
      keys: this.keys,
      state: this.state,
      plans: this.plans,
      outputs: this.outputs,
      readExecution: (namespace, name) => this.readExecution(namespace, name),
      log: this.log,
    });
    const server = createServer({ requestTimeout: 300_000, headersTimeout: 20_000, keepAliveTimeout: 30_000 }, handler);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.runnerPort, this.config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.log.info({ port: this.port, host: this.config.host }, 'runner API listening');
    // Read (or create) the key now: a missing permission shows at start, not at a runner's first call.
    this.keys
      .key()
      .catch((err: unknown) => this.log.warn({ err }, 'the runner key is not available yet; runner requests get 503 until it is'));
  }

  /** The API server's copy of an execution, undefined when there is none. */
  private async readExecution(namespace: string, name: string): Promise<TofuExecution | undefined> {
    try {
      return await this.client.get<TofuExecution>(TofuExecutions, namespace, name);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** The port served (useful when configured as an ephemeral one); undefined when not serving. */
  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  async beforeApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), DRAIN_MS).unref()));
    if ((await Promise.race([closed, late])) === 'late') {
      this.log.warn('runner API requests still running at shutdown; closing their connections');
      server.closeAllConnections();
      await closed;
    }
    clearTimeout(timer);
  }
}
