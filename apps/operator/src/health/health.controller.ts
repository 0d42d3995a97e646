import { Controller, Get, HttpCode, ServiceUnavailableException } from '@nestjs/common';
import { ClusterCache } from '../kube/cluster-cache.js';
import { ApiDoc } from '../http/api-doc.js';
import { Public } from '../http/authz.js';

/** Liveness and readiness probes. */
@Controller()
@Public('probes: the kubelet calls them without a token, and they answer only ok or not ready')
export class HealthController {
  constructor(private readonly cache: ClusterCache) {}

  /** Alive while the process serves requests. */
  @Get('healthz')
  @HttpCode(200)
  @ApiDoc({ summary: 'Liveness probe', description: 'Answers while the process serves requests.', response: 'HealthStatus' })
  healthz(): { status: string } {
    return { status: 'ok' };
  }

  /** Ready once every informer cache has finished its first list. */
  @Get('readyz')
  @ApiDoc({
    summary: 'Readiness probe',
    description: 'Ready once every informer cache has finished its first list.',
    response: 'HealthStatus',
    errors: [503],
  })
  readyz(): { status: string } {
    if (!this.cache.synced) throw new ServiceUnavailableException('caches have not synced yet');
    return { status: 'ok' };
  }
}
