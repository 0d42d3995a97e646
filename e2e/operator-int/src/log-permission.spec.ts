// Issue 14, item 11 (ADR 0010): reading a run's log needs `get` on `tofuexecutions/log`. A Role with
// `get` on executions only shows the status; users bound to Kubernetes' built-in `view` and `edit`
// (which aggregate deploy/rbac/user-roles.yaml) keep the log. Real API server, real RBAC
// aggregation, real ServiceAccount tokens; the run's pod never schedules, so its log stays "waiting".
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import {
  ClientEvents,
  ServerEvents,
  SOCKET_PATH,
  type ClientToServerEvents,
  type LogStateEvent,
  type ResourceEvent,
  type ServerToClientEvents,
  type SubscribeAck,
} from '@tofu-operator/api-contracts';
import { manifestKinds, type KubeObject } from '@tofu-operator/reconcile-runtime';
import type { TofuModule } from '@tofu-operator/api-types';
import {
  admin,
  applyFile,
  deleteNamespace,
  freePort,
  installCrdsAndRbac,
  listExecutions,
  newNamespace,
  operatorKubeconfig,
  OperatorProcess,
  repoRoot,
  TofuModules,
  UNSCHEDULABLE,
  waitFor,
} from './harness.js';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
const ServiceAccounts = manifestKinds['ServiceAccount']!;
const Roles = manifestKinds['Role']!;
const RoleBindings = manifestKinds['RoleBinding']!;

/** A ServiceAccount of `ns` bound to `role` (a Role of `ns`, or a ClusterRole such as `view`); its token. */
async function account(ns: string, name: string, role: { kind: 'Role' | 'ClusterRole'; name: string }): Promise<string> {
  await admin.create<KubeObject>(ServiceAccounts, ns, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } });
  await admin.create<KubeObject & { roleRef: unknown; subjects: unknown[] }>(RoleBindings, ns, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...role },
    subjects: [{ kind: 'ServiceAccount', name, namespace: ns }],
  });
  const tr = await admin.request<{ status: { token: string } }>('POST', `/api/v1/namespaces/${ns}/serviceaccounts/${name}/token`, {
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
  });
  return tr.status.token;
}

describe('run logs need get on tofuexecutions/log (ADR 0010)', () => {
  let operator: OperatorProcess;
  let ns: string;
  let base: string;
  let run: string;
  const tokens: Record<'statusOnly' | 'viewer' | 'editor', string> = { statusOnly: '', viewer: '', editor: '' };
  const sockets: Client[] = [];
  const aborts: AbortController[] = [];

  /** Subscribes to the run; what came within a moment: the ack, the status events and the log states. */
  async function subscribe(token: string) {
    const socket: Client = io(base, { path: SOCKET_PATH, transports: ['websocket'], reconnection: false, forceNew: true, auth: { token } });
    sockets.push(socket);
    const resources: ResourceEvent[] = [];
    const states: LogStateEvent[] = [];
    socket.on(ServerEvents.resource, (e) => resources.push(e));
    socket.on(ServerEvents.executionLogState, (e) => states.push(e));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const ack = await new Promise<SubscribeAck>((resolve) =>
      (socket.emit as (e: string, p: unknown, cb: (a: SubscribeAck) => void) => void)(
        ClientEvents.subscribeExecution,
        { namespace: ns, name: run },
        resolve,
      ),
    );
    await waitFor('a log state', () => states.length > 0);
    return { ack, resources, states };
  }

  /** The status of a followed log's answer (the stream itself stays open until the test ends). */
  async function followStatus(token: string): Promise<{ status: number; body?: string }> {
    const abort = new AbortController();
    aborts.push(abort);
    const res = await fetch(`${base}/api/v1/namespaces/${ns}/executions/${run}/logs?follow=true`, {
      headers: { authorization: `Bearer ${token}` },
      signal: abort.signal,
    });
    return res.status === 200 ? { status: 200 } : { status: res.status, body: await res.text() };
  }

  before(async () => {
    await installCrdsAndRbac();
    // The roles for people, aggregated into view and edit by the API server.
    await applyFile(join(repoRoot, 'deploy', 'rbac', 'user-roles.yaml'));
    ns = await newNamespace('logperm');
    await admin.create<KubeObject & { rules: unknown[] }>(Roles, ns, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'status-only' },
      rules: [
        { apiGroups: ['tofu-operator.io'], resources: ['tofumodules', 'tofustacks', 'tofuexecutions'], verbs: ['get', 'list', 'watch'] },
      ],
    });
    tokens.statusOnly = await account(ns, 'status-only', { kind: 'Role', name: 'status-only' });
    tokens.viewer = await account(ns, 'viewer', { kind: 'ClusterRole', name: 'view' });
    tokens.editor = await account(ns, 'editor', { kind: 'ClusterRole', name: 'edit' });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    operator = new OperatorProcess(await operatorKubeconfig(), { PORT: String(port), TOFU_OPERATOR_WATCH_NAMESPACE: ns });
    operator.start();
    await operator.waitUntilLeading();
    await waitFor('the API is ready', async () => (await fetch(`${base}/readyz`)).ok);
    await admin.create<TofuModule>(TofuModules, ns, {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuModule',
      metadata: { name: 'web', namespace: ns },
      spec: {
        source: { repository: 'git://10.88.0.1/tofu-samples', revision: 'main', workdir: 'hello' },
        executionTemplate: { ...UNSCHEDULABLE },
      },
    });
    run = await waitFor('the module plan execution', async () => (await listExecutions(ns))[0]?.metadata?.name);
  });

  after(async () => {
    for (const s of sockets) s.disconnect();
    for (const a of aborts) a.abort();
    await operator?.stop();
    if (ns) await deleteNamespace(ns);
  });

  it('get on executions alone: the status, but REST logs 403 and the socket log unavailable, both naming tofuexecutions/log', async () => {
    const execution = await fetch(`${base}/api/v1/namespaces/${ns}/executions/${run}`, {
      headers: { authorization: `Bearer ${tokens.statusOnly}` },
    });
    assert.equal(execution.status, 200);
    const whole = await fetch(`${base}/api/v1/namespaces/${ns}/executions/${run}/logs`, {
      headers: { authorization: `Bearer ${tokens.statusOnly}` },
    });
    assert.equal(whole.status, 403);
    // The error body is JSON: the quote after the name is escaped.
    assert.match(await whole.text(), /cannot get tofuexecutions\/log \\"/);
    const followed = await followStatus(tokens.statusOnly);
    assert.equal(followed.status, 403);
    assert.match(followed.body ?? '', /tofuexecutions\/log/);
    const sub = await subscribe(tokens.statusOnly);
    assert.deepEqual(sub.ack, { ok: true });
    assert.equal(sub.resources[0]?.name, run, 'the status comes');
    assert.equal(sub.states[0]?.state, 'unavailable');
    assert.match(sub.states[0]?.message ?? '', /cannot get tofuexecutions\/log "/);
  });

  it('the built-in view and edit roles keep the log: the followed log answers 200 and the socket streams its state', async () => {
    await waitFor('view and edit aggregate tofuexecutions/log', async () => {
      const sar = await admin.request<{ status: { allowed: boolean } }>('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SubjectAccessReview',
          spec: {
            user: `system:serviceaccount:${ns}:viewer`,
            resourceAttributes: { verb: 'get', group: 'tofu-operator.io', resource: 'tofuexecutions', subresource: 'log', namespace: ns },
          },
        },
      });
      return sar.status.allowed;
    });
    for (const who of ['viewer', 'editor'] as const) {
      assert.deepEqual(await followStatus(tokens[who]), { status: 200 }, who);
      const sub = await subscribe(tokens[who]);
      assert.deepEqual(sub.ack, { ok: true }, who);
      assert.equal(sub.states[0]?.state, 'waiting', `${who}: the log is followed (the pod is not scheduled)`);
    }
  });
});
