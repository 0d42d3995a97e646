import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  Controller,
  ForbiddenException,
  Get,
  Global,
  Module,
  Post,
  UseGuards,
  type CanActivate,
  type INestApplication,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClusterCache } from '../kube/cluster-cache.js';
import { UNMATCHED_ROUTE } from './metric-labels.js';
import { MetricsModule } from './metrics.module.js';
import { MetricsService } from './metrics.service.js';

// The middleware against a real Nest + Express application: the labels it reads (the matched route)
// are only set by Express, so a fake request would prove nothing.

class DenyGuard implements CanActivate {
  canActivate(): boolean {
    throw new ForbiddenException('no');
  }
}

@Controller('api/v1/namespaces/:ns/things')
class ThingsController {
  @Get(':name')
  get(): { ok: boolean } {
    return { ok: true };
  }

  @Post(':name/denied')
  @UseGuards(DenyGuard)
  denied(): void {}
}

const emptyInformer = { resource: { plural: 'x' }, hasSynced: true, restarts: 0, list: () => [] };

@Global()
@Module({
  providers: [
    {
      provide: ClusterCache,
      useValue: { modules: emptyInformer, stacks: emptyInformer, executions: emptyInformer, jobs: emptyInformer, pods: emptyInformer },
    },
  ],
  exports: [ClusterCache],
})
class FakeKubeModule {}

@Module({ imports: [FakeKubeModule, MetricsModule], controllers: [ThingsController] })
class TestAppModule {}

describe('HttpMetricsMiddleware', () => {
  let app: INestApplication;
  let base: string;

  before(async () => {
    app = await NestFactory.create(TestAppModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  after(async () => {
    await app?.close();
  });

  const count = async (method: string, route: string, status: string) => {
    const { values } = await app.get(MetricsService).registry.getSingleMetric('tofu_operator_http_requests_total')!.get();
    return values.find((v) => v.labels['method'] === method && v.labels['route'] === route && v.labels['status'] === status)?.value ?? 0;
  };

  it('labels a request with its route template, not its URL', async () => {
    assert.equal((await fetch(`${base}/api/v1/namespaces/team-a/things/one`)).status, 200);
    assert.equal((await fetch(`${base}/api/v1/namespaces/team-b/things/two`)).status, 200);
    assert.equal(await count('GET', '/api/v1/namespaces/:ns/things/:name', '200'), 2);
    const text = await (await fetch(`${base}/metrics`)).text();
    assert.ok(!text.includes('team-a'), 'no URL reaches a label');
  });

  it('counts a refusal by a guard', async () => {
    assert.equal((await fetch(`${base}/api/v1/namespaces/a/things/one/denied`, { method: 'POST' })).status, 403);
    assert.equal(await count('POST', '/api/v1/namespaces/:ns/things/:name/denied', '403'), 1);
  });

  it('counts an unknown URL under one label', async () => {
    assert.equal((await fetch(`${base}/no/such/${Date.now()}`)).status, 404);
    assert.equal((await fetch(`${base}/nor/this`)).status, 404);
    assert.equal(await count('GET', UNMATCHED_ROUTE, '404'), 2);
  });

  it('serves /metrics in the Prometheus text format, itself counted by template', async () => {
    const res = await fetch(`${base}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    assert.match(await res.text(), /^# TYPE tofu_operator_http_requests_total counter$/m);
    assert.ok((await count('GET', '/metrics', '200')) >= 1);
  });
});
