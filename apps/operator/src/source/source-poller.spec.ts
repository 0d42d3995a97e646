import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KubeApiError, type KubeClient, type Logger } from '@tofu-operator/reconcile-runtime';
import type { TofuModule } from '@tofu-operator/api-types';
import { Registry } from 'prom-client';
import type { ClusterCache } from '../kube/cluster-cache.js';
import { Leadership } from '../kube/leadership.js';
import type { MetricsService } from '../metrics/metrics.service.js';
import { POLL_REQUESTED_AT, SourcePoller } from './source-poller.js';
import type { SourceSubscriber } from './source-view.js';

type Handler = (event: 'add' | 'update' | 'delete', module: TofuModule) => void;

/** A SourcePoller over fakes: a module cache, a client whose Secret GETs and patches are recorded, a real Leadership. */
function setup(modules: TofuModule[], secret: (name: string) => Record<string, string> | KubeApiError) {
  const handlers: Handler[] = [];
  const patches: { name: string; patch: unknown }[] = [];
  const cache = {
    modules: {
      get: (ns: string, name: string) => modules.find((m) => m.metadata.namespace === ns && m.metadata.name === name),
      onEvent: (h: Handler) => handlers.push(h),
    },
  } as unknown as ClusterCache;
  const client = {
    get: (_rt: unknown, _ns: string, name: string) => {
      const s = secret(name);
      if (s instanceof KubeApiError) return Promise.reject(s);
      return Promise.resolve({ data: Object.fromEntries(Object.entries(s).map(([k, v]) => [k, Buffer.from(v).toString('base64')])) });
    },
    mergePatch: (_rt: unknown, _ns: string, name: string, patch: unknown) => Promise.resolve(patches.push({ name, patch })),
  } as unknown as KubeClient;
  const registry = new Registry();
  const lines: string[] = [];
  const log = { warn: (_o: unknown, m: string) => lines.push(m), info: (_o: unknown, m: string) => lines.push(m) } as unknown as Logger;
  const leadership = new Leadership();
  const poller = new SourcePoller(client, cache, leadership, { registry } as MetricsService, log);
  const changes: SourceSubscriber[][] = [];
  poller.onChange((subs) => changes.push([...subs]));
  return { poller, leadership, handlers, patches, registry, lines, changes };
}

const module = (name: string, source: TofuModule['spec']['source'], annotations?: Record<string, string>): TofuModule => ({
  apiVersion: 'tofu-operator.io/v1alpha1',
  kind: 'TofuModule',
  metadata: { namespace: 'ns', name, ...(annotations ? { annotations } : {}) },
  spec: { source },
});

const until = async (what: string, check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(check(), what);
};

describe('SourcePoller', () => {
  it('says which credentials Secret is missing, never its content, and counts the failed poll', async () => {
    const source = { repository: 'https://git.invalid/r', revision: 'main', credentialsSecretRef: { name: 'gone' } };
    const { poller, leadership, registry, changes } = setup([module('m', source)], () => new KubeApiError('GET', '/x', 404, undefined));
    leadership.set(true);
    const sub: SourceSubscriber = { kind: 'TofuModule', namespace: 'ns', name: 'm' };
    poller.observe(sub, 'ns', source, 60_000);
    assert.equal(poller.pollNow('ns', 'm'), true);
    await until('the poll finished', () => changes.length > 0);
    const failure = poller.observe(sub, 'ns', source, 60_000)?.failure;
    assert.equal(failure?.reason, 'SourceAuthFailed');
    assert.equal(failure?.message, 'the credentials Secret ns/gone of https://git.invalid/r does not exist');
    assert.match(await registry.metrics(), /tofu_operator_source_polls_total\{result="error"\} 1/);
    assert.match(await registry.metrics(), /tofu_operator_source_keys 1/);
    poller.onApplicationShutdown();
  });

  it('runs git: a refused connection is SourceUnreachable naming the repository, without the password in it', async () => {
    const source = { repository: 'git://127.0.0.1:1/r', credentialsSecretRef: { name: 'git' } };
    const { poller, leadership, changes } = setup([module('m', source)], () => ({ username: 'u', password: 'pw-in-secret' }));
    leadership.set(true);
    const sub: SourceSubscriber = { kind: 'TofuModule', namespace: 'ns', name: 'm' };
    poller.observe(sub, 'ns', source, 0);
    poller.pollNow('ns', 'm');
    await until('the poll finished', () => changes.length > 0);
    const failure = poller.observe(sub, 'ns', source, 0)?.failure;
    assert.equal(failure?.reason, 'SourceUnreachable');
    assert.match(failure?.message ?? '', /^cannot reach repository git:\/\/127\.0\.0\.1:1\/r/);
    assert.doesNotMatch(failure?.message ?? '', /pw-in-secret/);
    poller.onApplicationShutdown();
  });

  it('a standby asks the leader with the poll-requested-at annotation; the leader polls when its value changes', async () => {
    const source = { repository: 'git://127.0.0.1:1/r' };
    const m = module('m', source);
    const { poller, leadership, handlers, patches, changes } = setup([m], () => ({}));
    assert.equal(await poller.requestPoll('ns', 'nope'), false);
    assert.equal(await poller.requestPoll('ns', 'm'), true);
    assert.equal(patches.length, 1);
    const value = (patches[0]?.patch as { metadata: { annotations: Record<string, string> } }).metadata.annotations[POLL_REQUESTED_AT];
    assert.ok(value && Date.parse(value) > 0);

    leadership.set(true);
    for (const h of handlers) h('add', m); // first sight: no poll
    for (const h of handlers) h('update', module('m', source, { [POLL_REQUESTED_AT]: value }));
    await until('the leader polled', () => changes.length > 0);
    assert.deepEqual(changes[0], [{ kind: 'TofuModule', namespace: 'ns', name: 'm' }]);
    assert.equal(patches.length, 1, 'the leader polls itself, it does not patch');
    poller.onApplicationShutdown();
  });
});
