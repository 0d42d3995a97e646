import { Controller, Get, Header } from '@nestjs/common';
import { Registry } from 'prom-client';
import { AuthzNonResource } from '../http/authz.js';
import { MetricsService } from './metrics.service.js';

/**
 * GET /metrics for Prometheus. Protected like kube-rbac-proxy and controller-runtime's secure metrics:
 * the scraper's bearer token is checked with a TokenReview, then a SubjectAccessReview for `get` on the
 * non-resource URL /metrics (granted by the ClusterRole tofu-operator-metrics-reader).
 */
@Controller()
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  /** The metrics in the Prometheus text exposition format. */
  @Get('metrics')
  @AuthzNonResource('get', '/metrics')
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  scrape(): Promise<string> {
    return this.metrics.scrape();
  }
}
