import { Global, Module } from '@nestjs/common';
import { createLogger, EventRecorder, KubeClient, type Logger } from '@tofu-operator/reconcile-runtime';
import { loadConfig, type OperatorConfig } from '../config/operator-config.js';
import { ClusterCache } from './cluster-cache.js';
import { Leadership } from './leadership.js';
import { LOGGER, OPERATOR_CONFIG, REVIEW_CLIENT } from './tokens.js';

/** The Kubernetes clients (reconciles; API reviews), the shared caches, the event recorder, leadership, configuration and the logger. */
@Global()
@Module({
  providers: [
    { provide: OPERATOR_CONFIG, useFactory: () => loadConfig() },
    { provide: LOGGER, useFactory: () => createLogger('tofu-operator') },
    {
      provide: KubeClient,
      inject: [OPERATOR_CONFIG],
      useFactory: (config: OperatorConfig) =>
        KubeClient.fromDefault({
          qps: config.kubeQps,
          burst: config.kubeBurst,
          fieldManager: 'tofu-operator',
          ...(config.kubeLowPriorityBusyPercent > 0 ? { lowPriorityBusyShare: config.kubeLowPriorityBusyPercent / 100 } : {}),
        }),
    },
    {
      provide: REVIEW_CLIENT,
      inject: [OPERATOR_CONFIG],
      useFactory: (config: OperatorConfig) =>
        KubeClient.fromDefault({ qps: config.reviewQps, burst: config.reviewBurst, fieldManager: 'tofu-operator' }),
    },
    {
      provide: EventRecorder,
      inject: [KubeClient, OPERATOR_CONFIG, LOGGER],
      useFactory: (client: KubeClient, config: OperatorConfig, log: Logger) =>
        new EventRecorder(client, 'tofu-operator.io/operator', config.identity, log),
    },
    ClusterCache,
    Leadership,
  ],
  exports: [OPERATOR_CONFIG, LOGGER, KubeClient, REVIEW_CLIENT, EventRecorder, ClusterCache, Leadership],
})
export class KubeModule {}
