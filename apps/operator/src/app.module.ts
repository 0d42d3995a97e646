import { Module } from '@nestjs/common';
import { ApiModule } from './api/api.module.js';
import { HealthController } from './health/health.controller.js';
import { KubeModule } from './kube/kube.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { ReconcileModule } from './reconcile/reconcile.module.js';

@Module({
  imports: [KubeModule, MetricsModule, ReconcileModule, ApiModule],
  controllers: [HealthController],
})
export class AppModule {}
