// Issue 14, item 5: a websocket subscription and a followed REST log must not outlive the
// RoleBinding that allowed them. Real API server, real RBAC, real ServiceAccount tokens; the run's
// pod never schedules, so its log stays "waiting" and both deliveries stay open until ended.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { io, type Socket } from 'socket.io-client';
import {
  ClientEvents,
  ServerEvents,
  SOCKET_PATH,
  type ClientToServerEvents,
  type ServerToClientEvents,
  type SubscribeAck,
  type SubscriptionEndedEvent,
} from '@tofu-operator/api-contracts';
import { manifestKinds, type KubeObject } from '@tofu-operator/reconcile-runtime';
import type { TofuModule } from '@tofu-operator/api-types';
import {
  admin,
  deleteNamespace,
  freePort,
  installCrdsAndRbac,
  listExecutions,
  newNamespace,
  operatorKubeconfig,
  OperatorProcess,
  TofuModules,
  UNSCHEDULABLE,
  waitFor,
} from './harness.js';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
const ServiceAccounts = manifestKinds['ServiceAccount']!;
const Roles = manifestKinds['Role']!;
const RoleBindings = manifestKinds['RoleBinding']!;

/** How long the operator may take to end a revoked delivery (the default re-check period is 5 s). */
const END_WITHIN_MS = 15_000;

/** A ServiceAccount allowed to read the tofu kinds and run logs in `ns` through a RoleBinding of its own; its token. */
async function reader(ns: string, name: string): Promise<string> {
  await admin.create<KubeObject>(ServiceAccounts, ns, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } });
  await admin.create<KubeObject & { rules: unknown[] }>(Roles, ns, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name },
    rules: [
      {
        apiGroups: ['tofu-operator.io'],
        resources: ['tofumodules', 'tofustacks', 'tofuexecutions', 'tofuexecutions/log'],
        verbs: ['get', 'list', 'watch'],
      },
    ],
  });
  await admin.create<KubeObject & { roleRef: unknown; subjects: unknown[] }>(RoleBindings, ns, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: [{ kind: 'ServiceAccount', name, namespace: ns }],
  });
  const tr = await admin.request<{ status: { token: string } }>('POST', `/api/v1/namespaces/${ns}/serviceaccounts/${name}/token`, {
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
  });
  return tr.status.token;
}

/** A followed log: its text so far and when (performance.now()) the server ended it. */
class Follow {
  text = '';
  endedAt: number | undefined;
  readonly abort = new AbortController();

  constructor(url: string, token: string) {
    void this.read(url, token);
  }

  private async read(url: string, token: string): Promise<void> {
    try {
      const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: this.abort.signal });
      this.text += `[status ${res.status}]\n`;
      const decoder = new TextDecoder();
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) this.text += decoder.decode(chunk, { stream: true });
    } catch (err) {
      if (this.abort.signal.aborted) return;
      this.text += `[error ${String(err)}]\n`;
    }
    this.endedAt = performance.now();
  }
}

describe('revocation: live subscriptions and followed logs end when access is removed', () => {
  let operator: OperatorProcess;
  let ns: string;
  let base: string;
  const sockets: Client[] = [];
  const follows: Follow[] = [];

  function ack(socket: Client, event: keyof ClientToServerEvents, payload: unknown): Promise<SubscribeAck> {
    return new Promise((resolve) =>
      (socket.emit as (e: string, p: unknown, cb: (a: SubscribeAck) => void) => void)(event, payload, resolve),
    );
  }

  async function connectedAs(token: string): Promise<{ socket: Client; ended: SubscriptionEndedEvent[] }> {
    const socket: Client = io(base, { path: SOCKET_PATH, transports: ['websocket'], reconnection: false, forceNew: true, auth: { token } });
    sockets.push(socket);
    const ended: SubscriptionEndedEvent[] = [];
    socket.on(ServerEvents.subscriptionEnded, (e) => ended.push(e));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return { socket, ended };
  }

  before(async () => {
    await installCrdsAndRbac();
    ns = await newNamespace('revoke');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    operator = new OperatorProcess(await operatorKubeconfig(), { PORT: String(port), TOFU_OPERATOR_WATCH_NAMESPACE: ns });
    operator.start();
    await operator.waitUntilLeading();
    await waitFor('the API is ready', async () => (await fetch(`${base}/readyz`)).ok);
  });

  after(async () => {
    for (const s of sockets) s.disconnect();
    for (const f of follows) f.abort.abort();
    await operator?.stop();
    if (ns) await deleteNamespace(ns);
  });

  it('a removed RoleBinding ends the socket subscriptions and the followed log within 15 s; another reader keeps both', async (t) => {
    const revoked = await reader(ns, 'revoked');
    const kept = await reader(ns, 'kept');
    await admin.create<TofuModule>(TofuModules, ns, {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuModule',
      metadata: { name: 'web', namespace: ns },
      spec: {
        source: { repository: 'git://10.88.0.1/tofu-samples', revision: 'main', workdir: 'hello' },
        executionTemplate: { ...UNSCHEDULABLE },
      },
    });
    const run = await waitFor('the module plan execution', async () => (await listExecutions(ns))[0]?.metadata?.name);

    const clients = { revoked: await connectedAs(revoked), kept: await connectedAs(kept) };
    for (const { socket } of Object.values(clients)) {
      assert.deepEqual(await ack(socket, ClientEvents.subscribeExecution, { namespace: ns, name: run }), { ok: true });
      assert.deepEqual(await ack(socket, ClientEvents.subscribeNamespace, { namespace: ns, kinds: ['executions'] }), { ok: true });
    }
    const url = `${base}/api/v1/namespaces/${ns}/executions/${run}/logs?follow=true`;
    const followRevoked = new Follow(url, revoked);
    const followKept = new Follow(url, kept);
    follows.push(followRevoked, followKept);
    await waitFor(
      'both follows answered 200',
      () => followRevoked.text.startsWith('[status 200]') && followKept.text.startsWith('[status 200]'),
    );

    const removedAt = performance.now();
    await admin.delete(RoleBindings, ns, 'revoked');
    await waitFor(
      'the revoked reader to lose both subscriptions and its followed log',
      () => clients.revoked.ended.length === 2 && followRevoked.endedAt !== undefined,
      END_WITHIN_MS + 5_000,
    );
    const socketMs = performance.now() - removedAt;
    const followMs = (followRevoked.endedAt ?? Infinity) - removedAt;
    t.diagnostic(`subscriptions ended after ${Math.round(socketMs)} ms, the follow after ${Math.round(followMs)} ms`);
    assert.ok(socketMs <= END_WITHIN_MS, `the subscriptions ended ${Math.round(socketMs)} ms after the RoleBinding was removed`);
    assert.ok(followMs <= END_WITHIN_MS, `the follow ended ${Math.round(followMs)} ms after the RoleBinding was removed`);

    const byWhat = new Map(clients.revoked.ended.map((e) => [e.name ?? e.kinds?.join(','), e]));
    for (const what of [run, 'executions']) {
      const e = byWhat.get(what);
      assert.ok(e, `subscription:ended for ${what}`);
      assert.equal(e.namespace, ns);
      assert.equal(e.error.status, 403);
      assert.match(e.error.message, /system:serviceaccount:.*:revoked/);
    }
    const lastLine = followRevoked.text.trimEnd().split('\n').pop() ?? '';
    assert.match(lastLine, /^\[tofu-operator\] log stream ended: user "system:serviceaccount:.*:revoked" cannot (get|watch)/);

    // Subscribing again is refused the same way; the other reader's deliveries are untouched.
    const again = await ack(clients.revoked.socket, ClientEvents.subscribeExecution, { namespace: ns, name: run });
    assert.equal(again.ok ? 200 : again.error.status, 403);
    assert.equal(clients.revoked.socket.connected, true, 'the connection stays; only the subscriptions end');
    assert.deepEqual(clients.kept.ended, []);
    assert.equal(followKept.endedAt, undefined, "the other reader's follow is still open");
    assert.equal(operator.log().includes(revoked), false, 'the token is not in the operator log');
  });
});
