// The REST API (/api/v1) of the real operator process against the real API server: real
// ServiceAccount tokens (TokenRequest), real TokenReviews and SubjectAccessReviews, no mocks.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NamespaceList, Permissions, PlanResponse } from '@tofu-operator/api-contracts';
import { Annotations, type TofuExecution, type TofuModule } from '@tofu-operator/api-types';
import {
  admin,
  deleteNamespace,
  finishJob,
  freePort,
  installCrdsAndRbac,
  listExecutions,
  listJobs,
  newNamespace,
  operatorKubeconfig,
  OperatorProcess,
  serviceAccountWithRole,
  TofuModules,
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

interface Answer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

function moduleBody(name: string, extra: { labels?: Record<string, string>; repository?: string; revision?: string } = {}) {
  return {
    metadata: { name, ...(extra.labels ? { labels: extra.labels } : {}) },
    spec: {
      // Runs never start here (finishJob fakes their end), so no plan ever reports the commit it
      // checked out: a poll would then always be news and plan again. Polling has its own spec.
      source: { repository: extra.repository ?? REPO, revision: extra.revision ?? 'main', workdir: 'examples/hello', pollInterval: '0' },
      executionTemplate: { ...UNSCHEDULABLE },
    },
  };
}

describe('REST API /api/v1', () => {
  let operator: OperatorProcess;
  let base: string;
  let nsA: string;
  let nsB: string;
  let reader: string;
  let writer: string;

  async function call<T = unknown>(method: string, path: string, token?: string, body?: unknown): Promise<Answer<T>> {
    const headers: Record<string, string> = {};
    if (token) headers['authorization'] = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
  }

  const modules = (ns: string) => `/api/v1/namespaces/${ns}/modules`;

  /** Asserts the one error shape of the API. */
  function assertError(a: Answer, status: number, reason: string): ErrorBody {
    const e = a.body as ErrorBody;
    assert.equal(a.status, status, JSON.stringify(a.body));
    assert.equal(e.status, status);
    assert.equal(e.reason, reason);
    assert.equal(typeof e.message, 'string');
    return e;
  }

  before(async () => {
    await installCrdsAndRbac();
    nsA = await newNamespace('api-a');
    nsB = await newNamespace('api-b');
    reader = await serviceAccountWithRole(nsA, 'reader', ['get', 'list']);
    writer = await serviceAccountWithRole(nsA, 'writer', ['get', 'list', 'create', 'update', 'patch', 'delete']);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // Watching namespace A only keeps the run independent of whatever else the shared cluster holds
    // (namespace B is only refused, by the SubjectAccessReview, before any read).
    operator = new OperatorProcess(await operatorKubeconfig(), { PORT: String(port), TOFU_OPERATOR_WATCH_NAMESPACE: nsA });
    operator.start();
    await operator.waitUntilLeading();
    await waitFor('the API is ready', async () => (await fetch(`${base}/readyz`)).ok);
  });

  after(async () => {
    await operator?.stop();
    await Promise.all([nsA, nsB].filter(Boolean).map(deleteNamespace));
  });

  it('keeps the probes open', async () => {
    assert.equal((await call('GET', '/healthz')).status, 200);
    assert.equal((await call('GET', '/readyz')).status, 200);
  });

  it('answers 401 without a token and with a garbage token', async () => {
    const none = await call('GET', modules(nsA));
    assertError(none, 401, 'Unauthorized');
    assert.equal(none.headers.get('www-authenticate'), 'Bearer');
    assertError(await call('GET', modules(nsA), 'garbage.token.value'), 401, 'Unauthorized');
    assertError(await call('POST', modules(nsA), undefined, moduleBody('x')), 401, 'Unauthorized');
    // A valid token never ends up in the operator's log.
    assert.ok(!operator.log().includes(reader));
  });

  it('lets the reader list and get in its namespace, from the cache', async () => {
    await admin.create<TofuModule>(TofuModules, nsA, {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuModule',
      ...moduleBody('seen-by-reader'),
    });
    const list = await waitFor('the module in the API list', async () => {
      const a = await call<{ kind: string; items: TofuModule[] }>('GET', modules(nsA), reader);
      assert.equal(a.status, 200);
      return a.body.items.some((m) => m.metadata.name === 'seen-by-reader') ? a.body : undefined;
    });
    assert.equal(list.kind, 'TofuModuleList');
    const one = await call<TofuModule>('GET', `${modules(nsA)}/seen-by-reader`, reader);
    assert.equal(one.status, 200);
    assert.equal(one.body.metadata.namespace, nsA);
    assert.equal(one.body.spec.source.repository, REPO);
    assertError(await call('GET', `${modules(nsA)}/does-not-exist`, reader), 404, 'NotFound');
    assert.equal((await call('GET', `/api/v1/namespaces/${nsA}/stacks`, reader)).status, 200);
    assert.equal((await call('GET', `/api/v1/namespaces/${nsA}/executions`, reader)).status, 200);
  });

  it('forbids the reader other namespaces and every write', async () => {
    const e = assertError(await call('GET', modules(nsB), reader), 403, 'Forbidden');
    assert.match(e.message, new RegExp(`cannot list resource "tofumodules".*"${nsB}"`));
    assertError(await call('GET', `${modules(nsB)}/x`, reader), 403, 'Forbidden');
    assertError(await call('POST', modules(nsA), reader, moduleBody('nope')), 403, 'Forbidden');
    assertError(await call('PUT', `${modules(nsA)}/seen-by-reader`, reader, { spec: moduleBody('x').spec }), 403, 'Forbidden');
    assertError(await call('DELETE', `${modules(nsA)}/seen-by-reader`, reader), 403, 'Forbidden');
    assertError(await call('POST', `${modules(nsA)}/seen-by-reader/plan`, reader), 403, 'Forbidden');
    assertError(await call('DELETE', `/api/v1/namespaces/${nsA}/executions/x`, reader), 403, 'Forbidden');
    // The writer's role is in namespace A only, too.
    assertError(await call('POST', modules(nsB), writer, moduleBody('nope')), 403, 'Forbidden');
    assert.equal((await admin.list(TofuModules, nsA)).items.filter((m) => m.metadata?.name === 'nope').length, 0);
  });

  it('creates through POST (201) and reports invalid objects as 422 with field paths', async () => {
    const created = await call<TofuModule>('POST', modules(nsA), writer, moduleBody('posted'));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.kind, 'TofuModule');
    assert.equal(created.body.metadata.namespace, nsA);
    const stored = await admin.get<TofuModule>(TofuModules, nsA, 'posted');
    assert.equal(stored.metadata.uid, created.body.metadata.uid);
    // Read-your-writes through the cache.
    assert.equal((await call('GET', `${modules(nsA)}/posted`, writer)).status, 200);

    const invalid = assertError(
      await call('POST', modules(nsA), writer, moduleBody('invalid', { repository: 'not a url' })),
      422,
      'Invalid',
    );
    assert.ok(
      invalid.fields?.some((f) => f.path === 'spec.source.repository' && f.message.length > 0),
      JSON.stringify(invalid),
    );
    assertError(await call('POST', modules(nsA), writer, moduleBody('posted')), 409, 'AlreadyExists');
    assertError(
      await call('POST', modules(nsA), writer, { ...moduleBody('wrong-ns'), metadata: { name: 'w', namespace: nsB } }),
      400,
      'BadRequest',
    );

    const stack = await call('POST', `/api/v1/namespaces/${nsA}/stacks`, writer, {
      metadata: { name: 'st' },
      spec: { moduleRef: { name: 'posted' } },
    });
    assert.equal(stack.status, 201, JSON.stringify(stack.body));
    assert.equal((await call('GET', `/api/v1/namespaces/${nsA}/stacks/st`, reader)).status, 200);
  });

  it('updates with PUT and answers 409 for a stale resourceVersion', async () => {
    const created = await call<TofuModule>('POST', modules(nsA), writer, moduleBody('updated'));
    assert.equal(created.status, 201);
    const spec = { ...created.body.spec, source: { ...created.body.spec.source, revision: 'v2' } };
    // The operator writes the module's status meanwhile (which changes its resourceVersion): read the
    // current version and retry on a conflict, as any client does.
    let staleRv: string | undefined;
    const put = await waitFor('a PUT with the current resourceVersion', async () => {
      staleRv = (await admin.get<TofuModule>(TofuModules, nsA, 'updated')).metadata.resourceVersion;
      const a = await call<TofuModule>('PUT', `${modules(nsA)}/updated`, writer, { metadata: { resourceVersion: staleRv }, spec });
      if (a.status === 409) return undefined;
      assert.equal(a.status, 200, JSON.stringify(a.body));
      return a;
    });
    assert.notEqual(put.body.metadata.resourceVersion, staleRv);
    assert.equal(put.body.spec.source.revision, 'v2');
    assert.equal((await admin.get<TofuModule>(TofuModules, nsA, 'updated')).spec.source.revision, 'v2');
    const conflict = await call('PUT', `${modules(nsA)}/updated`, writer, {
      metadata: { resourceVersion: staleRv },
      spec: { ...spec, source: { ...spec.source, revision: 'v3' } },
    });
    assertError(conflict, 409, 'Conflict');
    // Without a resourceVersion the current one is used.
    const latest = await call<TofuModule>('PUT', `${modules(nsA)}/updated`, writer, {
      spec: { ...spec, source: { ...spec.source, revision: 'v4' } },
    });
    assert.equal(latest.status, 200);
    assert.equal(latest.body.spec.source.revision, 'v4');
    assertError(await call('PUT', `${modules(nsA)}/missing`, writer, { spec }), 404, 'NotFound');
    assertError(await call('PUT', `${modules(nsA)}/updated`, writer, { metadata: { name: 'other' }, spec }), 400, 'BadRequest');
  });

  it('starts a plan: 201 with the new execution, 409 naming the run in progress', async () => {
    assert.equal((await call('POST', modules(nsA), writer, moduleBody('planned'))).status, 201);
    const ownExecutions = async () =>
      (await listExecutions(nsA)).filter((e) => e.metadata.ownerReferences?.some((r) => r.kind === 'TofuModule' && r.name === 'planned'));
    const first = await waitFor('the first execution', async () => (await ownExecutions())[0]);
    const firstName = first.metadata.name ?? '';
    await waitFor('its Job', async () => (await listJobs(nsA)).some((j) => j.metadata?.name === firstName));

    // While the first run is in progress, a plan request is refused with its name.
    const busy = await waitFor('the first execution to be running', async () => {
      const a = await call<ErrorBody & { running?: { name: string } }>('POST', `${modules(nsA)}/planned/plan`, writer);
      return a.status === 409 ? a : undefined;
    });
    assert.equal(busy.body.running?.name, firstName);
    assert.match(busy.body.message, new RegExp(firstName));
    await finishJob(nsA, firstName, { succeeded: true });
    // As the API sees it: its cache follows the API server a few milliseconds behind, and until it
    // shows the run ended a plan request is (rightly) refused naming it.
    await waitFor(
      'the first execution to succeed in the API',
      async () =>
        (await call<TofuExecution>('GET', `/api/v1/namespaces/${nsA}/executions/${firstName}`, reader)).body.status?.phase === 'Succeeded',
      60_000,
    );

    const plan = await call<PlanResponse>('POST', `${modules(nsA)}/planned/plan`, writer);
    assert.equal(plan.status, 201, JSON.stringify(plan.body));
    assert.ok(!Number.isNaN(Date.parse(plan.body.requestedAt)));
    const annotated = await admin.get<TofuModule>(TofuModules, nsA, 'planned');
    assert.equal(annotated.metadata.annotations?.[Annotations.requestedAt], plan.body.requestedAt);

    // The answer is the new execution, the one the operator created for this request.
    const second = plan.body.execution;
    assert.ok(second, 'the plan answer carries the new execution');
    assert.ok(second.metadata.annotations?.[Annotations.trigger]?.endsWith(`r${plan.body.requestedAt}`));
    assert.ok((await ownExecutions()).some((e) => e.metadata.name === second.metadata.name));
    // And it runs now: a second request is refused naming it.
    const again = await call<ErrorBody & { running?: { name: string } }>('POST', `${modules(nsA)}/planned/plan`, writer);
    assert.equal(again.status, 409);
    assert.equal(again.body.running?.name, second.metadata.name);
    const secondName = second.metadata.name ?? '';
    // It is served by the API as well.
    await waitFor(
      'the execution in the API',
      async () => (await call('GET', `/api/v1/namespaces/${nsA}/executions/${secondName}`, reader)).status === 200,
    );
    assertError(await call('POST', `${modules(nsA)}/missing/plan`, writer), 404, 'NotFound');

    // Executions can be deleted through the API.
    assert.equal((await call('DELETE', `/api/v1/namespaces/${nsA}/executions/${firstName}`, writer)).status, 200);
    await waitFor('the execution gone', async () => !(await listExecutions(nsA)).some((e) => e.metadata.name === firstName));
  });

  it("lists the namespaces a caller may see and the caller's permissions there", async () => {
    const seen = await call<NamespaceList>('GET', '/api/v1/namespaces', reader);
    assert.equal(seen.status, 200);
    // The operator watches namespace A only, so that is the one candidate; the reader may list there.
    assert.deepEqual(seen.body.items, [{ name: nsA }]);
    const nobody = await serviceAccountWithRole(nsB, 'nobody', ['get']);
    assert.deepEqual((await call<NamespaceList>('GET', '/api/v1/namespaces', nobody)).body.items, []);
    assertError(await call('GET', '/api/v1/namespaces'), 401, 'Unauthorized');

    const readerPerms = await call<Permissions>('GET', `/api/v1/namespaces/${nsA}/permissions`, reader);
    assert.equal(readerPerms.status, 200);
    assert.deepEqual(readerPerms.body.modules, {
      list: true,
      get: true,
      watch: false,
      create: false,
      update: false,
      delete: false,
      plan: false,
    });
    assert.deepEqual(readerPerms.body.executions, { list: true, get: true, watch: false, delete: false, approve: false, cancel: false });
    const writerPerms = await call<Permissions>('GET', `/api/v1/namespaces/${nsA}/permissions`, writer);
    assert.deepEqual(writerPerms.body.stacks, {
      list: true,
      get: true,
      watch: false,
      create: true,
      update: true,
      delete: true,
      plan: true,
    });
    // Every write verb, and still no approve: approving is its own verb (issue 11); cancelling is patch.
    assert.deepEqual(writerPerms.body.executions, { list: true, get: true, watch: false, delete: true, approve: false, cancel: true });
    const elsewhere = await call<Permissions>('GET', `/api/v1/namespaces/${nsB}/permissions`, writer);
    assert.equal(elsewhere.body.modules.list, false);
    assertError(await call('GET', `/api/v1/namespaces/Not_A_Namespace/permissions`, writer), 400, 'BadRequest');
  });

  it('deletes modules', async () => {
    assert.equal((await call('POST', modules(nsA), writer, moduleBody('doomed'))).status, 201);
    const del = await call('DELETE', `${modules(nsA)}/doomed`, writer);
    assert.equal(del.status, 200, JSON.stringify(del.body));
    await waitFor('the module gone from the API', async () => (await call('GET', `${modules(nsA)}/doomed`, reader)).status === 404);
    assertError(await call('DELETE', `${modules(nsA)}/doomed`, writer), 404, 'NotFound');
  });

  it('filters by labelSelector and pages with limit and continue', async () => {
    const yes = ['p-1', 'p-2', 'p-3', 'p-4', 'p-5'];
    for (const n of yes) assert.equal((await call('POST', modules(nsA), writer, moduleBody(n, { labels: { paging: 'yes' } }))).status, 201);
    for (const n of ['q-1', 'q-2'])
      assert.equal((await call('POST', modules(nsA), writer, moduleBody(n, { labels: { paging: 'no' } }))).status, 201);
    type List = { metadata: { continue?: string; remainingItemCount?: number }; items: TofuModule[] };
    const names = (l: List) => l.items.map((m) => m.metadata.name);
    const q = (query: string) => call<List>('GET', `${modules(nsA)}?${query}`, reader);

    await waitFor('all labelled modules cached', async () => (await q('labelSelector=paging%3Dyes')).body.items.length === 5);
    const notYes = await q(`labelSelector=${encodeURIComponent('paging,paging!=yes')}`);
    assert.deepEqual(names(notYes.body), ['q-1', 'q-2']);

    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await q(`labelSelector=paging%3Dyes&limit=2${token ? `&continue=${encodeURIComponent(token)}` : ''}`);
      assert.equal(page.status, 200);
      assert.ok(page.body.items.length <= 2);
      seen.push(...(names(page.body) as string[]));
      token = page.body.metadata.continue;
      if (token) assert.equal(page.body.metadata.remainingItemCount, 5 - seen.length);
      pages++;
    } while (token);
    assert.equal(pages, 3);
    assert.deepEqual(seen, yes);

    assertError(await q('labelSelector=paging%20in%20(yes)'), 400, 'BadRequest');
    assertError(await q('labelSelector=%3Dx'), 400, 'BadRequest');
    assertError(await q('limit=-1'), 400, 'BadRequest');
    assertError(await q('continue=garbage'), 400, 'BadRequest');
  });

  it("serves a real run's log: followed live to the end, then whole or from a line offset", async () => {
    const created = await call('POST', modules(nsA), writer, {
      metadata: { name: 'logged' },
      spec: { source: { repository: 'git://10.88.0.1/tofu-samples', revision: 'main', workdir: 'hello' } },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const execName = await waitFor('the execution of the logged module', async () => {
      const list = await call<{ items: { metadata: { name: string }; spec: { moduleRef?: { name: string } } }[] }>(
        'GET',
        `/api/v1/namespaces/${nsA}/executions`,
        reader,
      );
      return list.body.items.find((e) => e.spec.moduleRef?.name === 'logged')?.metadata.name;
    });
    const logs = `/api/v1/namespaces/${nsA}/executions/${execName}/logs`;
    // Follow from the start (the container may not run yet): the stream ends when the run ends.
    const followed = await fetch(`${base}${logs}?follow=true`, { headers: { authorization: `Bearer ${reader}` } });
    assert.equal(followed.status, 200);
    assert.match(followed.headers.get('content-type') ?? '', /text\/plain/);
    const live = await followed.text();
    assert.match(live, /==> tofu plan/);
    assert.match(live, /==> summary: Plan: 2 to add, 0 to change, 0 to destroy\./);

    const whole = await fetch(`${base}${logs}`, { headers: { authorization: `Bearer ${reader}` } });
    assert.equal(whole.status, 200);
    const text = await whole.text();
    assert.equal(text, live, 'the followed stream and the whole log are the same text');
    const fromTwo = await fetch(`${base}${logs}?offset=2`, { headers: { authorization: `Bearer ${reader}` } });
    assert.equal(await fromTwo.text(), text.split('\n').slice(2).join('\n'));

    assertError(await call('GET', `${logs}?offset=-1`, reader), 400, 'BadRequest');
    assertError(await call('GET', `/api/v1/namespaces/${nsA}/executions/nope/logs`, reader), 404, 'NotFound');
    assertError(await call('GET', `/api/v1/namespaces/${nsB}/executions/${execName}/logs`, reader), 403, 'Forbidden');
  });
});
