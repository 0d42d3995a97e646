import { Module } from '@nestjs/common';
import { ApiModule } from './api/api.module.js';
import { HealthController } from './health/health.controller.js';
import { KubeModule } from './kube/kube.module.js';
import { ReconcileModule } from './reconcile/reconcile.module.js';

@Module({
  imports: [KubeModule, ReconcileModule, ApiModule],
  controllers: [HealthController],
})
export class AppModule {}
