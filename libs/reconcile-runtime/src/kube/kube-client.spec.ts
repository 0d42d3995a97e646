import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KubeConfig } from '@kubernetes/client-node';
import type { ResourceType } from '@tofu-operator/api-types';
import { KubeClient } from './kube-client.js';
import type { RequestOptions } from './kube-transport.js';

const Widgets: ResourceType = { group: 'example.com', version: 'v1', plural: 'widgets', kind: 'Widget', namespaced: true };
const obj = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'ns' } };

interface Sent {
  method: string;
  path: string;
  query: RequestOptions['query'];
  contentType: string | undefined;
  priority: string | undefined;
  body: unknown;
}

/** A client whose transport records each request instead of sending it. */
function recordingClient(fieldManager?: string): { client: KubeClient; sent: Sent[] } {
  const client = new KubeClient(new KubeConfig(), fieldManager ? { fieldManager } : {});
  const sent: Sent[] = [];
  client.request = <T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> => {
    sent.push({ method, path, query: opts.query, contentType: opts.contentType, priority: opts.priority, body: opts.body });
    return Promise.resolve(opts.body as T);
  };
  return { client, sent };
}

describe('KubeClient verbs', () => {
  it('writes with the client field manager by default ("tofu-operator" unless configured)', async () => {
    const { client, sent } = recordingClient();
    await client.create(Widgets, 'ns', obj);
    const other = recordingClient('bench');
    await other.client.create(Widgets, 'ns', obj);
    assert.deepEqual(sent[0]?.query, { fieldManager: 'tofu-operator' });
    assert.deepEqual(other.sent[0]?.query, { fieldManager: 'bench' });
  });

  it('writes with a per-request field manager on create, replace, merge patch and apply', async () => {
    const { client, sent } = recordingClient();
    const fieldManager = 'tofu-operator-api';
    await client.create(Widgets, 'ns', obj, { fieldManager });
    await client.replace(Widgets, 'ns', 'w', obj, { fieldManager });
    await client.mergePatch(Widgets, 'ns', 'w', { metadata: { resourceVersion: '7' } }, { fieldManager });
    await client.apply(Widgets, 'ns', 'w', obj, { fieldManager });
    assert.deepEqual(
      sent.map((s) => [s.method, s.path, s.contentType, s.query]),
      [
        ['POST', '/apis/example.com/v1/namespaces/ns/widgets', undefined, { fieldManager }],
        ['PUT', '/apis/example.com/v1/namespaces/ns/widgets/w', undefined, { fieldManager }],
        ['PATCH', '/apis/example.com/v1/namespaces/ns/widgets/w', 'application/merge-patch+json', { fieldManager }],
        ['PATCH', '/apis/example.com/v1/namespaces/ns/widgets/w', 'application/apply-patch+yaml', { fieldManager, force: true }],
      ],
    );
    // The client's own field manager is untouched by a per-request one.
    await client.create(Widgets, 'ns', obj);
    assert.deepEqual(sent[4]?.query, { fieldManager: 'tofu-operator' });
  });

  it('addresses subresources and priorities in the options form', async () => {
    const { client, sent } = recordingClient();
    await client.replace(Widgets, 'ns', 'w', obj, { subresource: 'status', priority: 'low' });
    await client.mergePatch(Widgets, 'ns', 'w', {}, { subresource: 'scale', priority: 'low' });
    await client.create(Widgets, 'ns', obj, { priority: 'low' });
    await client.get(Widgets, 'ns', 'w', { priority: 'low' });
    await client.apply(Widgets, 'ns', 'w', obj, { force: false });
    assert.deepEqual(
      sent.map((s) => [s.method, s.path, s.priority]),
      [
        ['PUT', '/apis/example.com/v1/namespaces/ns/widgets/w/status', 'low'],
        ['PATCH', '/apis/example.com/v1/namespaces/ns/widgets/w/scale', 'low'],
        ['POST', '/apis/example.com/v1/namespaces/ns/widgets', 'low'],
        ['GET', '/apis/example.com/v1/namespaces/ns/widgets/w', 'low'],
        ['PATCH', '/apis/example.com/v1/namespaces/ns/widgets/w', undefined],
      ],
    );
    assert.deepEqual(sent[4]?.query, { fieldManager: 'tofu-operator', force: false });
  });

  it('still takes the older positional forms (priority, subresource, force)', async () => {
    const { client, sent } = recordingClient();
    await client.create(Widgets, 'ns', obj, 'low');
    await client.replace(Widgets, 'ns', 'w', obj, 'status', 'low');
    await client.replace(Widgets, 'ns', 'w', obj);
    await client.mergePatch(Widgets, 'ns', 'w', {}, 'status');
    await client.apply(Widgets, 'ns', 'w', obj, false);
    assert.deepEqual(
      sent.map((s) => [s.method, s.path, s.priority, s.query]),
      [
        ['POST', '/apis/example.com/v1/namespaces/ns/widgets', 'low', { fieldManager: 'tofu-operator' }],
        ['PUT', '/apis/example.com/v1/namespaces/ns/widgets/w/status', 'low', { fieldManager: 'tofu-operator' }],
        ['PUT', '/apis/example.com/v1/namespaces/ns/widgets/w', undefined, { fieldManager: 'tofu-operator' }],
        ['PATCH', '/apis/example.com/v1/namespaces/ns/widgets/w/status', undefined, { fieldManager: 'tofu-operator' }],
        ['PATCH', '/apis/example.com/v1/namespaces/ns/widgets/w', undefined, { fieldManager: 'tofu-operator', force: false }],
      ],
    );
  });

  it('sends the body as given and deletes with DeleteOptions', async () => {
    const { client, sent } = recordingClient();
    await client.create(Widgets, 'ns', obj);
    await client.delete(Widgets, 'ns', 'w', { propagationPolicy: 'Background' });
    await client.list(Widgets, undefined, { labelSelector: 'a=b', limit: 5 });
    assert.deepEqual(sent[0]?.body, obj);
    assert.deepEqual(sent[1], {
      method: 'DELETE',
      path: '/apis/example.com/v1/namespaces/ns/widgets/w',
      query: undefined,
      contentType: undefined,
      priority: undefined,
      body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' },
    });
    assert.equal(sent[2]?.path, '/apis/example.com/v1/widgets');
    assert.deepEqual(sent[2]?.query, { labelSelector: 'a=b', limit: 5 });
  });

  it('asks for another form of a list in the Accept header, never as a query parameter', async () => {
    const client = new KubeClient(new KubeConfig());
    const seen: RequestOptions[] = [];
    client.request = <T>(_method: string, _path: string, opts: RequestOptions = {}): Promise<T> => {
      seen.push(opts);
      return Promise.resolve({ metadata: {}, items: [] } as T);
    };
    const accept = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
    await client.list(Widgets, 'ns', { limit: 2, accept });
    await client.list(Widgets, 'ns', { limit: 2 });
    assert.equal(seen[0]?.accept, accept);
    assert.deepEqual(seen[0]?.query, { limit: 2 });
    assert.equal(seen[1]?.accept, undefined);
  });
});
