import { Controller, Get, HttpCode, ServiceUnavailableException } from '@nestjs/common';
import { ClusterCache } from '../kube/cluster-cache.js';

/** Liveness and readiness probes. */
@Controller()
export class HealthController {
  constructor(private readonly cache: ClusterCache) {}

  /** Alive while the process serves requests. */
  @Get('healthz')
  @HttpCode(200)
  healthz(): { status: string } {
    return { status: 'ok' };
  }

  /** Ready once every informer cache has finished its first list. */
  @Get('readyz')
  readyz(): { status: string } {
    if (!this.cache.synced) throw new ServiceUnavailableException('caches have not synced yet');
    return { status: 'ok' };
  }
}
