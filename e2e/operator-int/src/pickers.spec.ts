// The varsFrom pickers (GET /api/v1/namespaces/{ns}/{configmaps|secrets}) and the REST check of
// spec.variables keys, on the real operator process against the real API server: real tokens,
// TokenReviews and SubjectAccessReviews, real ConfigMaps and Secrets holding a canary value.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ErrorBody, KeyedObjectList } from '@tofu-operator/api-contracts';
import { manifestKinds, type KubeObject } from '@tofu-operator/reconcile-runtime';
import {
  admin,
  deleteNamespace,
  freePort,
  installCrdsAndRbac,
  newNamespace,
  operatorKubeconfig,
  OperatorProcess,
  TofuModules,
  UNSCHEDULABLE,
  waitFor,
} from './harness.js';

const CANARY = `canary-${Math.random().toString(36).slice(2)}-picker`;
const CANARY_B64 = Buffer.from(CANARY).toString('base64');

const ConfigMaps = { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true };
const Secrets = { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true };

interface Answer<T = unknown> {
  status: number;
  body: T;
  text: string;
}

/** A ServiceAccount bound to a Role with exactly these rules; returns its token. */
async function userWith(ns: string, name: string, rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[]): Promise<string> {
  await admin.create<KubeObject>(manifestKinds['ServiceAccount']!, ns, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } });
  await admin.create<KubeObject & { rules: unknown[] }>(manifestKinds['Role']!, ns, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name },
    rules,
  });
  await admin.create<KubeObject & { roleRef: unknown; subjects: unknown[] }>(manifestKinds['RoleBinding']!, ns, {
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

describe('varsFrom pickers and variable keys over REST', () => {
  let operator: OperatorProcess;
  let base: string;
  let ns: string;
  /** May list ConfigMaps (not Secrets) and create and update modules. */
  let configMapLister: string;
  /** May list ConfigMaps and Secrets. */
  let secretLister: string;

  async function call<T = unknown>(method: string, path: string, token: string, body?: unknown): Promise<Answer<T>> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, text };
  }

  before(async () => {
    await installCrdsAndRbac();
    ns = await newNamespace('pickers');
    await admin.create<KubeObject>(ConfigMaps, ns, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'net-vars' },
      data: { region: CANARY, 'tags.json': JSON.stringify({ owner: CANARY }) },
      binaryData: { blob: CANARY_B64 },
    } as KubeObject);
    await admin.create<KubeObject>(Secrets, ns, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db-credentials' },
      type: 'kubernetes.io/basic-auth',
      stringData: { username: CANARY, password: CANARY },
    } as KubeObject);
    configMapLister = await userWith(ns, 'cm-lister', [
      { apiGroups: [''], resources: ['configmaps'], verbs: ['list'] },
      { apiGroups: ['tofu-operator.io'], resources: ['tofumodules'], verbs: ['get', 'create', 'update'] },
    ]);
    secretLister = await userWith(ns, 'secret-lister', [{ apiGroups: [''], resources: ['configmaps', 'secrets'], verbs: ['list'] }]);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    operator = new OperatorProcess(await operatorKubeconfig(), { PORT: String(port), TOFU_OPERATOR_WATCH_NAMESPACE: ns });
    operator.start();
    await operator.waitUntilLeading();
    await waitFor('the API is ready', async () => (await fetch(`${base}/readyz`)).ok);
  });

  after(async () => {
    await operator?.stop();
    if (ns) await deleteNamespace(ns);
  });

  it('answers ConfigMap names and key names to a caller who may list ConfigMaps, never a value', async () => {
    const a = await call<KeyedObjectList>('GET', `/api/v1/namespaces/${ns}/configmaps`, configMapLister);
    assert.equal(a.status, 200, a.text);
    assert.equal(a.body.kind, 'ConfigMapKeyList');
    const item = a.body.items.find((i) => i.name === 'net-vars');
    assert.deepEqual(item, { name: 'net-vars', keys: ['blob', 'region', 'tags.json'] });
    assert.ok(
      a.body.items.some((i) => i.name === 'kube-root-ca.crt'),
      'every ConfigMap of the namespace is listed',
    );
    assert.ok(!a.text.includes(CANARY) && !a.text.includes(CANARY_B64), 'a value reached the answer');
  });

  it('refuses Secrets to a caller who may list ConfigMaps only (403 naming the core resource)', async () => {
    const a = await call<ErrorBody>('GET', `/api/v1/namespaces/${ns}/secrets`, configMapLister);
    assert.equal(a.status, 403, a.text);
    assert.equal(a.body.reason, 'Forbidden');
    assert.match(a.body.message, /cannot list resource "secrets" in API group ""/);
  });

  it('answers Secret names, types and key names to a caller who may list Secrets, never a value', async () => {
    const a = await call<KeyedObjectList>('GET', `/api/v1/namespaces/${ns}/secrets`, secretLister);
    assert.equal(a.status, 200, a.text);
    assert.equal(a.body.kind, 'SecretKeyList');
    assert.deepEqual(
      a.body.items.find((i) => i.name === 'db-credentials'),
      { name: 'db-credentials', keys: ['password', 'username'], type: 'kubernetes.io/basic-auth' },
    );
    assert.ok(!a.text.includes(CANARY) && !a.text.includes(CANARY_B64), 'a value reached the answer');
  });

  it('refuses a spec.variables key that is not a variable name with 422 naming the field, on create and update', async () => {
    const spec = (variables: Record<string, unknown>) => ({
      source: { repository: 'git://10.88.0.1/samples.git', revision: 'main', workdir: 'examples/hello' },
      executionTemplate: { ...UNSCHEDULABLE },
      variables,
    });
    const bad = await call<ErrorBody>('POST', `/api/v1/namespaces/${ns}/modules`, configMapLister, {
      metadata: { name: 'vars' },
      spec: spec({ region: 'eu', 'not a name': 1 }),
    });
    assert.equal(bad.status, 422, bad.text);
    assert.equal(bad.body.reason, 'Invalid');
    assert.deepEqual(
      bad.body.fields?.map((f) => f.path),
      ['spec.variables.not a name'],
    );
    await assert.rejects(admin.get(TofuModules, ns, 'vars'), 'nothing was created');
    const good = await call('POST', `/api/v1/namespaces/${ns}/modules`, configMapLister, {
      metadata: { name: 'vars' },
      spec: spec({ region: 'eu', count: 2, tags: { a: 'b' } }),
    });
    assert.equal(good.status, 201, good.text);
    const update = await call<ErrorBody>('PUT', `/api/v1/namespaces/${ns}/modules/vars`, configMapLister, {
      spec: spec({ '9lives': true }),
    });
    assert.equal(update.status, 422, update.text);
    assert.deepEqual(
      update.body.fields?.map((f) => f.path),
      ['spec.variables.9lives'],
    );
    const stored = await admin.get<KubeObject & { spec: { variables: Record<string, unknown> } }>(TofuModules, ns, 'vars');
    assert.deepEqual(stored.spec.variables, { region: 'eu', count: 2, tags: { a: 'b' } }, 'the refused update wrote nothing');
  });

  it('never writes a planted value into its own log', () => {
    const log = operator.log();
    assert.ok(!log.includes(CANARY) && !log.includes(CANARY_B64));
  });
});
