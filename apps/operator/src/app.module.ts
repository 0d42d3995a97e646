import { Module } from '@nestjs/common';
import { HealthController } from './health/health.controller.js';
import { KubeModule } from './kube/kube.module.js';
import { ReconcileModule } from './reconcile/reconcile.module.js';

@Module({
  imports: [KubeModule, ReconcileModule],
  controllers: [HealthController],
})
export class AppModule {}
