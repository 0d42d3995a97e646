// Run notifications (issue 13, docs/guides/notifications.md) on the local cluster with real runner
// pods and real tofu: a receiver in this test process (the operator runs as a local process, so
// 127.0.0.1 reaches it with TOFU_OPERATOR_NOTIFY_ALLOW_LOOPBACK) gets RunStarted, RunSucceeded and
// AwaitingApproval of a plan with the documented body and signature, RunFailed of a broken module
// (and only what the events list asks for), a notification answered 500 twice arrives on the third
// attempt, a URL at the metadata address and a missing Secret end in a NotificationFailed Event
// (counted in tofu_operator_notifications_total); the module's Events aggregate with a count, a
// Drifted condition patched True notifies once, a drift check's start and success send nothing, and
// a restarted operator sends nothing again.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Annotations, type ResourceType, type TofuExecution, type TofuModule } from '@tofu-operator/api-types';
import { manifestKinds, type KubeObject } from '@tofu-operator/reconcile-runtime';
import {
  admin,
  deleteNamespace,
  freePort,
  installCrdsAndRbac,
  listExecutions,
  newNamespace,
  operatorKubeconfig,
  OperatorProcess,
  serveRepo,
  sleep,
  TofuModules,
  waitFor,
} from './harness.js';

const Secrets: ResourceType = { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true };
const CoreEvents: ResourceType = { group: '', version: 'v1', plural: 'events', kind: 'Event', namespaced: true };
const NewEvents: ResourceType = { group: 'events.k8s.io', version: 'v1', plural: 'events', kind: 'Event', namespaced: true };
interface CoreEvent extends KubeObject {
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  involvedObject?: { kind?: string; name?: string };
}
interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: Record<string, unknown> & { event: string; name: string; execution?: Record<string, unknown> };
  at: number;
}

const RUN_MS = 240_000;
const ONE_RESOURCE = 'resource "terraform_data" "x" {\n  input = "hello"\n}\n';
const SIGNING_KEY = 'k3y-for-signing';
const DASHBOARD = 'https://tofu.example.test';
const METRICS_READER = 'tofu-operator-metrics-reader';
const ServiceAccounts = manifestKinds['ServiceAccount']!;
const ClusterRoleBindings = manifestKinds['ClusterRoleBinding']!;

describe('run notifications (real runner pods)', () => {
  let operator: OperatorProcess;
  let ns: string;
  let server: Server;
  let port = 0;
  const received: Received[] = [];
  let flakyAnswers = 0;
  let base = '';
  let binding: string | undefined;

  before(async () => {
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      req.on('end', () => {
        const path = req.url ?? '';
        received.push({ path, headers: req.headers, raw, body: JSON.parse(raw) as Received['body'], at: Date.now() });
        // The flaky receiver fails twice, then takes it.
        const status = path.startsWith('/flaky') && ++flakyAnswers <= 2 ? 500 : 204;
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;

    await installCrdsAndRbac();
    ns = await newNamespace('notify');
    const secret = async (name: string, data: Record<string, string>) =>
      admin.create<KubeObject>(Secrets, ns, { apiVersion: 'v1', kind: 'Secret', metadata: { name }, stringData: data } as KubeObject);
    // Tokens in the paths: they must never show up in an Event or the operator's log.
    await secret('hooks-ok', { url: `http://127.0.0.1:${port}/ok/T0K3N-ok`, secret: SIGNING_KEY });
    await secret('hooks-flaky', { hook: `http://127.0.0.1:${port}/flaky/T0K3N-flaky` });
    await secret('hooks-metadata', { url: 'http://169.254.169.254/latest/T0K3N-metadata' });
    const apiPort = await freePort();
    base = `http://127.0.0.1:${apiPort}`;
    operator = new OperatorProcess(await operatorKubeconfig(), {
      PORT: String(apiPort),
      TOFU_OPERATOR_WATCH_NAMESPACE: ns,
      TOFU_OPERATOR_NOTIFY_ALLOW_LOOPBACK: 'true',
      TOFU_OPERATOR_DASHBOARD_URL: DASHBOARD,
    });
    operator.start();
    await operator.waitUntilLeading();
    const good = serveRepo('e2e-notify-good', { 'main.tf': ONE_RESOURCE });
    const broken = serveRepo('e2e-notify-broken', { 'main.tf': 'resource "terraform_data" "x" {\n' });
    const module = (name: string, repository: string, notifications: TofuModule['spec']['notifications']) =>
      admin.create<TofuModule>(TofuModules, ns, {
        apiVersion: 'tofu-operator.io/v1alpha1',
        kind: 'TofuModule',
        metadata: { name },
        spec: { source: { repository, revision: 'main' }, notifications },
      });
    await module('good', good, { webhookSecretRef: { name: 'hooks-ok' } });
    await module('broken', broken, { webhookSecretRef: { name: 'hooks-ok' }, events: ['RunFailed'] });
    await module('flaky', good, { webhookSecretRef: { name: 'hooks-flaky', key: 'hook' }, events: ['RunSucceeded'] });
    await module('metadata', good, { webhookSecretRef: { name: 'hooks-metadata' }, events: ['RunStarted'] });
    await module('nosecret', good, { webhookSecretRef: { name: 'absent' }, events: ['RunStarted'] });
    const empty = serveRepo('e2e-notify-empty', { 'main.tf': '# nothing to manage\n' });
    await admin.create<TofuModule>(TofuModules, ns, {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuModule',
      metadata: { name: 'quiet' },
      spec: {
        source: { repository: empty, revision: 'main' },
        driftDetection: { interval: '1h' },
        notifications: { webhookSecretRef: { name: 'hooks-ok' } },
      },
    });
  });

  after(async () => {
    await operator?.stop();
    if (binding) await admin.delete(ClusterRoleBindings, undefined, binding).catch(() => undefined);
    server?.closeAllConnections();
    server?.close();
    if (ns) await deleteNamespace(ns);
  });

  const of = (name: string, event: string) => received.filter((r) => r.body.name === name && r.body.event === event);
  const arrived = (name: string, event: string, count = 1) =>
    waitFor(`${count} ${event} notification(s) of ${name}`, () => of(name, event).length >= count && of(name, event), RUN_MS, 500);
  const ownerEvents = async (name: string) =>
    (await admin.list<CoreEvent>(CoreEvents, ns)).items.filter(
      (e) => e.involvedObject?.kind === 'TofuModule' && e.involvedObject.name === name,
    );

  it('a plan: RunStarted, RunSucceeded and AwaitingApproval with the documented body, signed', async () => {
    const [started] = await arrived('good', 'RunStarted');
    const [succeeded] = await arrived('good', 'RunSucceeded');
    const [waiting] = await arrived('good', 'AwaitingApproval');
    assert.ok(started && succeeded && waiting);
    const plan = (await listExecutions(ns)).find((e) => e.metadata.name === succeeded.body.execution?.['name']) as TofuExecution;
    assert.ok(plan, 'the notification names a real execution');
    assert.equal(plan.spec.action, 'plan');
    assert.deepEqual(Object.keys(succeeded.body).sort(), ['event', 'execution', 'kind', 'name', 'namespace', 'time', 'url']);
    assert.equal(succeeded.body['namespace'], ns);
    assert.equal(succeeded.body['kind'], 'TofuModule');
    assert.equal(succeeded.body['url'], `${DASHBOARD}/ns/${ns}/executions/${plan.metadata.name}`);
    assert.ok(Math.abs(Date.parse(String(succeeded.body['time'])) - succeeded.at) < 60_000);
    assert.deepEqual(succeeded.body.execution, {
      name: plan.metadata.name,
      action: 'plan',
      phase: 'Succeeded',
      purpose: 'Change',
      summary: plan.status?.summary,
      ...(plan.status?.plan?.commit ? { commit: plan.status.plan.commit } : {}),
    });
    assert.equal((succeeded.body.execution?.['summary'] as { add?: number }).add, 1);
    assert.equal(started.body.execution?.['phase'], 'Running');
    assert.ok(started.at <= succeeded.at, 'started arrives before it ends (no retries here)');
    for (const r of [started, succeeded, waiting]) {
      assert.equal(r.path, '/ok/T0K3N-ok');
      assert.equal(r.headers['user-agent'], 'tofu-operator');
      assert.equal(r.headers['content-type'], 'application/json');
      const mac = createHmac('sha256', SIGNING_KEY).update(r.raw).digest('hex');
      assert.equal(r.headers['x-tofu-signature-256'], `sha256=${mac}`);
    }
    // The execution keeps its own Events (the execution reconciler's), not duplicated by the notifier.
    const runEvents = (
      await admin.list<KubeObject & { reason?: string; regarding?: { kind?: string; name?: string } }>(NewEvents, ns)
    ).items.filter((e) => e.regarding?.kind === 'TofuExecution' && e.regarding.name === plan.metadata.name);
    assert.deepEqual(runEvents.map((e) => e.reason).sort(), ['Running', 'Succeeded']);
    const mine = await ownerEvents('good');
    const byReason = (reason: string) => mine.find((e) => e.reason === reason);
    assert.equal(byReason('RunStarted')?.type, 'Normal');
    assert.match(byReason('RunSucceeded')?.message ?? '', new RegExp(`^plan ${plan.metadata.name} succeeded: Plan: 1 to add`));
    assert.match(byReason('AwaitingApproval')?.message ?? '', /waits for approval/);
  });

  it('a failed run: RunFailed with its failure category, and nothing the events list leaves out', async () => {
    const [failed] = await arrived('broken', 'RunFailed');
    const run = (await listExecutions(ns)).find((e) => e.metadata.name === failed?.body.execution?.['name']);
    assert.equal(run?.status?.phase, 'Failed');
    assert.ok(run?.status?.failureCategory);
    assert.equal(failed?.body.execution?.['failureCategory'], run.status.failureCategory);
    assert.ok(!failed?.raw.includes(run.status.message ?? '\u0000'), 'the failure message stays out of the body');
    const warning = (await ownerEvents('broken')).find((e) => e.reason === 'RunFailed');
    assert.equal(warning?.type, 'Warning');
    assert.match(warning?.message ?? '', new RegExp(`failed \\(${run.status.failureCategory}\\)`));
    assert.deepEqual(
      received.filter((r) => r.body.name === 'broken').map((r) => r.body.event),
      ['RunFailed'],
    );
  });

  it('a receiver answering 500 twice gets the notification on the third attempt (1 s, then 4 s later)', async () => {
    await arrived('flaky', 'RunSucceeded', 3);
    const tries = of('flaky', 'RunSucceeded');
    assert.equal(tries.length, 3);
    assert.equal(new Set(tries.map((t) => t.raw)).size, 1, 'the same body each time');
    const [a, b, c] = tries.map((t) => t.at) as [number, number, number];
    assert.ok(b - a >= 900 && c - b >= 3_900, `retried after ${b - a} ms and ${c - b} ms`);
    await sleep(20_000);
    assert.equal(of('flaky', 'RunSucceeded').length, 3, 'no attempt after a success');
    assert.equal(
      (await ownerEvents('flaky')).filter((e) => e.reason === 'NotificationFailed').length,
      0,
      'a delivery that succeeded on a retry is no failure',
    );
  });

  it('a URL at the metadata address is refused: NotificationFailed names the Secret and key, never the URL', async () => {
    const failed = await waitFor(
      'NotificationFailed on module metadata',
      async () => (await ownerEvents('metadata')).find((e) => e.reason === 'NotificationFailed'),
      RUN_MS,
      500,
    );
    assert.equal(failed.type, 'Warning');
    assert.match(failed.message ?? '', /refused/);
    assert.match(failed.message ?? '', new RegExp(`Secret ${ns}/hooks-metadata, key "url"`));
    assert.match(failed.message ?? '', /cloud-metadata/);
    assert.equal(received.filter((r) => r.body.name === 'metadata').length, 0);
    const everything = JSON.stringify((await admin.list<CoreEvent>(CoreEvents, ns)).items) + operator.log();
    assert.ok(!everything.includes('T0K3N'), 'no URL (and so no token) in an Event or the operator log');
  });

  it('a missing Secret: NotificationFailed names it and its key', async () => {
    const failed = await waitFor(
      'NotificationFailed on module nosecret',
      async () => (await ownerEvents('nosecret')).find((e) => e.reason === 'NotificationFailed'),
      RUN_MS,
      500,
    );
    assert.equal(failed.type, 'Warning');
    assert.equal(failed.message, `the RunStarted notification was not sent: the Secret ${ns}/absent, key "url" does not exist`);
  });

  it('counts notifications by result in tofu_operator_notifications_total', async () => {
    await admin.create<KubeObject>(ServiceAccounts, ns, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'scraper' } });
    binding = `${METRICS_READER}-${ns}`;
    await admin.create<KubeObject & { roleRef: unknown; subjects: unknown[] }>(ClusterRoleBindings, undefined, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: binding, labels: { 'tofu-operator.io/test': 'integration' } },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: METRICS_READER },
      subjects: [{ kind: 'ServiceAccount', name: 'scraper', namespace: ns }],
    });
    const tr = await admin.request<{ status: { token: string } }>('POST', `/api/v1/namespaces/${ns}/serviceaccounts/scraper/token`, {
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 600 } },
    });
    const text = await waitFor('metrics', async () => {
      const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${tr.status.token}` } });
      return res.ok && res.text();
    });
    const value = (result: string) =>
      Number(new RegExp(`^tofu_operator_notifications_total\\{result="${result}"\\} (\\S+)$`, 'm').exec(text)?.[1]);
    // good: RunStarted, RunSucceeded, AwaitingApproval; broken: RunFailed; flaky: RunSucceeded (its
    // retries count once); quiet: at least its plan's start.
    assert.ok(value('sent') >= 6, `sent ${value('sent')}`);
    assert.equal(value('failed'), 2, 'the metadata URL refused, the missing Secret');
    assert.equal(value('dropped'), 0);
  });

  it('a second run raises the count of the same Events instead of adding new ones', async () => {
    const firstPlan = of('good', 'RunSucceeded')[0]?.body.execution?.['name'];
    await admin.mergePatch(TofuModules, ns, 'good', { metadata: { annotations: { [Annotations.requestedAt]: new Date().toISOString() } } });
    await arrived('good', 'RunSucceeded', 2);
    assert.notEqual(of('good', 'RunSucceeded')[1]?.body.execution?.['name'], firstPlan);
    const events = await waitFor(
      'RunSucceeded x2 on module good',
      async () => {
        const all = await ownerEvents('good');
        return all.find((e) => e.reason === 'RunSucceeded')?.count === 2 && all;
      },
      30_000,
    );
    for (const reason of ['RunStarted', 'RunSucceeded']) {
      const same = events.filter((e) => e.reason === reason);
      assert.equal(same.length, 1, `one ${reason} Event`);
      assert.equal(same[0]?.count, 2, `${reason} counted twice`);
    }
    const latest = of('good', 'RunSucceeded')[1]?.body.execution?.['name'] as string;
    assert.match(
      events.find((e) => e.reason === 'RunSucceeded')?.message ?? '',
      new RegExp(`plan ${latest} succeeded`),
      'the latest message',
    );
  });

  it('Drifted: a Drifted condition turning True notifies once, with the counts', async () => {
    const module = await admin.get<TofuModule>(TofuModules, ns, 'good');
    const drifted = {
      type: 'Drifted',
      status: 'True',
      reason: 'DriftDetected',
      message: 'patched by the test',
      lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    };
    const conditions = [...(module.status?.conditions ?? []).filter((c) => c.type !== 'Drifted'), drifted];
    await admin.mergePatch(
      TofuModules,
      ns,
      'good',
      { status: { conditions, drift: { drifted: true, counts: { add: 0, change: 3, destroy: 1 } } } },
      'status',
    );
    const [n] = await arrived('good', 'Drifted');
    assert.deepEqual(n?.body['drift'], { counts: { add: 0, change: 3, destroy: 1 } });
    assert.equal(n?.body['url'], `${DASHBOARD}/ns/${ns}/modules/good`);
    // The drift detection records DriftDetected on a real check; the notifier adds no Event of its own.
    await sleep(2_000);
    assert.equal((await ownerEvents('good')).filter((e) => e.reason === 'Drifted').length, 0);
    assert.equal(of('good', 'Drifted').length, 1, 'once');
  });

  it("a drift check's start and success make Events but no webhook", async () => {
    await arrived('quiet', 'RunSucceeded');
    await admin.mergePatch(TofuModules, ns, 'quiet', {
      metadata: { annotations: { [Annotations.driftCheckRequestedAt]: new Date().toISOString() } },
    });
    const check = await waitFor(
      'a finished drift check of quiet',
      async () =>
        (await listExecutions(ns)).find(
          (e) =>
            e.spec.stackRef === undefined &&
            e.spec.moduleRef?.name === 'quiet' &&
            e.spec.purpose === 'DriftCheck' &&
            e.status?.phase === 'Succeeded',
        ),
      RUN_MS,
      500,
    );
    const events = await waitFor(
      'RunSucceeded x2 on module quiet',
      async () => {
        const all = await ownerEvents('quiet');
        return all.find((e) => e.reason === 'RunSucceeded')?.count === 2 && all;
      },
      30_000,
    );
    assert.match(
      events.find((e) => e.reason === 'RunSucceeded')?.message ?? '',
      new RegExp(`drift check ${check.metadata.name} succeeded`),
    );
    await sleep(3_000);
    assert.deepEqual(
      received.filter((r) => r.body.name === 'quiet').map((r) => `${r.body.event} ${String(r.body.execution?.['purpose'])}`),
      ['RunStarted Change', 'RunSucceeded Change'],
    );
  });

  it('a restarted operator sends nothing again for what it sent before', async () => {
    await sleep(3_000);
    const before = received.length;
    await operator.stop();
    operator = new OperatorProcess(await operatorKubeconfig(), {
      TOFU_OPERATOR_WATCH_NAMESPACE: ns,
      TOFU_OPERATOR_NOTIFY_ALLOW_LOOPBACK: 'true',
    });
    operator.start();
    await operator.waitUntilLeading();
    await sleep(15_000);
    assert.deepEqual(
      received.slice(before).map((r) => `${r.body.name} ${r.body.event}`),
      [],
    );
  });
});
