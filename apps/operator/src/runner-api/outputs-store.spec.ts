import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { TofuExecution, TofuModule, TofuStack } from '@tofu-operator/api-types';
import { KubeApiError } from '@tofu-operator/reconcile-runtime';
import { OutputsFormatError, outputsDigest, parseTofuOutputs } from './outputs-record.js';
import { OutputsOwnerError, OutputsStore, OwnersNotSyncedError, type OwnerCache } from './outputs-store.service.js';
import { FakeSecretApi } from './secret-api.fake.js';
import { ForeignSecretError, type Secret } from './secret-io.js';

const CANARY = 'canary-0b9e77-sensitive';
const BODY = JSON.stringify({
  url: { sensitive: false, type: 'string', value: 'https://web.example' },
  password: { sensitive: true, type: 'string', value: CANARY },
  ports: { sensitive: false, type: ['list', 'number'], value: [80, 443] },
});

function moduleNamed(name: string, uid: string, secretName?: string): TofuModule {
  return {
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuModule',
    metadata: { name, namespace: 'ns', uid },
    spec: { source: { repository: 'https://git.example/web.git' }, ...(secretName ? { outputs: { secretName } } : {}) },
  };
}

function applyOf(name: string, spec: Record<string, unknown>, ownerKind?: string, ownerUid?: string): TofuExecution {
  return {
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuExecution',
    metadata: {
      name,
      namespace: 'ns',
      uid: `uid-${name}`,
      ...(ownerKind && ownerUid
        ? { ownerReferences: [{ apiVersion: 'tofu-operator.io/v1alpha1', kind: ownerKind, name: 'x', uid: ownerUid, controller: true }] }
        : {}),
    },
    spec: { action: 'apply', ...spec },
  };
}

const decoded = (s: Secret | undefined, key: string) => Buffer.from(s?.data?.[key] ?? '', 'base64').toString('utf8');

describe('OutputsStore', () => {
  let api: FakeSecretApi;
  let logText: string;
  let modules: Map<string, TofuModule>;
  let stacks: Map<string, TofuStack>;
  let store: OutputsStore;
  let synced: boolean;
  const web = { kind: 'module' as const, name: 'web' };
  const webApply = applyOf('web-apply', { moduleRef: { name: 'web' } }, 'TofuModule', 'uid-web');

  beforeEach(() => {
    api = new FakeSecretApi();
    logText = '';
    const log = pino({ level: 'debug' }, new Writable({ write: (c: Buffer, _e, cb) => ((logText += c.toString()), cb()) }));
    modules = new Map();
    stacks = new Map();
    synced = true;
    const owners: OwnerCache = {
      modules: {
        get hasSynced() {
          return synced;
        },
        get: (ns, name) => (ns === 'ns' ? modules.get(name) : undefined),
      },
      stacks: { hasSynced: true, get: (ns, name) => (ns === 'ns' ? stacks.get(name) : undefined) },
    };
    store = new OutputsStore(api, log, owners);
  });

  it('stores the record in tofu-outputs-<kind>-<owner>, owned by the owner, and reads it back', async () => {
    modules.set('web', moduleNamed('web', 'uid-web'));
    await store.write('ns', webApply, web, Buffer.from(BODY));
    const secret = api.objects.get('ns/tofu-outputs-module-web');
    assert.ok(secret);
    assert.equal(secret.metadata.labels?.['app.kubernetes.io/managed-by'], 'tofu-operator');
    assert.equal(secret.metadata.labels?.['tofu-operator.io/artifact'], 'outputs');
    assert.equal(secret.metadata.labels?.['tofu-operator.io/module'], 'web');
    assert.deepEqual(
      secret.metadata.ownerReferences?.map((r) => [r.kind, r.name, r.uid, r.controller]),
      [['TofuModule', 'web', 'uid-web', true]],
    );
    const stored = await store.read('ns', web);
    assert.ok(stored);
    assert.deepEqual(stored.outputs, parseTofuOutputs(BODY));
    assert.equal(stored.execution, 'web-apply');
    assert.equal(stored.digest, outputsDigest(parseTofuOutputs(BODY), 'uid-web'));
    assert.ok(Date.parse(stored.updatedAt) > 0);
    assert.equal(stored.secretProblem, undefined);
    assert.deepEqual(Object.keys(stored).sort(), ['digest', 'execution', 'outputs', 'updatedAt']);
    const record = JSON.parse(decoded(secret, 'outputs.json')) as { outputs: Record<string, { value: unknown }> };
    assert.equal(record.outputs['password']?.value, CANARY);
    assert.deepEqual(api.names('ns'), ['tofu-outputs-module-web']);
    assert.doesNotMatch(logText, /canary|hunter|web\.example/);
  });

  it('reads none without a record, and none written for an earlier owner of the same name', async () => {
    assert.equal(await store.read('ns', web), undefined);
    modules.set('web', moduleNamed('web', 'uid-web'));
    await store.write('ns', webApply, web, BODY);
    assert.ok(await store.read('ns', web, 'uid-web'));
    assert.equal(await store.read('ns', web, 'uid-web-2'), undefined);
  });

  it('writes spec.outputs.secretName with every output as JSON, sensitive ones included, and replaces it on the next apply', async () => {
    modules.set('web', moduleNamed('web', 'uid-web', 'web-outputs'));
    await store.write('ns', webApply, web, BODY);
    const first = api.objects.get('ns/web-outputs');
    assert.deepEqual(Object.keys(first?.data ?? {}).sort(), ['password', 'ports', 'url']);
    assert.equal(decoded(first, 'url'), '"https://web.example"');
    assert.equal(decoded(first, 'password'), JSON.stringify(CANARY));
    assert.equal(decoded(first, 'ports'), '[80,443]');
    assert.deepEqual(
      first?.metadata.ownerReferences?.map((r) => [r.kind, r.uid, r.controller]),
      [['TofuModule', 'uid-web', true]],
    );
    // Someone annotates it; the next apply drops an output.
    assert.ok(first);
    first.metadata.annotations = { team: 'a' };
    await store.write('ns', webApply, web, JSON.stringify({ url: { sensitive: false, value: 'https://v2.example' } }));
    const second = api.objects.get('ns/web-outputs');
    assert.deepEqual(Object.keys(second?.data ?? {}), ['url']);
    assert.equal(decoded(second, 'url'), '"https://v2.example"');
    assert.deepEqual(second?.metadata.annotations, { team: 'a' });
    assert.equal((await store.read('ns', web))?.secretProblem, undefined);
    assert.doesNotMatch(logText, /canary/);
  });

  it('never overwrites a Secret of that name the owner does not own, and records why without a value', async () => {
    modules.set('web', moduleNamed('web', 'uid-web', 'taken'));
    for (const ownerReferences of [undefined, [{ apiVersion: 'v1', kind: 'TofuModule', name: 'web', uid: 'uid-old', controller: true }]]) {
      api.objects.set('ns/taken', {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'taken', namespace: 'ns', resourceVersion: '1', ...(ownerReferences ? { ownerReferences } : {}) },
        data: { mine: Buffer.from('keep').toString('base64') },
      });
      await store.write('ns', webApply, web, BODY);
      assert.deepEqual(api.objects.get('ns/taken')?.data, { mine: Buffer.from('keep').toString('base64') });
      const stored = await store.read('ns', web);
      assert.match(
        stored?.secretProblem ?? '',
        /^Secret ns\/taken \(spec\.outputs\.secretName\) exists and is not owned by module ns\/web/,
      );
      assert.ok(stored?.outputs['url'], 'the record is stored anyway');
    }
    assert.match(logText, /outputs Secret not written/);
    assert.doesNotMatch(logText, /canary/);
  });

  it('refuses outputs too large for a Secret, writing nothing', async () => {
    modules.set('web', moduleNamed('web', 'uid-web', 'web-outputs'));
    const huge = JSON.stringify({ blob: { sensitive: false, value: 'x'.repeat(1024 * 1024) } });
    await assert.rejects(store.write('ns', webApply, web, huge), /take more than a Secret holds/);
    assert.deepEqual(api.names('ns'), []);
  });

  it('records an API refusal of the outputs Secret, but throws on a server error (the runner retries)', async () => {
    modules.set('web', moduleNamed('web', 'uid-web', 'web-outputs'));
    api.before = (call) => {
      if (call.method === 'create' && call.name === 'web-outputs')
        throw new KubeApiError('POST', '/secrets', 403, { kind: 'Status', code: 403, reason: 'Forbidden', message: 'no' });
    };
    await store.write('ns', webApply, web, BODY);
    assert.equal(
      (await store.read('ns', web))?.secretProblem,
      'Secret ns/web-outputs (spec.outputs.secretName) could not be written: 403 Forbidden',
    );

    api.before = (call) => {
      if (call.method === 'create' && call.name === 'web-outputs')
        throw new KubeApiError('POST', '/secrets', 500, { kind: 'Status', code: 500, reason: 'InternalError', message: 'etcd' });
    };
    await assert.rejects(store.write('ns', webApply, web, BODY), KubeApiError);
  });

  it('removes the Secret it wrote before when spec.outputs.secretName changes, not one it does not own', async () => {
    modules.set('web', moduleNamed('web', 'uid-web', 'first'));
    await store.write('ns', webApply, web, BODY);
    modules.set('web', moduleNamed('web', 'uid-web', 'second'));
    await store.write('ns', webApply, web, BODY);
    assert.equal(api.objects.has('ns/first'), false);
    assert.ok(api.objects.has('ns/second'));
    // Now someone else takes "second" over; removing secretName must leave their Secret alone.
    const taken = api.objects.get('ns/second');
    taken!.metadata.ownerReferences = [];
    modules.set('web', moduleNamed('web', 'uid-web'));
    await store.write('ns', webApply, web, BODY);
    assert.ok(api.objects.has('ns/second'));
  });

  it("stores a stack's outputs under the stack, and a destroy's empty outputs", async () => {
    stacks.set('prod', {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuStack',
      metadata: { name: 'prod', namespace: 'ns', uid: 'uid-prod' },
      spec: { moduleRef: { name: 'web' }, outputs: { secretName: 'prod-out' } },
    });
    const destroy = applyOf('prod-destroy', { action: 'destroy', stackRef: { name: 'prod' } }, 'TofuStack', 'uid-prod');
    await store.write('ns', destroy, { kind: 'stack', name: 'prod' }, '{}\n');
    const stored = await store.read('ns', { kind: 'stack', name: 'prod' });
    assert.deepEqual(stored?.outputs, {});
    assert.equal(stored?.execution, 'prod-destroy');
    assert.deepEqual(api.objects.get('ns/prod-out')?.data, {});
    assert.equal(api.objects.get('ns/tofu-outputs-stack-prod')?.metadata.ownerReferences?.[0]?.kind, 'TofuStack');
  });

  it('refuses a body that is not tofu output -json, writing nothing', async () => {
    modules.set('web', moduleNamed('web', 'uid-web', 'web-outputs'));
    await assert.rejects(store.write('ns', webApply, web, `{"x":"${CANARY}"}`), (err: unknown) => {
      return err instanceof OutputsFormatError && !err.message.includes(CANARY);
    });
    assert.deepEqual(api.names('ns'), []);
  });

  it('asks to retry while the owners cache has not synced (the owner may well exist)', async () => {
    synced = false;
    await assert.rejects(store.write('ns', webApply, web, BODY), OwnersNotSyncedError);
    modules.set('web', moduleNamed('web', 'uid-web'));
    await store.write('ns', webApply, web, BODY);
    assert.equal((await store.read('ns', web))?.execution, 'web-apply');
  });

  it('refuses when the owner is gone, or is not the one the execution was made for', async () => {
    await assert.rejects(store.write('ns', webApply, web, BODY), /module ns\/web does not exist/);
    modules.set('web', moduleNamed('web', 'uid-web-recreated'));
    await assert.rejects(store.write('ns', webApply, web, BODY), OutputsOwnerError);
    assert.deepEqual(api.names('ns'), []);
    // An execution without a controller reference (made by hand) is taken as it is.
    await store.write('ns', applyOf('by-hand', { moduleRef: { name: 'web' } }), web, BODY);
    assert.equal((await store.read('ns', web))?.execution, 'by-hand');
  });

  it('never takes a foreign Secret at the record name for a record, nor overwrites it', async () => {
    modules.set('web', moduleNamed('web', 'uid-web'));
    const foreign: Secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tofu-outputs-module-web', namespace: 'ns' }, data: {} };
    api.objects.set('ns/tofu-outputs-module-web', foreign);
    await assert.rejects(store.read('ns', web), ForeignSecretError);
    await assert.rejects(store.write('ns', webApply, web, BODY), ForeignSecretError);
    assert.deepEqual(api.objects.get('ns/tofu-outputs-module-web'), foreign);
  });
});
