// The REST routes of continuous reconciliation (issue 13) on the real operator process and the real
// API server: "check drift now" (POST …/drift-check) with real SubjectAccessReviews, the 422 field
// errors of the new spec fields, and the run queue read from executions whose status.queue this test
// writes through the real status subresource. The operator runs as an API-only replica (no
// reconcilers), so the annotation and the status it reads are exactly what this test wrote.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DriftCheckResponse, QueueList } from '@tofu-operator/api-contracts';
import { Annotations, type TofuExecution, type TofuModule, type TofuStack } from '@tofu-operator/api-types';
import {
  admin,
  deleteNamespace,
  freePort,
  installCrdsAndRbac,
  newNamespace,
  operatorKubeconfig,
  OperatorProcess,
  serviceAccountWithRole,
  TofuExecutions,
  TofuModules,
  TofuStacks,
  UNSCHEDULABLE,
  waitFor,
} from './harness.js';

const REPO = 'git://10.88.0.1/samples.git';

interface ErrorBody {
  status: number;
  reason: string;
  message: string;
  fields?: { path: string; message: string }[];
}

const moduleSpec = (extra: Partial<TofuModule['spec']> = {}): TofuModule['spec'] => ({
  source: { repository: REPO, revision: 'main', workdir: 'examples/hello' },
  executionTemplate: { ...UNSCHEDULABLE },
  ...extra,
});

describe('continuous reconciliation REST API', () => {
  let operator: OperatorProcess;
  let base: string;
  let nsA: string;
  let nsB: string;
  let viewer: string;
  let editor: string;

  async function call<T>(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  const module = (ns: string, name: string, spec: TofuModule['spec']) =>
    admin.create<TofuModule>(TofuModules, ns, { apiVersion: 'tofu-operator.io/v1alpha1', kind: 'TofuModule', metadata: { name }, spec });
  const stack = (ns: string, name: string, spec: TofuStack['spec']) =>
    admin.create<TofuStack>(TofuStacks, ns, { apiVersion: 'tofu-operator.io/v1alpha1', kind: 'TofuStack', metadata: { name }, spec });

  /** An execution waiting in the queue: created, then its status.queue written through the status subresource. */
  async function queued(ns: string, name: string, queue: NonNullable<NonNullable<TofuExecution['status']>['queue']>, stackName?: string) {
    await admin.create<TofuExecution>(TofuExecutions, ns, {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuExecution',
      metadata: { name },
      spec: { action: 'plan', moduleRef: { name: 'drifty' }, ...(stackName ? { stackRef: { name: stackName } } : {}), purpose: 'Change' },
    });
    await admin.mergePatch(TofuExecutions, ns, name, { status: { phase: 'Pending', queue } }, { subresource: 'status' });
  }

  before(async () => {
    await installCrdsAndRbac();
    nsA = await newNamespace('cont-a');
    nsB = await newNamespace('cont-b');
    viewer = await serviceAccountWithRole(nsA, 'viewer', ['get', 'list', 'watch']);
    editor = await serviceAccountWithRole(nsA, 'editor', ['get', 'list', 'watch', 'create', 'update', 'patch']);
    await module(nsA, 'drifty', moduleSpec({ driftDetection: { interval: '2h', mode: 'Detect' } }));
    await module(nsA, 'steady', moduleSpec());
    await stack(nsA, 'inherits', { moduleRef: { name: 'drifty' } });
    await stack(nsA, 'off', { moduleRef: { name: 'steady' } });
    await stack(nsA, 'own', { moduleRef: { name: 'steady' }, driftDetection: {} });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // Every namespace (no WATCH_NAMESPACE): GET /api/v1/queue must filter by the caller's permissions.
    operator = new OperatorProcess(await operatorKubeconfig(), { PORT: String(port), TOFU_OPERATOR_ROLE: 'api' });
    operator.start();
    await waitFor('the API is ready', async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.ok === true, 60_000);
    await waitFor(
      'the cache has the stacks',
      async () => (await call(`GET`, `/api/v1/namespaces/${nsA}/stacks/own`, viewer)).status === 200,
    );
  });

  after(async () => {
    await operator?.stop();
    for (const ns of [nsA, nsB]) if (ns) await deleteNamespace(ns);
  });

  it('POST …/drift-check sets drift-check-requested-at with patch on the owner, 202 with its value', async () => {
    const path = `/api/v1/namespaces/${nsA}/modules/drifty/drift-check`;
    const denied = await call<ErrorBody>('POST', path, viewer);
    assert.equal(denied.status, 403, JSON.stringify(denied.body));
    assert.equal(
      (await admin.get<TofuModule>(TofuModules, nsA, 'drifty')).metadata.annotations?.[Annotations.driftCheckRequestedAt],
      undefined,
    );

    const before = Date.now();
    const answer = await call<DriftCheckResponse>('POST', path, editor);
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    assert.ok(Date.parse(answer.body.requestedAt) >= before - 1000, answer.body.requestedAt);
    const stored = await admin.get<TofuModule>(TofuModules, nsA, 'drifty');
    assert.equal(stored.metadata.annotations?.[Annotations.driftCheckRequestedAt], answer.body.requestedAt);

    // A stack without its own driftDetection uses its module's; with its own, it needs none from the module.
    for (const name of ['inherits', 'own']) {
      const s = await call<DriftCheckResponse>('POST', `/api/v1/namespaces/${nsA}/stacks/${name}/drift-check`, editor);
      assert.equal(s.status, 202, `${name}: ${JSON.stringify(s.body)}`);
      const st = await admin.get<TofuStack>(TofuStacks, nsA, name);
      assert.equal(st.metadata.annotations?.[Annotations.driftCheckRequestedAt], s.body.requestedAt, name);
    }
  });

  it('answers 409 saying drift detection is off, and 404 for an unknown owner', async () => {
    const off = await call<ErrorBody>('POST', `/api/v1/namespaces/${nsA}/modules/steady/drift-check`, editor);
    assert.equal(off.status, 409);
    assert.match(off.body.message, /drift detection is off for module "steady" \(spec\.driftDetection is not set\)/);
    const offStack = await call<ErrorBody>('POST', `/api/v1/namespaces/${nsA}/stacks/off/drift-check`, editor);
    assert.equal(offStack.status, 409);
    assert.match(offStack.body.message, /neither the stack nor its module sets spec\.driftDetection/);
    assert.equal(
      (await admin.get<TofuModule>(TofuModules, nsA, 'steady')).metadata.annotations?.[Annotations.driftCheckRequestedAt],
      undefined,
    );
    assert.equal((await call('POST', `/api/v1/namespaces/${nsA}/modules/nope/drift-check`, editor)).status, 404);
  });

  it('refuses bad continuous reconciliation fields on create and update with 422 naming each field', async () => {
    const bad = {
      metadata: { name: 'bad-fields' },
      spec: moduleSpec({
        source: { repository: REPO, pollInterval: '5s', webhookSecretRef: { name: 'Not_A_Name' } },
        driftDetection: { interval: '800h', mode: 'Sometimes' as 'Detect' },
        notifications: { webhookSecretRef: { name: 'hook' }, events: ['RunStarted', 'Nope' as 'RunStarted'] },
      }),
    };
    const created = await call<ErrorBody>('POST', `/api/v1/namespaces/${nsA}/modules`, editor, bad);
    assert.equal(created.status, 422, JSON.stringify(created.body));
    assert.equal(created.body.reason, 'Invalid');
    assert.deepEqual(created.body.fields?.map((f) => f.path).sort(), [
      'spec.driftDetection.interval',
      'spec.driftDetection.mode',
      'spec.notifications.events[1]',
      'spec.source.pollInterval',
      'spec.source.webhookSecretRef.name',
    ]);
    assert.match(created.body.fields?.find((f) => f.path === 'spec.source.pollInterval')?.message ?? '', /between 10s and 24h/);
    await assert.rejects(admin.get(TofuModules, nsA, 'bad-fields'), 'nothing was created');

    const update = await call<ErrorBody>('PUT', `/api/v1/namespaces/${nsA}/stacks/own`, editor, {
      spec: { moduleRef: { name: 'steady' }, driftDetection: { interval: '30s' } },
    });
    assert.equal(update.status, 422, JSON.stringify(update.body));
    assert.deepEqual(
      update.body.fields?.map((f) => f.path),
      ['spec.driftDetection.interval'],
    );

    // Valid values pass and are stored as sent.
    const good = await call<TofuModule>('POST', `/api/v1/namespaces/${nsA}/modules`, editor, {
      metadata: { name: 'good-fields' },
      spec: moduleSpec({ source: { repository: REPO, pollInterval: '0' }, driftDetection: { interval: '1h30m', mode: 'Approve' } }),
    });
    assert.equal(good.status, 201, JSON.stringify(good.body));
    assert.deepEqual(good.body.spec.driftDetection, { interval: '1h30m', mode: 'Approve' });
    assert.equal(good.body.spec.source.pollInterval, '0');
  });

  it('lists the waiting runs by position, per namespace and across the namespaces the caller may list executions in', async () => {
    await queued(nsA, 'drifty-q2', { position: 2, length: 3, limit: 'Operator', since: '2026-11-30T10:00:01Z' });
    await queued(nsA, 'drifty-q1', { position: 1, length: 3, limit: 'Operator', since: '2026-11-30T10:00:00Z' }, 'inherits');
    await queued(nsB, 'other-q3', { position: 3, length: 3, limit: 'Operator', since: '2026-11-30T10:00:02Z' });
    // A run that does not wait is not in the queue.
    await admin.create<TofuExecution>(TofuExecutions, nsA, {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuExecution',
      metadata: { name: 'drifty-running' },
      spec: { action: 'plan', moduleRef: { name: 'drifty' } },
    });

    const ofA = await waitFor('both runs of the namespace in its queue', async () => {
      const a = await call<QueueList>('GET', `/api/v1/namespaces/${nsA}/queue`, viewer);
      return a.status === 200 && a.body.items.length === 2 ? a.body : undefined;
    });
    assert.equal(ofA.kind, 'QueueList');
    assert.deepEqual(ofA.items, [
      {
        namespace: nsA,
        name: 'drifty-q1',
        owner: { kind: 'TofuStack', name: 'inherits' },
        action: 'plan',
        purpose: 'Change',
        position: 1,
        length: 3,
        limit: 'Operator',
        since: '2026-11-30T10:00:00Z',
      },
      {
        namespace: nsA,
        name: 'drifty-q2',
        owner: { kind: 'TofuModule', name: 'drifty' },
        action: 'plan',
        purpose: 'Change',
        position: 2,
        length: 3,
        limit: 'Operator',
        since: '2026-11-30T10:00:01Z',
      },
    ]);

    // The viewer has no role in nsB: its namespaced queue is refused. A token that may list executions
    // in nsB only sees that run (once the cache has it); the viewer's queue of every namespace leaves it out.
    assert.equal((await call('GET', `/api/v1/namespaces/${nsB}/queue`, viewer)).status, 403);
    const onlyB = await serviceAccountWithRole(nsB, 'lister', ['list']);
    const ofB = await waitFor('the run of nsB in the queue of every namespace', async () => {
      const a = await call<QueueList>('GET', '/api/v1/queue', onlyB);
      return a.status === 200 && a.body.items.length > 0 ? a.body : undefined;
    });
    assert.deepEqual(
      ofB.items.map((e) => `${e.namespace}/${e.name}@${e.position}`),
      [`${nsB}/other-q3@3`],
    );
    const all = await call<QueueList>('GET', '/api/v1/queue', viewer);
    assert.equal(all.status, 200);
    assert.deepEqual(
      all.body.items.map((e) => `${e.namespace}/${e.name}@${e.position}`),
      [`${nsA}/drifty-q1@1`, `${nsA}/drifty-q2@2`],
    );
  });
});
