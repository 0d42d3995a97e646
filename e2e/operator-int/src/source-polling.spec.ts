// Source polling and push webhooks (issue 13, docs/guides/polling.md) on the local cluster: the real
// operator process polls repositories served by the real git daemon with `git ls-remote`, runner pods
// plan the commits it found. A commit pushed to a served repository is planned within the module's
// pollInterval without any object being changed; a correctly signed GitHub-shaped push webhook plans
// at once a module whose polling is off, while unsigned, wrongly signed and misdirected ones get 401
// and change nothing; a repository that stops answering (a TCP relay of this test, closed) turns
// SourceReady False with SourceUnreachable while the module keeps its last good plan, and True again
// once it answers.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { promisify } from 'node:util';
import type { ResourceType, TofuExecution, TofuModule } from '@tofu-operator/api-types';
import type { KubeObject } from '@tofu-operator/reconcile-runtime';
import {
  admin,
  deleteNamespace,
  freePort,
  installCrdsAndRbac,
  listExecutions,
  newNamespace,
  operatorKubeconfig,
  OperatorProcess,
  serveRepo,
  TofuModules,
  waitFor,
} from './harness.js';

const Secrets: ResourceType = { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true };
/** A run on the node: clone, init, plan. */
const RUN_MS = 180_000;
const resource = (input: string) => `resource "terraform_data" "x" {\n  input = "${input}"\n}\n`;
const HOOK_SECRET = `hook-${randomBytes(8).toString('hex')}`;
/** The node's bridge address: the git daemon listens there, and runner pods reach it. */
const NODE_IP = '10.88.0.1';

/**
 * What `git ls-remote` says main of a served repository is now. Asynchronous: a synchronous child
 * would stop this process's event loop, and with it the relay below.
 */
async function headOf(repository: string): Promise<string> {
  const { stdout } = await promisify(execFile)('git', ['ls-remote', '--', repository, 'refs/heads/main'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  const sha = stdout.split('\t')[0]?.trim() ?? '';
  assert.match(sha, /^[0-9a-f]{40}$/, `ls-remote of ${repository}: ${stdout}`);
  return sha;
}

/** A TCP relay to the git daemon that the test can close (the repository then refuses connections) and open again. */
class Relay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  constructor(readonly port: number) {}

  open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(9418, NODE_IP);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    this.server = server;
    return new Promise((resolve, reject) => server.once('error', reject).listen(this.port, NODE_IP, () => resolve()));
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = undefined;
    return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

describe('source polling and push webhooks (real git daemon, real runner pods)', () => {
  let operator: OperatorProcess;
  let ns: string;
  let base: string;
  const suffix = randomBytes(3).toString('hex');
  const names = { polled: `e2e-polled-${suffix}`, hooked: `e2e-hooked-${suffix}`, relayed: `e2e-relayed-${suffix}` };
  let relay: Relay;

  const createModule = (name: string, source: TofuModule['spec']['source']) =>
    admin.create<TofuModule>(TofuModules, ns, {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuModule',
      metadata: { name },
      spec: { source },
    });
  const getModule = (name: string) => admin.get<TofuModule>(TofuModules, ns, name);
  /** The module's own plans (not a stack's), newest first. */
  const plansOf = async (name: string) =>
    (await listExecutions(ns))
      .filter((e) => e.spec.moduleRef?.name === name && !e.spec.stackRef && e.spec.action === 'plan')
      .sort((a, b) => Date.parse(b.metadata.creationTimestamp ?? '') - Date.parse(a.metadata.creationTimestamp ?? ''));
  const finished = (e: TofuExecution) => e.status?.phase === 'Succeeded' || e.status?.phase === 'Failed';
  /** The first plan of a module, finished, and the module's status.source.commit showing its commit. */
  async function firstPlan(name: string, commit: string): Promise<TofuExecution> {
    const plan = await waitFor(`the first plan of ${name} finished`, async () => (await plansOf(name)).find(finished), RUN_MS, 500);
    assert.equal(plan.status?.phase, 'Succeeded', plan.status?.message);
    await waitFor(
      `status.source.commit of ${name} = ${commit}`,
      async () => (await getModule(name)).status?.source?.commit === commit,
      30_000,
    );
    return plan;
  }
  const sourceReady = (m: TofuModule) => m.status?.conditions?.find((c) => c.type === 'SourceReady');

  async function hook(module: string, headers: Record<string, string>, body: string): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${base}/hooks/git/${ns}/${module}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  }
  const github = (body: string, secret = HOOK_SECRET) => ({
    'x-github-event': 'push',
    'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
  });

  before(async () => {
    await installCrdsAndRbac();
    serveRepo(names.polled, { 'main.tf': resource('one') });
    serveRepo(names.hooked, { 'main.tf': resource('one') });
    serveRepo(names.relayed, { 'main.tf': resource('one') });
    relay = new Relay(await freePort());
    await relay.open();
    ns = await newNamespace('source-polling');
    await admin.create<KubeObject & { stringData: Record<string, string> }>(Secrets, ns, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'push' },
      stringData: { token: HOOK_SECRET },
    });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    operator = new OperatorProcess(await operatorKubeconfig(), { TOFU_OPERATOR_WATCH_NAMESPACE: ns, PORT: String(port) });
    operator.start();
    await operator.waitUntilLeading();
  });

  after(async () => {
    await operator?.stop();
    await relay?.close();
    if (ns) await deleteNamespace(ns);
  });

  it('plans a commit pushed to the repository within pollInterval, with no object changed', async () => {
    const repository = `git://${NODE_IP}/${names.polled}`;
    await createModule('polled', { repository, revision: 'main', pollInterval: '10s' });
    const c1 = await headOf(repository);
    const first = await firstPlan('polled', c1);
    const generation = (await getModule('polled')).metadata.generation;

    serveRepo(names.polled, { 'main.tf': resource('two') });
    const c2 = await headOf(repository);
    assert.notEqual(c2, c1);
    const pushedAt = Date.now();
    const next = await waitFor(`a plan of ${c2}`, async () => (await plansOf('polled')).find((e) => e.spec.commit === c2), 40_000, 250);
    const seenAfter = Date.parse(next.metadata.creationTimestamp ?? '') - pushedAt;
    // The interval, its jitter (at most 10%), the reconcile and a second of timestamp rounding.
    assert.ok(seenAfter <= 10_000 + 1_000 + 3_000, `planned ${seenAfter} ms after the push (pollInterval 10s)`);
    assert.notEqual(next.metadata.name, first.metadata.name);
    const done = await waitFor(
      'the new plan finished',
      async () => {
        const x = (await plansOf('polled')).find((e) => e.metadata.name === next.metadata.name);
        return x && finished(x) ? x : undefined;
      },
      RUN_MS,
      500,
    );
    assert.equal(done.status?.phase, 'Succeeded', done.status?.message);
    assert.equal(done.status?.plan?.commit ?? c2, c2, 'the runner checked out the commit it was given');
    const module = await waitFor(
      'status.source.commit shows the new commit',
      async () => {
        const m = await getModule('polled');
        return m.status?.source?.commit === c2 ? m : undefined;
      },
      30_000,
    );
    assert.equal(module.metadata.generation, generation, 'the test changed no object');
    assert.equal(sourceReady(module)?.status, 'True');
    assert.ok(module.status?.source?.lastPollTime, 'lastPollTime');
    assert.ok(
      Date.parse(module.status?.source?.nextPollTime ?? '') > Date.parse(module.status?.source?.lastPollTime ?? ''),
      'nextPollTime',
    );
  });

  it('plans at once on a signed push webhook (pollInterval "0"); unsigned or wrongly signed ones get 401 and change nothing', async () => {
    const repository = `git://${NODE_IP}/${names.hooked}`;
    await createModule('hooked', { repository, revision: 'main', pollInterval: '0', webhookSecretRef: { name: 'push' } });
    await firstPlan('hooked', await headOf(repository));
    const before = (await plansOf('hooked')).length;

    serveRepo(names.hooked, { 'main.tf': resource('two') });
    const c2 = await headOf(repository);
    const body = JSON.stringify({ ref: 'refs/heads/main', after: c2, repository: { clone_url: repository } });
    const refusals: [string, string, Record<string, string>][] = [
      ['unsigned', 'hooked', { 'x-github-event': 'push' }],
      ['signed with another secret', 'hooked', github(body, 'not-the-secret')],
      ['signed over another body', 'hooked', github(`${body} `)],
      ['GitLab token of another secret', 'hooked', { 'x-gitlab-token': 'nope' }],
      ['for a module without webhookSecretRef', 'polled', github(body)],
      ['for a module that does not exist', 'nowhere', github(body)],
    ];
    for (const [what, module, headers] of refusals) {
      const answer = await hook(module, headers, body);
      assert.equal(answer.status, 401, `${what}: ${JSON.stringify(answer.body)}`);
      assert.deepEqual(Object.keys(answer.body as object).sort(), ['message', 'reason', 'status'], what);
    }
    // Nothing polls this module by itself: a refused request must not have planned either.
    await new Promise((r) => setTimeout(r, 12_000));
    assert.equal((await plansOf('hooked')).length, before, 'a refused webhook planned nothing');
    assert.equal((await getModule('hooked')).metadata.annotations?.['tofu-operator.io/poll-requested-at'], undefined);

    const sentAt = Date.now();
    const accepted = await hook('hooked', github(body), body);
    assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
    assert.deepEqual(accepted.body, { polled: true });
    const next = await waitFor(`a plan of ${c2}`, async () => (await plansOf('hooked')).find((e) => e.spec.commit === c2), 20_000, 250);
    const after = Date.parse(next.metadata.creationTimestamp ?? '') - sentAt;
    assert.ok(after < 10_000, `planned ${after} ms after the webhook`);
  });

  it('an unreachable repository turns SourceReady False (SourceUnreachable) and keeps the last good plan', async () => {
    const repository = `git://${NODE_IP}:${relay.port}/${names.relayed}`;
    await createModule('relayed', { repository, revision: 'main', pollInterval: '10s' });
    const good = await firstPlan('relayed', await headOf(`git://${NODE_IP}/${names.relayed}`));
    const goodStatus = (await getModule('relayed')).status;

    await relay.close();
    const failing = await waitFor(
      'SourceReady False with SourceUnreachable',
      async () => {
        const m = await getModule('relayed');
        return sourceReady(m)?.status === 'False' ? m : undefined;
      },
      40_000,
      500,
    );
    const condition = sourceReady(failing);
    assert.equal(condition?.reason, 'SourceUnreachable', condition?.message);
    assert.ok(condition?.message.includes(repository), `the message names the repository: ${condition?.message}`);
    assert.equal(failing.status?.source?.commit, goodStatus?.source?.commit, 'the commit last planned is kept');
    assert.equal(failing.status?.lastExecution?.name ?? good.metadata.name, good.metadata.name, 'the last good plan is kept');
    assert.equal(failing.status?.phase, goodStatus?.phase, 'the phase is not failed by a poll');
    assert.ok(Date.parse(failing.status?.source?.nextPollTime ?? '') > Date.now() - 1_000, 'the next poll (backoff) is announced');
    assert.deepEqual(
      (await plansOf('relayed')).map((e) => e.metadata.name),
      [good.metadata.name],
      'no plan while the repository is unreachable',
    );

    await relay.open();
    await waitFor('SourceReady True again', async () => sourceReady(await getModule('relayed'))?.status === 'True', 60_000, 500);
    assert.deepEqual((await plansOf('relayed')).length, 1, 'the same commit again: nothing to plan');
  });
});
