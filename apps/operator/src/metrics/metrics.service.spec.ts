import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { register as globalRegistry } from 'prom-client';
import type { KubeClient, RequestCount } from '@tofu-operator/reconcile-runtime';
import type { ClusterCache } from '../kube/cluster-cache.js';
import { MetricsService } from './metrics.service.js';

interface FakeInformer {
  resource: { plural: string };
  hasSynced: boolean;
  restarts: number;
  items: { metadata: { namespace: string; name: string }; status?: { phase?: string } }[];
  list(): FakeInformer['items'];
}

function informer(plural: string): FakeInformer {
  return {
    resource: { plural },
    hasSynced: true,
    restarts: 0,
    items: [],
    list() {
      return this.items;
    },
  };
}

function fakeCache() {
  return {
    modules: informer('tofumodules'),
    stacks: informer('tofustacks'),
    executions: informer('tofuexecutions'),
    jobs: informer('jobs'),
    pods: informer('pods'),
  };
}

/** The value of one series, or undefined when the series is absent. */
async function value(metrics: MetricsService, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const metric = metrics.registry.getSingleMetric(name);
  assert.ok(metric, `${name} is not registered`);
  const { values } = await metric.get();
  const match = (l: Record<string, unknown>) =>
    Object.keys(labels).length === Object.keys(l).length && Object.entries(labels).every(([k, v]) => l[k] === v);
  return values.find((v) => !('metricName' in v && v.metricName) && match(v.labels))?.value;
}

async function histogramCount(metrics: MetricsService, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const { values } = await metrics.registry.getSingleMetric(name)!.get();
  return values.find(
    (v) => 'metricName' in v && v.metricName === `${name}_count` && Object.entries(labels).every(([k, l]) => v.labels[k] === l),
  )?.value;
}

const newService = (cache = fakeCache()) => ({ cache, metrics: new MetricsService(cache as unknown as ClusterCache) });

describe('MetricsService', () => {
  it('counts the API server requests of both clients by method, resource, subresource and status, as running totals', async () => {
    const counts: RequestCount[] = [{ method: 'POST', resource: 'jobs', subresource: '', code: 201, count: 3 }];
    const reconcile = { requestCounts: () => counts.map((c) => ({ ...c })) } as unknown as KubeClient;
    const review = {
      requestCounts: () => [{ method: 'POST', resource: 'subjectaccessreviews', subresource: '', code: 201, count: 2 }],
    } as unknown as KubeClient;
    const metrics = new MetricsService(fakeCache() as unknown as ClusterCache, reconcile, review);
    const jobs = { client: 'reconcile', method: 'POST', resource: 'jobs', subresource: '', code: '201' };
    assert.equal(await value(metrics, 'tofu_operator_kube_requests_total', jobs), 3);
    assert.equal(
      await value(metrics, 'tofu_operator_kube_requests_total', { ...jobs, client: 'review', resource: 'subjectaccessreviews' }),
      2,
    );
    // Later scrapes advance by what was sent since, and a new series starts at its own total.
    counts[0]!.count = 5;
    counts.push({ method: 'PUT', resource: 'tofustacks', subresource: 'status', code: 409, count: 1 });
    assert.equal(await value(metrics, 'tofu_operator_kube_requests_total', jobs), 5);
    assert.equal(
      await value(metrics, 'tofu_operator_kube_requests_total', {
        ...jobs,
        method: 'PUT',
        resource: 'tofustacks',
        subresource: 'status',
        code: '409',
      }),
      1,
    );
  });

  it('keeps its own registry, with the standard process and Node.js metrics, away from the global one', async () => {
    const { metrics } = newService();
    const text = await metrics.scrape();
    assert.match(text, /^process_cpu_user_seconds_total /m);
    assert.match(text, /^nodejs_eventloop_lag_seconds /m);
    assert.equal(globalRegistry.getSingleMetric('tofu_operator_reconcile_total'), undefined);
    // A second instance (a second app in one process, as in tests) does not collide with the first.
    assert.doesNotThrow(() => newService());
  });

  it('counts reconciles by lower-case controller and result, times them, and counts retries of errors', async () => {
    const { metrics } = newService();
    const o = metrics.controllerObserver;
    o.reconciled('TofuModule', 'success', 12);
    o.reconciled('TofuModule', 'success', 8);
    o.reconciled('TofuModule', 'requeue', 3);
    o.reconciled('TofuStack', 'error', 40);
    o.queueWait('TofuExecution', 250);
    assert.equal(await value(metrics, 'tofu_operator_reconcile_total', { controller: 'tofumodule', result: 'success' }), 2);
    assert.equal(await value(metrics, 'tofu_operator_reconcile_total', { controller: 'tofumodule', result: 'requeue' }), 1);
    assert.equal(await value(metrics, 'tofu_operator_reconcile_total', { controller: 'tofustack', result: 'error' }), 1);
    assert.equal(await value(metrics, 'tofu_operator_workqueue_retries_total', { controller: 'tofustack' }), 1);
    assert.equal(
      await value(metrics, 'tofu_operator_workqueue_retries_total', { controller: 'tofumodule' }),
      undefined,
      'no controllers watched yet',
    );
    assert.equal(await histogramCount(metrics, 'tofu_operator_reconcile_duration_seconds', { controller: 'tofumodule' }), 3);
    const { values } = await metrics.registry.getSingleMetric('tofu_operator_reconcile_duration_seconds')!.get();
    const sum = values.find(
      (v) =>
        'metricName' in v && v.metricName === 'tofu_operator_reconcile_duration_seconds_sum' && v.labels['controller'] === 'tofumodule',
    );
    assert.equal(sum?.value, 0.023, 'observed in seconds');
    assert.equal(await histogramCount(metrics, 'tofu_operator_workqueue_wait_seconds', { controller: 'tofuexecution' }), 1);
  });

  it('reads queue figures and leadership from the controllers at scrape time', async () => {
    const { metrics } = newService();
    assert.equal(await value(metrics, 'tofu_operator_leader'), 0, 'no controllers yet: not leading');
    let leading = false;
    const stats = { depth: 3, processing: 2, waitingForRetry: 1 };
    metrics.watchControllers({
      isLeader: () => leading,
      queues: { TofuModule: { stats: () => stats }, TofuStack: { stats: () => ({ depth: 0, processing: 0, waitingForRetry: 0 }) } },
    });
    assert.equal(await value(metrics, 'tofu_operator_workqueue_depth', { controller: 'tofumodule' }), 3);
    assert.equal(await value(metrics, 'tofu_operator_workqueue_in_flight', { controller: 'tofumodule' }), 2);
    assert.equal(await value(metrics, 'tofu_operator_workqueue_delayed', { controller: 'tofumodule' }), 1);
    assert.equal(await value(metrics, 'tofu_operator_workqueue_depth', { controller: 'tofustack' }), 0);
    // The counters of each watched controller start at 0.
    assert.equal(await value(metrics, 'tofu_operator_reconcile_total', { controller: 'tofustack', result: 'error' }), 0);
    assert.equal(await value(metrics, 'tofu_operator_workqueue_retries_total', { controller: 'tofustack' }), 0);
    stats.depth = 7;
    leading = true;
    assert.equal(await value(metrics, 'tofu_operator_workqueue_depth', { controller: 'tofumodule' }), 7);
    assert.equal(await value(metrics, 'tofu_operator_leader'), 1);
  });

  it('counts executions from the cache by namespace and phase, only once the cache has synced, dropping emptied namespaces', async () => {
    const { metrics, cache } = newService();
    cache.executions.hasSynced = false;
    cache.executions.items = [{ metadata: { namespace: 'a', name: 'x' }, status: { phase: 'Running' } }];
    assert.equal(await value(metrics, 'tofu_operator_executions', { namespace: 'a', phase: 'Running' }), undefined);
    cache.executions.hasSynced = true;
    assert.equal(await value(metrics, 'tofu_operator_executions', { namespace: 'a', phase: 'Running' }), 1);
    assert.equal(await value(metrics, 'tofu_operator_executions', { namespace: 'a', phase: 'Failed' }), 0);
    cache.executions.items = [{ metadata: { namespace: 'b', name: 'y' } }];
    assert.equal(await value(metrics, 'tofu_operator_executions', { namespace: 'a', phase: 'Running' }), undefined);
    assert.equal(await value(metrics, 'tofu_operator_executions', { namespace: 'b', phase: 'Unknown' }), 1);
  });

  it('reports informer sync and advances the restart counter by the informers own totals', async () => {
    const { metrics, cache } = newService();
    cache.pods.hasSynced = false;
    assert.equal(await value(metrics, 'tofu_operator_informer_synced', { resource: 'pods' }), 0);
    assert.equal(await value(metrics, 'tofu_operator_informer_synced', { resource: 'tofumodules' }), 1);
    assert.equal(await value(metrics, 'tofu_operator_informer_restarts_total', { resource: 'jobs' }), 0);
    cache.jobs.restarts = 2;
    assert.equal(await value(metrics, 'tofu_operator_informer_restarts_total', { resource: 'jobs' }), 2);
    assert.equal(await value(metrics, 'tofu_operator_informer_restarts_total', { resource: 'jobs' }), 2, 'a scrape does not add again');
    cache.jobs.restarts = 3;
    assert.equal(await value(metrics, 'tofu_operator_informer_restarts_total', { resource: 'jobs' }), 3);
  });

  it('counts HTTP requests by method, route template and status', async () => {
    const { metrics } = newService();
    metrics.httpRequest('GET', '/api/v1/namespaces/:ns/modules', 200, 0.01);
    metrics.httpRequest('GET', '/api/v1/namespaces/:ns/modules', 403, 0.02);
    metrics.httpRequest('GET', '/api/v1/namespaces/:ns/modules', 200, 0.01);
    assert.equal(
      await value(metrics, 'tofu_operator_http_requests_total', { method: 'GET', route: '/api/v1/namespaces/:ns/modules', status: '200' }),
      2,
    );
    assert.equal(
      await value(metrics, 'tofu_operator_http_requests_total', { method: 'GET', route: '/api/v1/namespaces/:ns/modules', status: '403' }),
      1,
    );
    assert.equal(
      await histogramCount(metrics, 'tofu_operator_http_request_duration_seconds', { route: '/api/v1/namespaces/:ns/modules' }),
      3,
    );
  });

  it('tracks websocket connections, subscriptions, emitted messages and upstream log streams', async () => {
    const { metrics } = newService();
    assert.equal(await value(metrics, 'tofu_operator_websocket_connections'), 0);
    assert.equal(await value(metrics, 'tofu_operator_websocket_subscriptions', { type: 'execution' }), 0);
    assert.equal(await value(metrics, 'tofu_operator_websocket_messages_total', { event: 'execution:log' }), 0, 'every event starts at 0');
    metrics.wsConnected();
    metrics.wsConnected();
    metrics.wsDisconnected();
    metrics.wsSubscriptions('namespace', 3);
    metrics.wsSubscriptions('namespace', -1);
    metrics.wsSubscriptions('execution', 1);
    metrics.wsEmitted('resource');
    metrics.wsEmitted('resource', 4);
    assert.equal(await value(metrics, 'tofu_operator_websocket_connections'), 1);
    assert.equal(await value(metrics, 'tofu_operator_websocket_subscriptions', { type: 'namespace' }), 2);
    assert.equal(await value(metrics, 'tofu_operator_websocket_subscriptions', { type: 'execution' }), 1);
    assert.equal(await value(metrics, 'tofu_operator_websocket_messages_total', { event: 'resource' }), 5);
    assert.equal(await value(metrics, 'tofu_operator_log_upstreams'), 0, 'no upstream open yet');
    metrics.setLogUpstreams(4);
    assert.equal(await value(metrics, 'tofu_operator_log_upstreams'), 4);
  });
});

describe('MetricsService run queue gauges', () => {
  it('counts runs going (a Job, not finished) and runs queued by namespace, dropping emptied queues', async () => {
    const { metrics, cache } = newService();
    const x = (namespace: string, name: string, status: Record<string, unknown>) =>
      ({ metadata: { namespace, name }, status }) as FakeInformer['items'][number];
    cache.executions.items = [
      x('a', 'r1', { phase: 'Running', jobName: 'r1' }),
      x('b', 'r2', { phase: 'Pending', jobName: 'r2' }),
      x('a', 'done', { phase: 'Succeeded', jobName: 'done' }),
      x('a', 'q1', { phase: 'Pending', queue: { position: 1, limit: 'Operator' } }),
      x('a', 'q2', { phase: 'Pending', queue: { position: 2, limit: 'Operator' } }),
      x('b', 'q3', { phase: 'Pending', queue: { position: 1, limit: 'Namespace' } }),
    ];
    assert.equal(await value(metrics, 'tofu_operator_runs_running'), 2);
    assert.equal(await value(metrics, 'tofu_operator_runs_queued', { namespace: 'a' }), 2);
    assert.equal(await value(metrics, 'tofu_operator_runs_queued', { namespace: 'b' }), 1);
    cache.executions.items = cache.executions.items.slice(0, 5);
    assert.equal(await value(metrics, 'tofu_operator_runs_queued', { namespace: 'b' }), undefined);
  });
});
