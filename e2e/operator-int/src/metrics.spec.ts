// GET /metrics of the real operator process against the real API server: scrape access is decided by
// a TokenReview and a SubjectAccessReview on the non-resource URL /metrics, which the ClusterRole
// tofu-operator-metrics-reader (deploy/rbac/operator.yaml) grants. No mocks.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { TofuModule } from '@tofu-operator/api-types';
import { manifestKinds, type KubeObject } from '@tofu-operator/reconcile-runtime';
import {
  admin,
  deleteNamespace,
  installCrdsAndRbac,
  newNamespace,
  operatorKubeconfig,
  OperatorProcess,
  TofuModules,
  UNSCHEDULABLE,
  waitFor,
} from './harness.js';

const REPO = 'git://10.88.0.1/samples.git';
const METRICS_READER = 'tofu-operator-metrics-reader';
const ServiceAccounts = manifestKinds['ServiceAccount']!;
const ClusterRoleBindings = manifestKinds['ClusterRoleBinding']!;

/** A free TCP port on localhost (bound, read, released), for the operator's PORT. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** A ServiceAccount in `ns` and a token of it. */
async function serviceAccountToken(ns: string, name: string): Promise<string> {
  await admin.create<KubeObject>(ServiceAccounts, ns, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } });
  const tr = await admin.request<{ status: { token: string } }>('POST', `/api/v1/namespaces/${ns}/serviceaccounts/${name}/token`, {
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
  });
  return tr.status.token;
}

/** One sample of the text exposition format. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text format (enough of it for these assertions: no escapes inside label values). */
function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/g)) labels[l[1]!] = l[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

/** Samples of `name` whose labels include `labels`. */
const find = (samples: Sample[], name: string, labels: Record<string, string> = {}): Sample[] =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

describe('GET /metrics', () => {
  let operator: OperatorProcess;
  let base: string;
  let ns: string;
  let scraper: string;
  let outsider: string;
  let binding: string | undefined;

  const scrape = (token?: string) => fetch(`${base}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

  before(async () => {
    await installCrdsAndRbac();
    ns = await newNamespace('metrics');
    scraper = await serviceAccountToken(ns, 'scraper');
    outsider = await serviceAccountToken(ns, 'outsider');
    binding = `${METRICS_READER}-${ns}`;
    await admin.create<KubeObject & { roleRef: unknown; subjects: unknown[] }>(ClusterRoleBindings, undefined, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: binding, labels: { 'tofu-operator.io/test': 'integration' } },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: METRICS_READER },
      subjects: [{ kind: 'ServiceAccount', name: 'scraper', namespace: ns }],
    });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    operator = new OperatorProcess(await operatorKubeconfig(), { PORT: String(port), TOFU_OPERATOR_WATCH_NAMESPACE: ns });
    operator.start();
    await operator.waitUntilLeading();
    await waitFor('the API is ready', async () => (await fetch(`${base}/readyz`)).ok);
  });

  after(async () => {
    await operator?.stop();
    if (binding) await admin.delete(ClusterRoleBindings, undefined, binding).catch(() => undefined);
    if (ns) await deleteNamespace(ns);
  });

  it('answers 401 without a token or with a garbage one', async () => {
    const none = await scrape();
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer');
    assert.equal(((await none.json()) as { reason: string }).reason, 'Unauthorized');
    assert.equal((await scrape('garbage.token.value')).status, 401);
  });

  it('answers 403 to a valid token without the metrics-reader permission', async () => {
    const res = await scrape(outsider);
    assert.equal(res.status, 403);
    const body = (await res.json()) as { reason: string; message: string };
    assert.equal(body.reason, 'Forbidden');
    assert.match(body.message, /cannot get path "\/metrics"/);
  });

  it('serves reconciles, queues, executions by phase and API requests to a metrics reader', async () => {
    await admin.create<TofuModule>(TofuModules, ns, {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuModule',
      metadata: { name: 'scraped', namespace: ns },
      spec: { source: { repository: REPO, revision: 'main', workdir: 'examples/hello' }, executionTemplate: { ...UNSCHEDULABLE } },
    });
    // A refusal by the guard, to be counted under its route template.
    assert.equal((await fetch(`${base}/api/v1/namespaces/${ns}/modules/scraped`)).status, 401);

    const samples = await waitFor(
      'the module reconciled and its execution Pending in the metrics',
      async () => {
        const res = await scrape(scraper);
        assert.equal(res.status, 200, await res.clone().text());
        assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
        const s = parseMetrics(await res.text());
        const pending = find(s, 'tofu_operator_executions', { namespace: ns, phase: 'Pending' })[0];
        return pending?.value === 1 && find(s, 'tofu_operator_reconcile_total', { controller: 'tofumodule', result: 'success' }).length
          ? s
          : undefined;
      },
      60_000,
      500,
    );

    assert.ok(find(samples, 'tofu_operator_reconcile_total', { controller: 'tofumodule', result: 'success' })[0]!.value >= 1);
    assert.ok(find(samples, 'tofu_operator_reconcile_total', { controller: 'tofuexecution' }).length > 0);
    assert.ok(find(samples, 'tofu_operator_reconcile_duration_seconds_count', { controller: 'tofumodule' })[0]!.value >= 1);
    assert.ok(find(samples, 'tofu_operator_workqueue_wait_seconds_count', { controller: 'tofumodule' })[0]!.value >= 1);
    for (const controller of ['tofumodule', 'tofustack', 'tofuexecution'])
      assert.equal(find(samples, 'tofu_operator_workqueue_depth', { controller }).length, 1, controller);
    for (const phase of ['Running', 'Succeeded', 'Failed'])
      assert.equal(find(samples, 'tofu_operator_executions', { namespace: ns, phase })[0]?.value, 0, phase);
    assert.equal(find(samples, 'tofu_operator_leader')[0]?.value, 1);
    assert.equal(find(samples, 'tofu_operator_informer_synced', { resource: 'tofuexecutions' })[0]?.value, 1);
    assert.equal(find(samples, 'tofu_operator_websocket_connections').length, 1);
    assert.ok(find(samples, 'process_cpu_user_seconds_total').length === 1, 'standard process metrics');

    const refused = find(samples, 'tofu_operator_http_requests_total', {
      method: 'GET',
      route: '/api/v1/namespaces/:ns/modules/:name',
      status: '401',
    });
    assert.equal(refused[0]?.value, 1);
    assert.ok(
      find(samples, 'tofu_operator_http_requests_total', { method: 'GET', route: '/metrics', status: '403' }).length,
      'the 403 above',
    );
    // Routes are templates: no namespace or object name ever becomes a route label.
    assert.ok(!samples.some((s) => s.labels['route']?.includes(ns) || s.labels['route']?.includes('scraped')));
  });

  it('never writes a token to the log', () => {
    const log = operator.log();
    assert.ok(!log.includes(scraper));
    assert.ok(!log.includes(outsider));
  });
});
