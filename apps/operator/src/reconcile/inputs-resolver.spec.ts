import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TofuModule, TofuStack } from '@tofu-operator/api-types';
import { KubeApiError, type KubeClient, type KubeObject } from '@tofu-operator/reconcile-runtime';
import type { ClusterCache } from '../kube/cluster-cache.js';
import type { StoredOutputs } from '../runner-api/outputs-record.js';
import { InputsError } from './inputs.js';
import { hasInputs, InputsResolver, type OutputsReader } from './inputs-resolver.js';

const module = (spec: Partial<TofuModule['spec']>): TofuModule => ({
  apiVersion: 'tofu-operator.io/v1alpha1',
  kind: 'TofuModule',
  metadata: { name: 'mod', namespace: 'ns' },
  spec: { source: { repository: 'https://git.example.com/m.git' }, ...spec },
});
const stack = (spec: Partial<TofuStack['spec']>): TofuStack => ({
  apiVersion: 'tofu-operator.io/v1alpha1',
  kind: 'TofuStack',
  metadata: { name: 'web', namespace: 'ns' },
  spec: { moduleRef: { name: 'mod' }, ...spec },
});

/** A resolver over a fake API server of ConfigMaps and Secrets (by "Kind/name") and metadata caches of their resourceVersions. */
function setup(objects: Record<string, { rv: string; data: Record<string, string> } | 'forbidden'>, outputs?: StoredOutputs) {
  const gets: string[] = [];
  const meta = (kind: string) => ({
    get: (_ns: string, name: string): KubeObject | undefined => {
      const o = objects[`${kind}/${name}`];
      return o && o !== 'forbidden' ? { metadata: { name, namespace: 'ns', resourceVersion: o.rv } } : undefined;
    },
    onEvent: () => undefined,
  });
  const cache = {
    configMaps: meta('ConfigMap'),
    secrets: meta('Secret'),
    stacks: { get: () => (outputs ? { status: { outputsInfo: { digest: outputs.digest } } } : undefined) },
  } as unknown as ClusterCache;
  const client = {
    get: (rt: { kind: string }, _ns: string, name: string) => {
      gets.push(`${rt.kind}/${name}`);
      const o = objects[`${rt.kind}/${name}`];
      if (o === 'forbidden') return Promise.reject(new KubeApiError('GET', '/x', 403, { reason: 'Forbidden' }));
      if (!o) return Promise.reject(new KubeApiError('GET', '/x', 404, { reason: 'NotFound' }));
      const data =
        rt.kind === 'Secret' ? Object.fromEntries(Object.entries(o.data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])) : o.data;
      return Promise.resolve({ metadata: { name, resourceVersion: o.rv }, data });
    },
  } as unknown as KubeClient;
  const reads: string[] = [];
  const reader: OutputsReader = {
    read: (_ns, owner) => {
      reads.push(owner.name);
      return Promise.resolve(outputs);
    },
  };
  return { resolver: new InputsResolver(cache, client, reader), gets, reads };
}

describe('InputsResolver', () => {
  it('reads ConfigMaps as they are and Secrets decoded, and GETs again only when the resourceVersion changed', async () => {
    const objects = { 'ConfigMap/cfg': { rv: '1', data: { region: 'eu' } }, 'Secret/db': { rv: '7', data: { pw: 's3cret' } } };
    const { resolver, gets } = setup(objects);
    const m = module({
      varsFrom: [
        { kind: 'ConfigMap', name: 'cfg' },
        { kind: 'Secret', name: 'db' },
      ],
    });
    const first = await resolver.resolve(m);
    assert.deepEqual(
      first.files.map((f) => f.content),
      ['{"region":"eu"}', '{"pw":"s3cret"}'],
    );
    assert.deepEqual(first.mask, ['s3cret']);
    await resolver.resolve(m);
    assert.deepEqual(gets, ['ConfigMap/cfg', 'Secret/db'], 'unchanged objects come from the cache');
    objects['ConfigMap/cfg'] = { rv: '2', data: { region: 'us' } };
    const third = await resolver.resolve(m);
    assert.deepEqual(gets, ['ConfigMap/cfg', 'Secret/db', 'ConfigMap/cfg']);
    assert.notEqual(third.digest, first.digest);
  });

  it('a missing object is InputNotFound (or nothing, when optional); an unreadable one names itself as forbidden', async () => {
    const { resolver } = setup({ 'Secret/locked': 'forbidden' });
    await assert.rejects(resolver.resolve(module({ varsFrom: [{ kind: 'Secret', name: 'db' }] })), (e: unknown) => {
      assert.ok(e instanceof InputsError);
      assert.equal(e.message, 'Secret "db" not found');
      return true;
    });
    const optional = await resolver.resolve(module({ varsFrom: [{ kind: 'ConfigMap', name: 'x', optional: true }] }));
    assert.deepEqual(optional.sources, [{ kind: 'ConfigMap', name: 'x', missing: true }]);
    await assert.rejects(
      resolver.resolve(module({ varsFrom: [{ kind: 'Secret', name: 'locked' }] })),
      /Secret "locked" cannot be read by the operator \(forbidden\)/,
    );
  });

  it("a stack's inputsFrom come from the stored outputs (read again only for a new digest); a sensitive one is masked", async () => {
    const outputs: StoredOutputs = {
      outputs: { vpc_id: { value: 'vpc-1', sensitive: false }, key: { value: 'k3y', sensitive: true } },
      execution: 'net-apply',
      updatedAt: '2026-11-30T00:00:00Z',
      digest: 'sha256:n1',
    };
    const { resolver, reads } = setup({}, outputs);
    const deps = [
      { variable: 'vpc', stack: 'net', output: 'vpc_id' },
      { variable: 'api_key', stack: 'net', output: 'key' },
    ];
    const inputs = await resolver.resolve(module({}), stack({}), deps);
    const file = inputs.files.find((f) => f.source === 'TofuStack "net" outputs');
    assert.deepEqual([file?.content, file?.sensitive], ['{"vpc":"vpc-1","api_key":"k3y"}', true]);
    assert.deepEqual(inputs.mask, ['k3y']);
    await resolver.resolve(module({}), stack({}), deps);
    assert.deepEqual(reads, ['net']);
    await assert.rejects(
      resolver.resolve(module({}), stack({}), [{ variable: 'x', stack: 'net', output: 'gone' }]),
      /TofuStack "net" has no stored output "gone"/,
    );
  });

  it('hasInputs: variables, varsFrom, varFiles of the module or stack, or a stack’s inputsFrom', () => {
    assert.equal(hasInputs(module({})), false);
    assert.equal(hasInputs(module({ varsFrom: [] })), false);
    assert.equal(hasInputs(module({ varFiles: ['a.tfvars'] })), true);
    assert.equal(hasInputs(module({}), stack({ inputsFrom: [{ stackRef: { name: 'n' }, output: 'o', variable: 'v' }] })), true);
    assert.equal(hasInputs(module({}), stack({ dependsOn: [{ name: 'n' }] })), false);
  });
});
