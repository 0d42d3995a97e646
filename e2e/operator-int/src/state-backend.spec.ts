// The runner API of the real operator process against the real API server, driven by the real tofu
// binary through its `http` backend (docs/adr/0007-apply-approval-and-state.md): state in chunked
// Secrets, locking, a 5 MiB state, a 10 MiB plan, tokens bound to one execution and its owner.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Labels, type ResourceType, type TofuExecution, type TofuModule } from '@tofu-operator/api-types';
import type { KubeObject } from '@tofu-operator/reconcile-runtime';
import {
  admin,
  deleteNamespace,
  finishJob,
  freePort,
  getExecution,
  installCrdsAndRbac,
  listExecutions,
  newNamespace,
  operatorKubeconfig,
  OperatorProcess,
  repoRoot,
  TofuExecutions,
  TofuModules,
  UNSCHEDULABLE,
  waitFor,
} from './harness.js';

const Secrets: ResourceType = { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true };
interface Secret extends KubeObject {
  type?: string;
  data?: Record<string, string>;
}

/** The tofu the project builds (tools/cluster/lib/build.sh), or TOFU_BIN. */
const TOFU_VERSION = process.env['TOFU_VERSION'] ?? 'v1.12.6';
const cacheRoot = process.env['TOFU_OPERATOR_CACHE'] ?? join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'tofu-operator');
const tofuBin = process.env['TOFU_BIN'] ?? join(cacheRoot, 'opentofu', TOFU_VERSION, 'bin', 'tofu');

const MAIN_TF = `
terraform {
  backend "http" {}
}

variable "payload_file" { default = "" }

resource "terraform_data" "hello" { input = "hello" }

# A large value held twice in the state (input and output): how the 5 MiB state is made.
resource "terraform_data" "big" {
  count = var.payload_file == "" ? 0 : 1
  input = file(var.payload_file)
}
`;

type Run = { code: number; stdout: string; stderr: string };

/** The runner token with the operator's own function, checked against the documented HMAC. */
async function mintToken(key: Buffer, namespace: string, name: string, uid: string): Promise<string> {
  const mod = (await import(join(repoRoot, 'apps/operator/dist/runner-api/runner-token.js'))) as {
    mintRunnerToken: (key: Uint8Array, subject: { namespace: string; name: string; uid: string }) => string;
  };
  const token = mod.mintRunnerToken(key, { namespace, name, uid });
  assert.equal(token, createHmac('sha256', key).update(`${namespace}/${name}/${uid}`).digest('base64url'));
  return token;
}

describe('runner API: OpenTofu state and plans in Secrets', () => {
  let operator: OperatorProcess;
  let ns: string;
  let base: string;
  let work: string;
  let web: TofuExecution;
  let db: TofuExecution;
  /** Only an apply or destroy writes state (a plan reads and locks it): the apply of web's plan. */
  let webApply: TofuExecution;
  const tokens = new Map<string, string>();

  const stateUrl = (owner: string, kind = 'module') => `${base}/state/${ns}/${kind}/${owner}`;
  const basic = (user: string, password: string) => 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
  const auth = (x: TofuExecution) => basic(x.metadata.name ?? '', tokens.get(x.metadata.name ?? '') ?? '');

  function tofu(args: string[], as: TofuExecution = webApply): Promise<Run> {
    const address = stateUrl('web');
    const env = {
      PATH: process.env['PATH'] ?? '',
      HOME: work,
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      CHECKPOINT_DISABLE: '1',
      TF_HTTP_ADDRESS: address,
      TF_HTTP_LOCK_ADDRESS: address,
      TF_HTTP_UNLOCK_ADDRESS: address,
      TF_HTTP_USERNAME: as.metadata.name ?? '',
      TF_HTTP_PASSWORD: tokens.get(as.metadata.name ?? '') ?? '',
      TF_HTTP_RETRY_MAX: '0',
    };
    return new Promise((resolve) => {
      execFile(
        tofuBin,
        ['-chdir=' + work, ...args, '-no-color'],
        { env, maxBuffer: 64 * 1024 * 1024, timeout: 300_000 },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  const ok = (r: Run) => assert.equal(r.code, 0, `tofu failed:\n${r.stdout}\n${r.stderr}`);
  const secrets = async () => (await admin.list<Secret>(Secrets, ns)).items;
  const stateChunks = async () =>
    (await secrets()).map((s) => s.metadata?.name ?? '').filter((n) => n.startsWith('tofu-state-data-module-web-'));

  async function moduleRun(name: string): Promise<TofuExecution> {
    await admin.create<TofuModule>(TofuModules, ns, {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuModule',
      metadata: { name },
      spec: {
        // Faked runs report no commit, so every poll would plan again: polling is off.
        source: { repository: 'git://10.88.0.1/samples.git', revision: 'main', workdir: 'examples/hello', pollInterval: '0' },
        executionTemplate: { ...UNSCHEDULABLE },
      },
    });
    return waitFor(
      `the first execution of module ${name}`,
      async () => (await listExecutions(ns)).find((x) => x.spec.moduleRef?.name === name),
      60_000,
    );
  }

  before(async () => {
    assert.ok(existsSync(tofuBin), `no tofu binary at ${tofuBin}: build it with the local cluster (tools/cluster) or set TOFU_BIN`);
    await installCrdsAndRbac();
    ns = await newNamespace('state');
    work = mkdtempSync(join(tmpdir(), 'tofu-state-'));
    writeFileSync(join(work, 'main.tf'), MAIN_TF);
    const runnerPort = await freePort();
    base = `http://127.0.0.1:${runnerPort}`;
    operator = new OperatorProcess(await operatorKubeconfig(), {
      PORT: String(await freePort()),
      TOFU_OPERATOR_RUNNER_PORT: String(runnerPort),
      TOFU_OPERATOR_WATCH_NAMESPACE: ns,
    });
    operator.start();
    await operator.waitUntilLeading();
    web = await moduleRun('web');
    db = await moduleRun('db');
    // Made by hand, owned by the module: it waits behind the module's plan, which never finishes (its
    // pod cannot be scheduled; one run at a time per owner), so its token stays valid and it never runs.
    const webModule = await admin.get<TofuModule>(TofuModules, ns, 'web');
    webApply = await admin.create<TofuExecution>(TofuExecutions, ns, {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuExecution',
      metadata: {
        name: 'web-apply',
        ownerReferences: [
          { apiVersion: 'tofu-operator.io/v1alpha1', kind: 'TofuModule', name: 'web', uid: webModule.metadata.uid ?? '', controller: true },
        ],
      },
      spec: {
        action: 'apply',
        moduleRef: { name: 'web' },
        planRef: { name: web.metadata.name ?? '', digest: `sha256:${'0'.repeat(64)}` },
      },
    });
    const keySecret = await waitFor('the runner key Secret', () =>
      admin.get<Secret>(Secrets, 'tofu-operator-system', 'tofu-operator-runner-key'),
    );
    assert.equal(keySecret.metadata?.labels?.[Labels.artifact], 'runner-key');
    const key = Buffer.from(keySecret.data?.['key'] ?? '', 'base64');
    assert.equal(key.length, 32);
    for (const x of [web, db, webApply])
      tokens.set(x.metadata.name ?? '', await mintToken(key, ns, x.metadata.name ?? '', x.metadata.uid ?? ''));
  });

  after(async () => {
    await operator?.stop();
    if (ns) await deleteNamespace(ns);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('tofu init and apply keep the state in labelled Secrets that hold no token', async () => {
    ok(await tofu(['init', '-input=false']));
    const applied = await tofu(['apply', '-auto-approve', '-input=false']);
    ok(applied);
    assert.match(applied.stdout, /Apply complete! Resources: 1 added/);
    const all = await secrets();
    const pointer = all.find((s) => s.metadata?.name === 'tofu-state-module-web');
    assert.ok(pointer, `pointer Secret among ${all.map((s) => s.metadata?.name).join(', ')}`);
    const chunks = await stateChunks();
    assert.deepEqual(chunks, ['tofu-state-data-module-web-g1-0']);
    for (const s of all.filter((s) => s.metadata?.name?.startsWith('tofu-state-'))) {
      assert.equal(s.type, 'Opaque');
      assert.equal(s.metadata?.labels?.[Labels.managedBy], 'tofu-operator');
      assert.equal(s.metadata?.labels?.[Labels.ownerKind], 'module');
      assert.equal(s.metadata?.labels?.[Labels.module], 'web');
      assert.equal(s.metadata?.labels?.[Labels.artifact], 'state');
    }
    // Each run's own token Secret (<execution>-runner, ADR 0007) is where a token belongs; no other.
    for (const s of all.filter((x) => x.metadata?.labels?.[Labels.artifact] !== 'runner-token')) {
      const text = [
        ...Object.values(s.data ?? {}).map((v) => Buffer.from(v, 'base64').toString('latin1')),
        JSON.stringify(s.metadata),
      ].join('\n');
      for (const t of tokens.values()) assert.ok(!text.includes(t), `Secret ${s.metadata?.name} holds a runner token`);
    }
    for (const t of tokens.values()) assert.ok(!operator.log().includes(t), 'a runner token in the operator log');
  });

  it('a second apply finds no changes', async () => {
    const again = await tofu(['apply', '-auto-approve', '-input=false']);
    ok(again);
    assert.match(again.stdout, /No changes\./);
  });

  it('a held lock stops tofu apply; force-unlock releases it', async () => {
    // No Created and empty fields, as a hand-made lock has: the holder's information must still be
    // readable to tofu (an empty Created once made it "failed to unmarshal body").
    const held = { ID: 'held-by-the-test', Operation: 'OperationTypeApply', Who: 'test@host', Info: '', Path: '' };
    const lock = await fetch(stateUrl('web'), {
      method: 'LOCK',
      headers: { authorization: auth(db), 'content-type': 'application/json' },
      body: JSON.stringify(held),
    });
    assert.equal(lock.status, 403, "db's token may not lock web's state");
    await lock.arrayBuffer();
    const taken = await fetch(stateUrl('web'), { method: 'LOCK', headers: { authorization: auth(web) }, body: JSON.stringify(held) });
    assert.equal(taken.status, 200, await taken.text());
    const refused = await tofu(['apply', '-auto-approve', '-input=false', '-lock-timeout=0s']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /Error acquiring the state lock/);
    assert.match(refused.stderr, /already locked: ID=held-by-the-test/);
    ok(await tofu(['force-unlock', '-force', 'held-by-the-test']));
    const unlocked = await tofu(['apply', '-auto-approve', '-input=false']);
    ok(unlocked);
    assert.match(unlocked.stdout, /No changes\./);
  });

  it('a state of more than 5 MiB round-trips over several chunk Secrets', async () => {
    writeFileSync(join(work, 'big.txt'), randomBytes(3 * 1024 * 1024).toString('base64'));
    ok(await tofu(['apply', '-auto-approve', '-input=false', '-var', 'payload_file=big.txt']));
    const got = await fetch(stateUrl('web'), { headers: { authorization: auth(web) } });
    assert.equal(got.status, 200);
    const state = Buffer.from(await got.arrayBuffer());
    assert.ok(state.length >= 5 * 1024 * 1024, `state of ${state.length} bytes`);
    assert.equal(got.headers.get('content-md5'), createHash('md5').update(state).digest('base64'));
    const chunks = await stateChunks();
    assert.ok(chunks.length >= 5, `${chunks.length} chunk Secrets: ${chunks.join(', ')}`);
    const generations = new Set(chunks.map((n) => /-g(\d+)-\d+$/.exec(n)?.[1]));
    assert.equal(generations.size, 1, `only the current generation is kept: ${chunks.join(', ')}`);
    // Read back by tofu itself: the big resource is in the state, unchanged.
    const plan = await tofu(['plan', '-input=false', '-detailed-exitcode', '-var', 'payload_file=big.txt']);
    assert.equal(plan.code, 0, `${plan.stdout}\n${plan.stderr}`);
    assert.match(plan.stdout, /No changes\./);
  });

  it('a 10 MiB plan uploads once and downloads byte for byte with its digest', async () => {
    const name = web.metadata.name ?? '';
    const plan = randomBytes(10 * 1024 * 1024);
    const digest = `sha256:${createHash('sha256').update(plan).digest('hex')}`;
    const put = await fetch(`${base}/plans/${ns}/${name}`, { method: 'PUT', headers: { authorization: auth(web) }, body: plan });
    assert.equal(put.status, 201);
    assert.deepEqual(await put.json(), { digest });
    const other = await fetch(`${base}/plans/${ns}/${name}`, {
      method: 'PUT',
      headers: { authorization: auth(web) },
      body: Buffer.from('other'),
    });
    assert.equal(other.status, 409);
    assert.equal(((await other.json()) as { reason: string }).reason, 'Conflict');
    const got = await fetch(`${base}/plans/${ns}/${name}`, { headers: { authorization: auth(web) } });
    assert.equal(got.status, 200);
    const back = Buffer.from(await got.arrayBuffer());
    assert.ok(back.equals(plan), 'the downloaded plan differs');
    assert.equal(got.headers.get('etag'), `"${digest}"`);
    const chunks = (await secrets()).filter((s) => s.metadata?.name?.startsWith(`tofu-plan-${name}-`));
    assert.ok(chunks.length >= 14, `${chunks.length} plan chunks`);
    for (const s of chunks) {
      assert.equal(s.metadata?.ownerReferences?.[0]?.uid, web.metadata.uid);
      assert.equal(s.metadata?.labels?.[Labels.artifact], 'plan');
    }
    const foreign = await fetch(`${base}/plans/${ns}/${name}`, { headers: { authorization: auth(db) } });
    assert.equal(foreign.status, 403);
  });

  it("a token opens its own owner's state only, and only while its run is not over", async () => {
    const get = (url: string, authorization: string) =>
      fetch(url, { headers: { authorization } }).then(async (r) => ({ status: r.status, body: await r.text() }));
    const cross = await get(stateUrl('web'), auth(db));
    assert.equal(cross.status, 403, cross.body);
    assert.equal((JSON.parse(cross.body) as { reason: string }).reason, 'Forbidden');
    assert.equal((await get(stateUrl('db'), auth(web))).status, 403);
    assert.equal((await get(stateUrl('web', 'stack'), auth(web))).status, 403);
    const wrong = await get(stateUrl('web'), basic(web.metadata.name ?? '', 'not-the-token'));
    assert.equal(wrong.status, 401);
    assert.equal((JSON.parse(wrong.body) as { reason: string }).reason, 'Unauthorized');
    assert.equal((await get(stateUrl('web'), basic('no-such-run', tokens.get(web.metadata.name ?? '') ?? ''))).status, 401);
    assert.equal((await get(stateUrl('db'), auth(db))).status, 204, 'db has no state yet');
    // db's run ends: its token opens nothing any more.
    const job = await waitFor('the Job of db', async () => (await getExecution(ns, db.metadata.name ?? '')).status?.jobName);
    await finishJob(ns, job, { succeeded: true });
    await waitFor(
      'db finished',
      async () => ['Succeeded', 'Failed'].includes((await getExecution(ns, db.metadata.name ?? '')).status?.phase ?? ''),
      60_000,
    );
    await waitFor('the runner API sees it', async () => (await get(stateUrl('db'), auth(db))).status === 403, 30_000);
  });
});
