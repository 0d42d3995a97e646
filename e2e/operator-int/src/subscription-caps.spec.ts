// Issue 14, item 6: the per-connection subscription limit holds against a burst (it is counted when a
// subscribe arrives, not after its review), and websocket connections are capped per user and per
// client address. The real operator process, real ServiceAccount tokens and SubjectAccessReviews;
// every connection comes from loopback.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { io, type Socket } from 'socket.io-client';
import {
  ClientEvents,
  SOCKET_PATH,
  SocketLimits,
  type ClientToServerEvents,
  type ErrorBody,
  type ServerToClientEvents,
  type SubscribeAck,
} from '@tofu-operator/api-contracts';
import { manifestKinds, type KubeObject } from '@tofu-operator/reconcile-runtime';
import {
  admin,
  deleteNamespace,
  freePort,
  installCrdsAndRbac,
  newNamespace,
  operatorKubeconfig,
  OperatorProcess,
  waitFor,
} from './harness.js';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
const ServiceAccounts = manifestKinds['ServiceAccount']!;
const ClusterRoles = manifestKinds['ClusterRole']!;
const ClusterRoleBindings = manifestKinds['ClusterRoleBinding']!;

const PER_USER = 4;
const PER_ADDRESS = 6;
const BURST = 200;

describe('websocket limits: subscriptions per connection, connections per user and per address', () => {
  let operator: OperatorProcess;
  let ns: string;
  let base: string;
  let alice: string;
  let bob: string;
  const clusterRole = `int-subscription-caps-${process.pid}`;
  const sockets: Client[] = [];

  /** A ServiceAccount of `ns` allowed to watch modules in every namespace; its token. */
  async function watcher(name: string): Promise<string> {
    await admin.create<KubeObject>(ServiceAccounts, ns, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } });
    await admin.create<KubeObject & { roleRef: unknown; subjects: unknown[] }>(ClusterRoleBindings, undefined, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: `${clusterRole}-${name}` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole },
      subjects: [{ kind: 'ServiceAccount', name, namespace: ns }],
    });
    const tr = await admin.request<{ status: { token: string } }>('POST', `/api/v1/namespaces/${ns}/serviceaccounts/${name}/token`, {
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
    });
    return tr.status.token;
  }

  /** Connects; resolves with the socket, or with the error body of a refused handshake. */
  async function connect(token: string): Promise<{ socket: Client; refused?: ErrorBody }> {
    const socket: Client = io(base, { path: SOCKET_PATH, transports: ['websocket'], reconnection: false, forceNew: true, auth: { token } });
    sockets.push(socket);
    const refused = await new Promise<ErrorBody | undefined>((resolve) => {
      socket.once('connect', () => resolve(undefined));
      socket.once('connect_error', (err: Error & { data?: ErrorBody }) =>
        resolve(err.data ?? { status: 0, reason: '', message: err.message }),
      );
    });
    return refused ? { socket, refused } : { socket };
  }

  function ack(socket: Client, event: keyof ClientToServerEvents, payload: unknown): Promise<SubscribeAck> {
    return new Promise((resolve) =>
      (socket.emit as (e: string, p: unknown, cb: (a: SubscribeAck) => void) => void)(event, payload, resolve),
    );
  }

  before(async () => {
    await installCrdsAndRbac();
    ns = await newNamespace('caps');
    await admin.create<KubeObject & { rules: unknown[] }>(ClusterRoles, undefined, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: clusterRole },
      rules: [{ apiGroups: ['tofu-operator.io'], resources: ['tofumodules'], verbs: ['watch'] }],
    });
    alice = await watcher('alice');
    bob = await watcher('bob');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    operator = new OperatorProcess(await operatorKubeconfig(), {
      PORT: String(port),
      TOFU_OPERATOR_WATCH_NAMESPACE: ns,
      TOFU_OPERATOR_WS_CONNECTIONS_PER_USER: String(PER_USER),
      TOFU_OPERATOR_WS_CONNECTIONS_PER_ADDRESS: String(PER_ADDRESS),
    });
    operator.start();
    await operator.waitUntilLeading();
    await waitFor('the API is ready', async () => (await fetch(`${base}/readyz`)).ok);
  });

  after(async () => {
    for (const s of sockets) s.disconnect();
    await operator?.stop();
    for (const n of ['alice', 'bob']) await admin.delete(ClusterRoleBindings, undefined, `${clusterRole}-${n}`).catch(() => undefined);
    await admin.delete(ClusterRoles, undefined, clusterRole).catch(() => undefined);
    if (ns) await deleteNamespace(ns);
  });

  it(`a burst of ${BURST} subscribes on one connection, none awaited, gets exactly ${SocketLimits.subscriptionsPerConnection}`, async () => {
    const { socket, refused } = await connect(alice);
    assert.equal(refused, undefined);
    // Distinct namespaces, so each subscribe needs its own SubjectAccessReview (none is cached).
    const acks = await Promise.all(
      Array.from({ length: BURST }, (_, i) =>
        ack(socket, ClientEvents.subscribeNamespace, { namespace: `burst-${i}`, kinds: ['modules'] }),
      ),
    );
    const granted = acks.filter((a) => a.ok).length;
    const limited = acks.filter((a) => !a.ok && a.error.status === 429 && /subscriptions per connection/.test(a.error.message)).length;
    const other = acks.filter((a) => !a.ok && a.error.status !== 429).map((a) => (a.ok ? '' : `${a.error.status} ${a.error.message}`));
    assert.deepEqual(other, [], 'every refusal is the subscription limit');
    assert.equal(granted, SocketLimits.subscriptionsPerConnection);
    assert.equal(limited, BURST - SocketLimits.subscriptionsPerConnection);
    // The limit is of the connection: one more is refused, after leaving one a new one is allowed.
    const more = await ack(socket, ClientEvents.subscribeNamespace, { namespace: 'burst-more', kinds: ['modules'] });
    assert.equal(more.ok ? 200 : more.error.status, 429);
    const firstGranted = acks.findIndex((a) => a.ok);
    await ack(socket, ClientEvents.unsubscribeNamespace, { namespace: `burst-${firstGranted}`, kinds: ['modules'] });
    assert.deepEqual(await ack(socket, ClientEvents.subscribeNamespace, { namespace: 'burst-more', kinds: ['modules'] }), { ok: true });
  });

  it(`refuses a user's connection beyond ${PER_USER} and an address's beyond ${PER_ADDRESS} with 429`, async () => {
    // alice holds one connection from the test above.
    for (let i = 1; i < PER_USER; i++) assert.equal((await connect(alice)).refused, undefined, `alice's connection ${i + 1}`);
    const aliceOver = await connect(alice);
    assert.equal(aliceOver.refused?.status, 429);
    assert.match(aliceOver.refused?.message ?? '', /per user/);
    // The refused connection gave its place at the address back: bob gets the remaining two.
    const bobs: Client[] = [];
    for (let i = 0; i < PER_ADDRESS - PER_USER; i++) {
      const c = await connect(bob);
      assert.equal(c.refused, undefined, `bob's connection ${i + 1}`);
      bobs.push(c.socket);
    }
    const bobOver = await connect(bob);
    assert.equal(bobOver.refused?.status, 429);
    assert.match(bobOver.refused?.message ?? '', /per client address/);
    // Beyond the address cap even a bad token is refused before any TokenReview.
    const stranger = await connect('not-a-token');
    assert.equal(stranger.refused?.status, 429);
    // A closed connection frees its place.
    bobs[0]?.disconnect();
    await waitFor('a closed connection frees its place', async () => {
      const c = await connect(bob);
      if (c.refused) c.socket.disconnect();
      return c.refused === undefined;
    });
  });
});
