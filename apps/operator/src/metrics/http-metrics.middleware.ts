import type { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable, type NestMiddleware } from '@nestjs/common';
import { methodLabel, routeLabel, type RoutedRequest } from './metric-labels.js';
import { MetricsService } from './metrics.service.js';

/**
 * Counts and times every HTTP answer. A middleware rather than an interceptor: interceptors run after
 * the guards, so the 401s and 403s of AuthzGuard (and 404s of unknown URLs) would go uncounted. The
 * labels are read when the answer is finished, by which time Express has set the matched route.
 */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware<IncomingMessage & RoutedRequest, ServerResponse> {
  constructor(private readonly metrics: MetricsService) {}

  use(req: IncomingMessage & RoutedRequest, res: ServerResponse, next: (error?: unknown) => void): void {
    const started = process.hrtime.bigint();
    // Nest mounts this middleware as a catch-all Express route: a request no handler takes keeps it.
    const ownRoute = req.route;
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.metrics.httpRequest(methodLabel(req.method), routeLabel(req, ownRoute), res.statusCode, seconds);
    });
    next();
  }
}
