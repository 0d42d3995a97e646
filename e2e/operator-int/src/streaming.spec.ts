// The socket.io endpoint and the log store against real runs: a real runner pod on the local node,
// the real API server's pods/log, real ServiceAccount tokens and SubjectAccessReviews.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import {
  appendLogLines,
  ClientEvents,
  ServerEvents,
  SOCKET_PATH,
  SocketLimits,
  type ClientToServerEvents,
  type ErrorBody,
  type LogLinesEvent,
  type LogStateEvent,
  type ResourceEvent,
  type ServerToClientEvents,
  type SubscribeAck,
} from '@tofu-operator/api-contracts';
import { manifestKinds, type KubeObject } from '@tofu-operator/reconcile-runtime';
import { Labels, TofuLogChunks, type TofuLogChunk, type TofuModule } from '@tofu-operator/api-types';
import {
  admin,
  deleteNamespace,
  freePort,
  getExecution,
  installCrdsAndRbac,
  listExecutions,
  listPods,
  newNamespace,
  operatorKubeconfig,
  OperatorProcess,
  Pods,
  repoRoot,
  serveRepo,
  serviceAccountWithRole,
  TofuModules,
  UNSCHEDULABLE,
  waitFor,
  manyResources as manyTerraformData,
} from './harness.js';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
const ClusterRoles = manifestKinds['ClusterRole']!;
const ClusterRoleBindings = manifestKinds['ClusterRoleBinding']!;

/** A module with many resources: a plan log of a few thousand lines written over a few seconds. */
const manyResources = (n: number) =>
  manyTerraformData(n, '{ index = count.index, name = "resource-${count.index}", tags = ["a", "b", "c"] }');

function moduleObj(ns: string, name: string, repository: string, workdir: string): TofuModule {
  return {
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuModule',
    metadata: { name, namespace: ns },
    spec: { source: { repository, revision: 'main', workdir } },
  };
}

/** Sum of the API server's completed pods/log requests (its own Prometheus counter; logs are CONNECT). */
async function apiServerLogRequests(): Promise<number> {
  let text = '';
  for await (const chunk of (await admin.stream('/metrics', {}, new AbortController().signal)) as AsyncIterable<Buffer>)
    text += chunk.toString('utf8');
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    if (line.includes('resource="pods"') && line.includes('subresource="log"') && line.includes('verb="CONNECT"'))
      sum += Number(line.split(' ').pop());
  }
  return sum;
}

/** The lines and states a client received for one execution, checked for order as they arrive. */
class LogCollector {
  lines: string[] = [];
  states: LogStateEvent[] = [];
  gaps = 0;
  constructor(
    socket: Client,
    readonly namespace: string,
    readonly name: string,
  ) {
    socket.on(ServerEvents.executionLog, (e: LogLinesEvent) => {
      if (e.namespace !== namespace || e.name !== name) return;
      // Lines must come exactly in order: the next seq is what the client holds.
      if (e.seq !== this.lines.length) this.gaps++;
      const next = appendLogLines(this.lines, e);
      if (next.gap) this.gaps++;
      this.lines = next.lines;
    });
    socket.on(ServerEvents.executionLogState, (e: LogStateEvent) => {
      if (e.namespace === namespace && e.name === name) this.states.push(e);
    });
  }
  get ended(): LogStateEvent | undefined {
    return this.states.find((s) => s.state === 'ended' || s.state === 'unavailable');
  }
}

describe('socket.io: status and live logs', () => {
  let operator: OperatorProcess;
  let ns: string;
  let nsOther: string;
  let viewer: string;
  let base: string;
  let repo: string;
  const sockets: Client[] = [];

  function connect(opts: { token?: string; origin?: string; query?: Record<string, string> } = {}): Client {
    const socket: Client = io(base, {
      path: SOCKET_PATH,
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      ...(opts.token ? { auth: { token: opts.token } } : {}),
      ...(opts.origin ? { extraHeaders: { origin: opts.origin } } : {}),
      ...(opts.query ? { query: opts.query } : {}),
    });
    sockets.push(socket);
    return socket;
  }

  /** Resolves on connect, rejects with the server's error body on connect_error. */
  function connected(socket: Client): Promise<void> {
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (err: Error & { data?: ErrorBody }) => reject(Object.assign(err, { body: err.data })));
    });
  }

  function ack(socket: Client, event: keyof ClientToServerEvents, payload: unknown): Promise<SubscribeAck> {
    return new Promise((resolve) =>
      (socket.emit as (e: string, p: unknown, cb: (a: SubscribeAck) => void) => void)(event, payload, resolve),
    );
  }

  async function connectedAs(token: string): Promise<Client> {
    const s = connect({ token });
    await connected(s);
    return s;
  }

  before(async () => {
    await installCrdsAndRbac();
    repo = serveRepo('e2e-stream', { 'many/main.tf': manyResources(300), 'slow/main.tf': manyResources(3000) });
    ns = await newNamespace('stream');
    nsOther = await newNamespace('stream-b');
    viewer = await serviceAccountWithRole(ns, 'viewer', ['get', 'list', 'watch']);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    operator = new OperatorProcess(await operatorKubeconfig(), {
      PORT: String(port),
      TOFU_OPERATOR_WATCH_NAMESPACE: ns,
      // The last test restarts the API server: keep leadership through it.
      TOFU_OPERATOR_LEASE_DURATION_MS: '60000',
      TOFU_OPERATOR_RENEW_DEADLINE_MS: '45000',
      TOFU_OPERATOR_RETRY_PERIOD_MS: '1000',
    });
    operator.start();
    await operator.waitUntilLeading();
    await waitFor('the API is ready', async () => (await fetch(`${base}/readyz`)).ok);
  });

  after(async () => {
    for (const s of sockets) s.disconnect();
    await operator?.stop();
    await Promise.all([ns, nsOther].filter(Boolean).map(deleteNamespace));
  });

  it('authenticates the handshake: no token, a bad token, a token in the URL and a foreign Origin are refused', async () => {
    const noToken = await connected(connect()).then(
      () => undefined,
      (e: { body?: ErrorBody }) => e.body,
    );
    assert.equal(noToken?.status, 401);
    const badToken = await connected(connect({ token: 'not-a-token' })).then(
      () => undefined,
      (e: { body?: ErrorBody }) => e.body,
    );
    assert.equal(badToken?.status, 401);
    const inUrl = await connected(connect({ query: { token: viewer } })).then(
      () => undefined,
      (e: { body?: ErrorBody }) => e.body,
    );
    assert.equal(inUrl?.status, 400);
    assert.match(inUrl?.message ?? '', /not accepted in URLs/);
    await assert.rejects(connected(connect({ token: viewer, origin: 'https://evil.example' })));
    // The service's own origin is fine.
    await connected(connect({ token: viewer, origin: base }));
  });

  it('authorises every subscription with a SubjectAccessReview and validates payloads', async () => {
    const s = await connectedAs(viewer);
    assert.deepEqual(await ack(s, ClientEvents.subscribeNamespace, { namespace: ns }), { ok: true });
    const elsewhere = await ack(s, ClientEvents.subscribeNamespace, { namespace: nsOther });
    assert.equal(elsewhere.ok ? 0 : elsewhere.error.status, 403);
    const execElsewhere = await ack(s, ClientEvents.subscribeExecution, { namespace: nsOther, name: 'x' });
    assert.equal(execElsewhere.ok ? 0 : execElsewhere.error.status, 403);
    const missing = await ack(s, ClientEvents.subscribeExecution, { namespace: ns, name: 'does-not-exist' });
    assert.equal(missing.ok ? 0 : missing.error.status, 404);
    const invalid = await ack(s, ClientEvents.subscribeExecution, { namespace: ns, name: 'x', fromSeq: -3 });
    assert.ok(!invalid.ok);
    assert.equal(invalid.error.status, 422);
    assert.equal(invalid.error.fields?.[0]?.path, 'fromSeq');
    // A token without watch on executions cannot subscribe to them.
    const lister = await serviceAccountWithRole(ns, 'lister', ['get', 'list']);
    const l = await connectedAs(lister);
    const noWatch = await ack(l, ClientEvents.subscribeNamespace, { namespace: ns, kinds: ['executions'] });
    assert.equal(noWatch.ok ? 0 : noWatch.error.status, 403);
  });

  it('limits subscriptions per connection', async () => {
    // A caller allowed to watch modules everywhere, so every subscription passes the review.
    const name = `${ns}-watch-all`;
    await admin.create<KubeObject & { rules: unknown[] }>(ClusterRoles, undefined, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name },
      rules: [{ apiGroups: ['tofu-operator.io'], resources: ['tofumodules'], verbs: ['watch'] }],
    });
    await admin.create<KubeObject & { roleRef: unknown; subjects: unknown[] }>(ClusterRoleBindings, undefined, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [{ kind: 'ServiceAccount', name: 'viewer', namespace: ns }],
    });
    try {
      const s = await connectedAs(viewer);
      for (let i = 0; i < SocketLimits.subscriptionsPerConnection; i++) {
        const a = await waitFor(`subscription ${i}`, async () => {
          const r = await ack(s, ClientEvents.subscribeNamespace, { namespace: `${ns}-x${i}`, kinds: ['modules'] });
          return r.ok || r.error.status !== 403 ? r : undefined; // the binding takes a moment to count
        });
        assert.deepEqual(a, { ok: true }, `subscription ${i}`);
      }
      const beyond = await ack(s, ClientEvents.subscribeNamespace, { namespace: `${ns}-beyond`, kinds: ['modules'] });
      assert.equal(beyond.ok ? 0 : beyond.error.status, 429);
      // Leaving one makes room for another.
      assert.deepEqual(await ack(s, ClientEvents.unsubscribeNamespace, { namespace: `${ns}-x0`, kinds: ['modules'] }), { ok: true });
      assert.deepEqual(await ack(s, ClientEvents.subscribeNamespace, { namespace: `${ns}-beyond`, kinds: ['modules'] }), { ok: true });
    } finally {
      await admin.delete(ClusterRoleBindings, undefined, name);
      await admin.delete(ClusterRoles, undefined, name);
    }
  });

  it('tells subscribers of a run whose runner has not started that it is waiting, not an error', async () => {
    const m = moduleObj(ns, 'pending', repo, 'many');
    m.spec.executionTemplate = { ...UNSCHEDULABLE };
    await admin.create(TofuModules, ns, m);
    const name = await waitFor(
      'the execution',
      async () => (await listExecutions(ns)).find((e) => e.spec.moduleRef?.name === 'pending')?.metadata.name,
    );
    const s = await connectedAs(viewer);
    const c = new LogCollector(s, ns, name);
    assert.deepEqual(await ack(s, ClientEvents.subscribeExecution, { namespace: ns, name }), { ok: true });
    await waitFor('a log state', () => c.states.length > 0);
    assert.equal(c.states[0]?.state, 'waiting');
    assert.deepEqual(c.lines, []);
    await admin.delete(TofuModules, ns, 'pending');
  });

  it('streams a real run: status in order, the whole log in order, a reconnect gets exactly what it missed, 51 viewers share one upstream', async (t) => {
    const watcher = await connectedAs(viewer);
    const phases: string[] = [];
    let executionName: string | undefined;
    watcher.on(ServerEvents.resource, (e: ResourceEvent) => {
      if (e.kind !== 'executions' || e.object.spec.moduleRef?.name !== 'many') return;
      executionName ??= e.name;
      const phase = e.object.status?.phase;
      if (phase && phases[phases.length - 1] !== phase) phases.push(phase);
    });
    assert.deepEqual(await ack(watcher, ClientEvents.subscribeNamespace, { namespace: ns, kinds: ['executions'] }), { ok: true });
    const logRequestsBefore = await apiServerLogRequests();

    await admin.create(TofuModules, ns, moduleObj(ns, 'many', repo, 'many'));
    const name = await waitFor('the execution event', () => executionName);

    // 50 viewers subscribe while the run starts (one upstream must serve them all).
    const viewers = await Promise.all(Array.from({ length: 50 }, () => connectedAs(viewer)));
    const collectors = viewers.map((v) => new LogCollector(v, ns, name));
    const acks = await Promise.all(viewers.map((v) => ack(v, ClientEvents.subscribeExecution, { namespace: ns, name })));
    assert.ok(
      acks.every((a) => a.ok),
      JSON.stringify(acks.find((a) => !a.ok)),
    );

    // One more viewer drops mid-run and comes back with the number of lines it holds.
    const dropper = await connectedAs(viewer);
    const first = new LogCollector(dropper, ns, name);
    assert.deepEqual(await ack(dropper, ClientEvents.subscribeExecution, { namespace: ns, name }), { ok: true });
    await waitFor('the first lines', () => first.lines.length >= 10, 120_000, 20);
    dropper.disconnect();
    const held = first.lines.slice();
    const back = await connectedAs(viewer);
    const second = new LogCollector(back, ns, name);
    second.lines = held.slice();
    assert.deepEqual(await ack(back, ClientEvents.subscribeExecution, { namespace: ns, name, fromSeq: held.length }), { ok: true });

    await waitFor('every viewer to see the end', () => collectors.every((c) => c.ended) && second.ended, 180_000, 100);
    const reference = collectors[0]!.lines;
    assert.ok(
      reference.some((l) => l.includes('Plan: 300 to add, 0 to change, 0 to destroy.')),
      'the plan summary is in the log',
    );
    assert.ok(reference.length > 1000, `a long log (${reference.length} lines)`);
    for (const c of collectors) {
      assert.equal(c.gaps, 0);
      assert.deepEqual(c.lines, reference);
      assert.equal(c.ended?.state, 'ended');
      assert.equal(c.ended?.lines, reference.length);
    }
    assert.equal(second.gaps, 0, 'the reconnect got no line twice and none missing');
    assert.deepEqual(second.lines, reference);

    // Status transitions in order, ending in Succeeded.
    await waitFor('Succeeded', () => phases.includes('Succeeded'), 60_000);
    const order = ['Pending', 'Running', 'Succeeded'];
    const seen = phases.filter((p) => order.includes(p));
    assert.deepEqual(
      seen,
      [...seen].sort((a, b) => order.indexOf(a) - order.indexOf(b)),
      `phases in order: ${phases.join(' -> ')}`,
    );
    assert.equal(seen[seen.length - 1], 'Succeeded');

    // 51 viewers and the archiver: a handful of pods/log requests (follow + tail reads), not 52.
    const logRequests = (await apiServerLogRequests()) - logRequestsBefore;
    t.diagnostic(`pods/log requests to the API server: ${logRequests}`);
    assert.ok(logRequests >= 1 && logRequests <= 6, `pods/log requests to the API server: ${logRequests}`);

    // The REST text agrees line for line.
    const text = await fetch(`${base}/api/v1/namespaces/${ns}/executions/${name}/logs`, { headers: { authorization: `Bearer ${viewer}` } });
    assert.equal(text.status, 200);
    assert.deepEqual((await text.text()).replace(/\n$/, '').split('\n'), reference);
  });

  it('keeps a finished log after its pod is gone and after a restart, readable over REST and socket.io', async () => {
    const exec = (await listExecutions(ns)).find((e) => e.spec.moduleRef?.name === 'many');
    assert.ok(exec?.metadata.name);
    const name = exec.metadata.name;
    const reference = await (
      await fetch(`${base}/api/v1/namespaces/${ns}/executions/${name}/logs`, { headers: { authorization: `Bearer ${viewer}` } })
    ).text();
    // The leader stored it: chunks owned by the execution, the last one final.
    const chunks = await waitFor('the final log chunk', async () => {
      const list = await admin.list<TofuLogChunk>(TofuLogChunks, ns, { labelSelector: `${Labels.execution}=${name}` });
      return list.items.some((c) => c.spec.final) ? list.items : undefined;
    });
    for (const c of chunks) {
      assert.equal(c.metadata.ownerReferences?.[0]?.uid, exec.metadata.uid);
      assert.equal(c.spec.encoding, 'gzip+base64');
    }
    // The pod goes away, and the service restarts.
    for (const p of (await listPods(ns)).filter((p) => p.metadata?.labels?.[Labels.execution] === name)) {
      await admin.delete(Pods, ns, p.metadata?.name ?? '');
    }
    await waitFor('the pod gone', async () => !(await listPods(ns)).some((p) => p.metadata?.labels?.[Labels.execution] === name));
    await operator.stop();
    operator.start();
    await waitFor('the API is ready again', async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.ok === true, 60_000);

    const again = await fetch(`${base}/api/v1/namespaces/${ns}/executions/${name}/logs`, {
      headers: { authorization: `Bearer ${viewer}` },
    });
    assert.equal(again.status, 200);
    assert.equal(await again.text(), reference);
    const tail = await fetch(`${base}/api/v1/namespaces/${ns}/executions/${name}/logs?follow=true&offset=5`, {
      headers: { authorization: `Bearer ${viewer}` },
    });
    assert.equal(await tail.text(), reference.split('\n').slice(5).join('\n'));

    const s = await connectedAs(viewer);
    const c = new LogCollector(s, ns, name);
    assert.deepEqual(await ack(s, ClientEvents.subscribeExecution, { namespace: ns, name, fromSeq: 0 }), { ok: true });
    await waitFor('the stored log over socket.io', () => c.ended, 30_000);
    assert.equal(c.ended?.state, 'ended');
    assert.deepEqual(c.lines, reference.replace(/\n$/, '').split('\n'));

    // An API-only replica (no reconcilers, no leadership) serves the same log.
    const apiPort = await freePort();
    const apiOnly = new OperatorProcess(await operatorKubeconfig(), {
      PORT: String(apiPort),
      TOFU_OPERATOR_ROLE: 'api',
      TOFU_OPERATOR_WATCH_NAMESPACE: ns,
    });
    apiOnly.start();
    try {
      const apiBase = `http://127.0.0.1:${apiPort}`;
      await waitFor(
        'the API-only replica is ready',
        async () => (await fetch(`${apiBase}/readyz`).catch(() => undefined))?.ok === true,
        60_000,
      );
      const fromReplica = await fetch(`${apiBase}/api/v1/namespaces/${ns}/executions/${name}/logs`, {
        headers: { authorization: `Bearer ${viewer}` },
      });
      assert.equal(fromReplica.status, 200);
      assert.equal(await fromReplica.text(), reference);
      assert.match(apiOnly.log(), /API-only replica: reconcilers are not started/);
    } finally {
      await apiOnly.stop();
    }
  });

  it('an API-only replica opens one upstream for its viewers of a running execution and closes it when the last leaves', async () => {
    const apiPort = await freePort();
    const apiOnly = new OperatorProcess(await operatorKubeconfig(), {
      PORT: String(apiPort),
      TOFU_OPERATOR_ROLE: 'api',
      TOFU_OPERATOR_WATCH_NAMESPACE: ns,
    });
    apiOnly.start();
    // A scraper: bound to the metrics-reader ClusterRole from deploy/rbac.
    const scraper = await serviceAccountWithRole(ns, 'scraper', ['get']);
    const binding = `${ns}-scraper`;
    await admin.create<KubeObject & { roleRef: unknown; subjects: unknown[] }>(ClusterRoleBindings, undefined, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: binding },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'tofu-operator-metrics-reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'scraper', namespace: ns }],
    });
    const apiBase = `http://127.0.0.1:${apiPort}`;
    const upstreams = async () => {
      const r = await fetch(`${apiBase}/metrics`, { headers: { authorization: `Bearer ${scraper}` } });
      if (r.status !== 200) return undefined;
      const line = (await r.text()).split('\n').find((l) => l.startsWith('tofu_operator_log_upstreams '));
      return line ? Number(line.split(' ')[1]) : undefined;
    };
    const clients: Client[] = [];
    try {
      await waitFor(
        'the API-only replica is ready',
        async () => (await fetch(`${apiBase}/readyz`).catch(() => undefined))?.ok === true,
        60_000,
      );
      await admin.create(TofuModules, ns, moduleObj(ns, 'slow-viewers', repo, 'slow'));
      const name = await waitFor(
        'the execution',
        async () => (await listExecutions(ns)).find((e) => e.spec.moduleRef?.name === 'slow-viewers')?.metadata.name,
      );
      const collectors: LogCollector[] = [];
      for (let i = 0; i < 5; i++) {
        const c: Client = io(apiBase, {
          path: SOCKET_PATH,
          transports: ['websocket'],
          reconnection: false,
          forceNew: true,
          auth: { token: viewer },
        });
        clients.push(c);
        await connected(c);
        collectors.push(new LogCollector(c, ns, name));
        assert.deepEqual(await ack(c, ClientEvents.subscribeExecution, { namespace: ns, name }), { ok: true });
      }
      await waitFor('the log streaming', () => collectors.every((c) => c.states.some((s) => s.state === 'streaming')), 120_000, 50);
      assert.equal(await waitFor('one upstream', async () => ((await upstreams()) === 1 ? 1 : undefined), 10_000, 100), 1);
      for (const c of clients) c.disconnect();
      await waitFor('no upstream once the viewers left', async () => (await upstreams()) === 0, 10_000, 100);
      const exec = await getExecution(ns, name);
      // Its status may still say Pending (written a moment after the container starts): not ended is what counts.
      assert.ok(
        !['Succeeded', 'Failed'].includes(exec.status?.phase ?? ''),
        `the run was still in progress (${exec.status?.phase ?? 'no phase'})`,
      );
    } finally {
      for (const c of clients) c.disconnect();
      await apiOnly.stop();
      await admin.delete(ClusterRoleBindings, undefined, binding);
    }
  });

  it('resumes a live log after the API server restarts mid-run: complete, in order, nothing twice', async () => {
    await admin.create(TofuModules, ns, moduleObj(ns, 'slow', repo, 'slow'));
    const name = await waitFor(
      'the execution',
      async () => (await listExecutions(ns)).find((e) => e.spec.moduleRef?.name === 'slow')?.metadata.name,
    );
    const s = await connectedAs(viewer);
    const c = new LogCollector(s, ns, name);
    assert.deepEqual(await ack(s, ClientEvents.subscribeExecution, { namespace: ns, name }), { ok: true });
    // Once tofu runs, take the API server away under the open pods/log stream.
    await waitFor('tofu plan to start', () => c.lines.some((l) => l.includes('==> tofu plan')), 120_000, 50);
    execFileSync('bash', [join(repoRoot, 'tools/cluster/cluster.sh'), 'restart', 'kube-apiserver'], { stdio: 'inherit', timeout: 180_000 });
    await waitFor('the log to end', () => c.ended, 300_000, 200);
    assert.equal(c.ended?.state, 'ended', c.ended?.message);
    assert.equal(c.gaps, 0);
    assert.ok(
      c.lines.some((l) => l.includes('Plan: 3000 to add, 0 to change, 0 to destroy.')),
      'the log runs to the plan summary',
    );
    assert.match(operator.log(), /log stream broke off; resuming/, 'the upstream stream really broke and was resumed');
    // The whole log, read afresh, is what the viewer got: no line missing, none twice.
    const whole = await waitFor('the log over REST', async () => {
      const r = await fetch(`${base}/api/v1/namespaces/${ns}/executions/${name}/logs`, {
        headers: { authorization: `Bearer ${viewer}` },
      }).catch(() => undefined);
      return r?.status === 200 ? r.text() : undefined;
    });
    assert.deepEqual(c.lines, whole.replace(/\n$/, '').split('\n'));
  });
});
