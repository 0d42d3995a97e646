import { Module } from '@nestjs/common';
import { ApiModule } from './api/api.module.js';
import { HealthController } from './health/health.controller.js';
import { HttpModule } from './http/http.module.js';
import { KubeModule } from './kube/kube.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { NotifyModule } from './notify/notify.module.js';
import { ReconcileModule } from './reconcile/reconcile.module.js';
import { RunnerApiModule } from './runner-api/runner-api.module.js';

@Module({
  imports: [KubeModule, HttpModule, MetricsModule, ReconcileModule, ApiModule, RunnerApiModule, NotifyModule],
  controllers: [HealthController],
})
export class AppModule {}
