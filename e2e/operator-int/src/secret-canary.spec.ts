// Secrets never leak (issue 12): a canary planted in a Secret reaches a real plan and apply through
// varsFrom and through executionTemplate.env (secretKeyRef); the module prints it in resource
// attributes, in a non-sensitive output, base64-encoded and JSON-encoded, and returns it as a
// sensitive output. Then every channel is searched for the canary in each of those forms: the run
// logs (REST, the stored TofuLogChunks and the pods' own logs), the status of every object, Jobs and
// Pods, Events, the REST answers (objects, lists, plan diff), everything the socket delivered, and
// the operator's own log. The only places it may be are Secrets (the variables, the state, the plan
// file and the outputs Secret). A ConfigMap value beside it must show, so the search is not empty.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { SOCKET_PATH, ClientEvents, type ClientToServerEvents, type ServerToClientEvents } from '@tofu-operator/api-contracts';
import type { KubeObject } from '@tofu-operator/reconcile-runtime';
import type { TofuExecution, TofuModule } from '@tofu-operator/api-types';
import {
  admin,
  deleteNamespace,
  freePort,
  installCrdsAndRbac,
  kubeconfigPath,
  listExecutions,
  newNamespace,
  operatorKubeconfig,
  OperatorProcess,
  repoRoot,
  serveRepo,
  serviceAccountWithRole,
  TofuModules,
  waitFor,
} from './harness.js';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

// Quotes and a backslash: the JSON- and HCL-escaped forms differ from the raw one.
const CANARY = `cn4ry-${randomBytes(8).toString('hex')}-"q"\\z`;
const VISIBLE = `visible-${randomBytes(4).toString('hex')}`;

const MODULE = `
variable "db_password" {
  type = string
}
variable "from_env" {
  type = string
}
variable "region" {
  type = string
}
# Every key of a varsFrom object is a variable, and a value for an undeclared one fails the plan:
# env_value (read by the env's secretKeyRef) is declared too.
variable "env_value" {
  type = string
}
resource "terraform_data" "uses_secret" {
  input = { password = var.db_password, env = var.from_env, region = var.region }
}
output "echo" {
  value = terraform_data.uses_secret.output.password
}
output "encoded" {
  value = base64encode(var.db_password)
}
output "json" {
  value = jsonencode({ p = var.from_env })
}
output "region" {
  value = var.region
}
output "secret_out" {
  value     = var.db_password
  sensitive = true
}
`;

/** Every form of the canary a leak could take. */
function forms(value: string): string[] {
  const b64 = Buffer.from(value).toString('base64');
  return [value, JSON.stringify(value).slice(1, -1), b64, b64.replace(/=+$/, ''), Buffer.from(value).toString('base64url')];
}

function assertClean(channel: string, text: string): void {
  for (const form of forms(CANARY)) assert.ok(!text.includes(form), `${channel} holds the canary (form ${JSON.stringify(form)})`);
}

describe('secrets never leak: a canary in a Secret, searched for in every channel', () => {
  let operator: OperatorProcess;
  let ns: string;
  let base: string;
  let token: string;
  let socket: Client;
  const delivered: string[] = [];

  const get = async (path: string): Promise<string> => {
    const res = await fetch(base + path, { headers: { authorization: `Bearer ${token}` } });
    const text = await res.text();
    assert.equal(res.status, 200, `${path}: ${text.slice(0, 300)}`);
    return text;
  };

  before(async () => {
    await installCrdsAndRbac();
    ns = await newNamespace('canary');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    operator = new OperatorProcess(await operatorKubeconfig(), { PORT: String(port), TOFU_OPERATOR_WATCH_NAMESPACE: ns });
    operator.start();
    await operator.waitUntilLeading();
    await waitFor('the API is ready', async () => (await fetch(`${base}/readyz`)).ok);
    token = await serviceAccountWithRole(ns, 'reader', ['get', 'list', 'watch']);
    socket = io(base, { path: SOCKET_PATH, transports: ['websocket'], reconnection: false, forceNew: true, auth: { token } });
    socket.onAny((event: string, payload: unknown) => delivered.push(`${event} ${JSON.stringify(payload)}`));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const ack = await new Promise<{ ok: boolean }>((resolve) =>
      (socket.emit as (e: string, p: unknown, cb: (a: { ok: boolean }) => void) => void)(
        ClientEvents.subscribeNamespace,
        { namespace: ns },
        resolve,
      ),
    );
    assert.equal(ack.ok, true);
  });

  after(async () => {
    socket?.disconnect();
    await operator?.stop();
    if (ns) await deleteNamespace(ns);
  });

  it('plans and applies with the canary, and no channel but Secrets holds it', async () => {
    const repo = serveRepo('e2e-canary', { 'm/main.tf': MODULE });
    await admin.request('POST', `/api/v1/namespaces/${ns}/secrets`, {
      body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'canary' }, stringData: { db_password: CANARY, env_value: CANARY } },
    });
    await admin.request('POST', `/api/v1/namespaces/${ns}/configmaps`, {
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { region: VISIBLE } },
    });
    await admin.create<TofuModule>(TofuModules, ns, {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuModule',
      metadata: { name: 'canary', namespace: ns },
      spec: {
        source: { repository: repo, revision: 'main', workdir: 'm' },
        autoApply: true,
        varsFrom: [
          { kind: 'ConfigMap', name: 'settings' },
          { kind: 'Secret', name: 'canary' },
        ],
        executionTemplate: { env: [{ name: 'TF_VAR_from_env', valueFrom: { secretKeyRef: { name: 'canary', key: 'env_value' } } }] },
        outputs: { secretName: 'canary-outputs' },
      },
    });

    const runs = await waitFor(
      'a plan and its apply to succeed',
      async () => {
        const all = await listExecutions(ns);
        const failed = all.find((e) => e.status?.phase === 'Failed');
        if (failed) throw new Error(`${failed.metadata.name} failed: ${failed.status?.message}`);
        const apply = all.find((e) => e.spec.action === 'apply' && e.status?.phase === 'Succeeded');
        return apply ? all : undefined;
      },
      300_000,
      1_000,
    );
    const module = await waitFor('the outputs in status', async () => {
      const m = await admin.get<TofuModule>(TofuModules, ns, 'canary');
      return m.status?.outputsInfo ? m : undefined;
    });
    assert.deepEqual(module.status?.outputs?.['region'], VISIBLE, 'a non-secret output is in status');
    for (const name of ['secret_out', 'echo', 'encoded', 'json'])
      assert.equal(module.status?.outputs?.[name], undefined, `output ${name} comes from a Secret: not in status`);

    // The outputs Secret holds the real values (a Secret is where they may be).
    const outputs = await admin.request<{ data: Record<string, string> }>('GET', `/api/v1/namespaces/${ns}/secrets/canary-outputs`);
    assert.equal(JSON.parse(Buffer.from(outputs.data['secret_out'] ?? '', 'base64').toString()), CANARY);

    // Run logs: REST (which reads the stored copy once the pod is gone), stored chunks, the pods.
    let sawVisible = false;
    let sawMask = false;
    for (const run of runs) {
      const log = await get(`/api/v1/namespaces/${ns}/executions/${run.metadata.name}/logs`);
      assertClean(`the REST log of ${run.metadata.name}`, log);
      sawVisible ||= log.includes(VISIBLE);
      sawMask ||= log.includes('***');
    }
    assert.ok(sawVisible, 'the ConfigMap value shows in a run log (the search looked at real output)');
    assert.ok(sawMask, 'a run log shows the mask where the secret was');
    for (const pod of (await admin.request<{ items: KubeObject[] }>('GET', `/api/v1/namespaces/${ns}/pods`)).items) {
      const text = execFileSync(
        'bash',
        [join(repoRoot, 'tools/cluster/cluster.sh'), 'kubectl', '--kubeconfig', kubeconfigPath, '-n', ns, 'logs', pod.metadata?.name ?? ''],
        { encoding: 'utf8' },
      );
      assertClean(`the log of pod ${pod.metadata?.name}`, text);
    }

    // Objects: everything in the namespace but Secrets (status, Jobs, Pods, Events, log chunks).
    for (const path of [
      `/apis/tofu-operator.io/v1alpha1/namespaces/${ns}/tofumodules`,
      `/apis/tofu-operator.io/v1alpha1/namespaces/${ns}/tofuexecutions`,
      `/apis/tofu-operator.io/v1alpha1/namespaces/${ns}/tofulogchunks`,
      `/apis/batch/v1/namespaces/${ns}/jobs`,
      `/api/v1/namespaces/${ns}/pods`,
      `/api/v1/namespaces/${ns}/events`,
      `/api/v1/namespaces/${ns}/configmaps`,
    ]) {
      assertClean(path, JSON.stringify(await admin.request('GET', path)));
    }

    // REST answers: objects, lists, the plan diff.
    assertClean('REST modules', await get(`/api/v1/namespaces/${ns}/modules`));
    assertClean('REST module', await get(`/api/v1/namespaces/${ns}/modules/canary`));
    assertClean('REST executions', await get(`/api/v1/namespaces/${ns}/executions`));
    const plan = runs.find((e: TofuExecution) => e.spec.action === 'plan' && e.status?.plan);
    assert.ok(plan, 'a stored plan');
    const diff = await get(`/api/v1/namespaces/${ns}/executions/${plan.metadata.name}/plan/diff`);
    assert.ok(diff.includes(VISIBLE), 'the plan diff shows the ConfigMap value');
    assertClean('the plan diff', diff);

    // The socket: everything delivered during the runs (statuses, and log lines of a subscribed run).
    const sub = await new Promise<{ ok: boolean }>((resolve) =>
      (socket.emit as (e: string, p: unknown, cb: (a: { ok: boolean }) => void) => void)(
        ClientEvents.subscribeExecution,
        { namespace: ns, name: plan.metadata.name },
        resolve,
      ),
    );
    assert.equal(sub.ok, true);
    await waitFor(
      'the plan log over the socket',
      () => delivered.some((d) => d.startsWith('execution:log ') && d.includes(VISIBLE)),
      30_000,
    );
    assert.ok(delivered.length > 3, 'the socket delivered events');
    assertClean('the socket', delivered.join('\n'));

    // The operator's own log.
    assertClean("the operator's log", operator.log());
  });
});
