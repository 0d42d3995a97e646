import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpMethod, KubeConfig } from '@kubernetes/client-node';
import { KubeTransport } from './kube-transport.js';
import { requestTarget } from './resource-path.js';

describe('requestTarget', () => {
  it('names the resource and subresource of core, group, namespaced and cluster paths', () => {
    assert.deepEqual(requestTarget('/api/v1/namespaces/ns/pods/p/log'), { resource: 'pods', subresource: 'log' });
    assert.deepEqual(requestTarget('/apis/tofu-operator.io/v1alpha1/namespaces/ns/tofustacks'), {
      resource: 'tofustacks',
      subresource: '',
    });
    assert.deepEqual(requestTarget('/apis/tofu-operator.io/v1alpha1/namespaces/ns/tofustacks/s/status?x=1'), {
      resource: 'tofustacks',
      subresource: 'status',
    });
    assert.deepEqual(requestTarget('/api/v1/namespaces/ns'), { resource: 'namespaces', subresource: '' });
    assert.deepEqual(requestTarget('/api/v1/namespaces'), { resource: 'namespaces', subresource: '' });
    assert.deepEqual(requestTarget('/apis/authorization.k8s.io/v1/subjectaccessreviews'), {
      resource: 'subjectaccessreviews',
      subresource: '',
    });
    assert.deepEqual(requestTarget('/version'), { resource: 'other', subresource: '' });
  });
});

describe('KubeTransport request counts', () => {
  it('counts each request by method, resource, subresource and answer status, and failed connections as 0', async () => {
    const server = createServer((req, res) => {
      res.statusCode = req.url?.includes('/missing') ? 404 : 200;
      res.setHeader('content-type', 'application/json');
      res.end(res.statusCode === 200 ? '{}' : '{"kind":"Status","code":404}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const t = new KubeTransport(kc, { qps: 1000, burst: 1000 });
    try {
      await t.request(HttpMethod.POST, '/api/v1/namespaces/ns/secrets', { body: {} });
      await t.request(HttpMethod.POST, '/api/v1/namespaces/ns/secrets', { body: {} });
      await t.request(HttpMethod.PUT, '/apis/g/v1/namespaces/ns/widgets/w/status', { body: {} });
      await assert.rejects(t.request(HttpMethod.GET, '/api/v1/namespaces/ns/pods/missing'));
      (await t.stream('/api/v1/namespaces/ns/pods/p/log', {}, new AbortController().signal)).destroy();
    } finally {
      await t.close();
      server.close();
    }
    const t2 = new KubeTransport(kc, { qps: 1000, burst: 1000 });
    await assert.rejects(t2.request(HttpMethod.GET, '/api/v1/namespaces/ns/pods/p'));
    const sorted = (xs: ReturnType<KubeTransport['requestCounts']>) =>
      xs.map((c) => `${c.method} ${c.resource}/${c.subresource} ${c.code} x${c.count}`).sort();
    assert.deepEqual(sorted(t.requestCounts()), [
      'GET pods/ 404 x1',
      'GET pods/log 200 x1',
      'POST secrets/ 200 x2',
      'PUT widgets/status 200 x1',
    ]);
    assert.deepEqual(sorted(t2.requestCounts()), ['GET pods/ 0 x1']);
  });
});
