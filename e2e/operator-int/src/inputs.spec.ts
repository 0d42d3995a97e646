// Variables (issue 12) with the real operator, real runner pods and real tofu: a module whose code
// declares variables gets them from spec.variables (number, list, object), a ConfigMap key, a ".json"
// key, a ".tfvars" key, a Secret key and a varFile; a stack of it overrides module values with its
// own. The plan diff shows the non-secret values and never the Secret's; the plan records its
// sources (no values) and inputs Secret. A module whose Secret is missing is Ready False naming it
// and has no execution; creating the Secret starts its plan. Changing a ConfigMap value plans again.
// A ".json" key that is not JSON and a bad spec.variables key are refused (condition and Event, no
// execution, no value quoted). A hand-made execution of the stack resolves the same inputs.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Annotations, type Condition, type TofuExecution, type TofuModule, type TofuStack } from '@tofu-operator/api-types';
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
  serviceAccountWithRole,
  sleep,
  TofuExecutions,
  TofuModules,
  TofuStacks,
  waitFor,
} from './harness.js';

const SECRET_VALUE = `pw-${randomBytes(8).toString('hex')}`;

const MAIN = `
variable "count_n" {
  type = number
}
variable "zones" {
  type = list(string)
}
variable "settings" {
  type = object({ size = string, replicas = number })
}
variable "region" {
  type = string
}
variable "limits" {
  type = map(number)
}
variable "tier" {
  type = string
}
variable "db_password" {
  type = string
}
variable "from_file" {
  type = string
}
variable "who" {
  type    = string
  default = "module-default"
}
resource "terraform_data" "all" {
  input = {
    count_n   = var.count_n
    zones     = join("+", var.zones)
    size      = var.settings.size
    replicas  = var.settings.replicas
    region    = var.region
    cpu       = var.limits["cpu"]
    tier      = var.tier
    password  = var.db_password
    from_file = var.from_file
    who       = var.who
  }
}
`;

const LATE = `
variable "token" {
  type = string
}
resource "terraform_data" "t" {
  input = length(var.token)
}
`;

const TERMINAL = ['Succeeded', 'Failed'];
const vars = (v: Record<string, unknown>) => v as TofuModule['spec']['variables'];

describe('variables from spec, ConfigMaps, Secrets and var files', () => {
  let operator: OperatorProcess;
  let ns: string;
  let base: string;
  let token: string;
  let repo: string;
  let lateRepo: string;

  const rest = async (path: string): Promise<string> => {
    const res = await fetch(base + path, { headers: { authorization: `Bearer ${token}` } });
    const text = await res.text();
    assert.equal(res.status, 200, `${path}: ${text.slice(0, 300)}`);
    return text;
  };
  const at = (e: TofuExecution) => e.metadata.annotations?.[Annotations.createdAt] ?? '';
  const runsOf = async (owner: { stack?: string; module?: string }): Promise<TofuExecution[]> =>
    (await listExecutions(ns))
      .filter((e) => (owner.stack ? e.spec.stackRef?.name === owner.stack : !e.spec.stackRef && e.spec.moduleRef?.name === owner.module))
      .sort((a, b) => at(b).localeCompare(at(a)));

  /** Waits for a new finished plan of the owner (not among `seen`), which must succeed; answers it and its diff. */
  async function nextPlan(owner: { stack?: string; module?: string }, seen: string[] = []): Promise<{ plan: TofuExecution; diff: string }> {
    const plan = await waitFor(
      `a new finished plan of ${JSON.stringify(owner)}`,
      async () => {
        const p = (await runsOf(owner)).find((e) => e.spec.action === 'plan' && !seen.includes(e.metadata.name ?? ''));
        return p && TERMINAL.includes(p.status?.phase ?? '') ? p : undefined;
      },
      300_000,
      1_000,
    );
    assert.equal(plan.status?.phase, 'Succeeded', `plan ${plan.metadata.name}: ${plan.status?.message}`);
    return { plan, diff: await rest(`/api/v1/namespaces/${ns}/executions/${plan.metadata.name}/plan/diff`) };
  }

  const configMap = (name: string, data: Record<string, string>) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: ns },
    data,
  });
  const secret = (name: string, data: Record<string, string>) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: ns },
    type: 'Opaque',
    stringData: data,
  });

  before(async () => {
    await installCrdsAndRbac();
    ns = await newNamespace('inputs');
    repo = serveRepo(`inputs-${ns}`, { 'main.tf': MAIN, 'env/dev.tfvars': 'from_file = "file-value"\n' });
    lateRepo = serveRepo(`inputs-late-${ns}`, { 'main.tf': LATE });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    operator = new OperatorProcess(await operatorKubeconfig(), { PORT: String(port), TOFU_OPERATOR_WATCH_NAMESPACE: ns });
    operator.start();
    await operator.waitUntilLeading();
    await waitFor('the API is ready', async () => (await fetch(`${base}/readyz`)).ok);
    token = await serviceAccountWithRole(ns, 'reader', ['get', 'list', 'watch']);
  });

  after(async () => {
    await operator?.stop();
    if (ns) await deleteNamespace(ns);
  });

  it('a stack plans with every kind of input, its own values winning; the diff shows them but never the Secret value', async () => {
    await admin.request('POST', `/api/v1/namespaces/${ns}/configmaps`, {
      body: configMap('cfg', { region: 'eu-west', 'limits.json': '{"cpu": 4}', 'extra.tfvars': 'tier = "gold"\n' }),
    });
    await admin.request('POST', `/api/v1/namespaces/${ns}/secrets`, { body: secret('db', { db_password: SECRET_VALUE }) });
    const module: TofuModule = {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuModule',
      metadata: { name: 'app', namespace: ns },
      spec: {
        source: { repository: repo },
        variables: vars({ count_n: 3, zones: ['a', 'b'], settings: { size: 'medium', replicas: 2 } }),
        varsFrom: [
          { kind: 'ConfigMap', name: 'cfg' },
          { kind: 'Secret', name: 'db' },
        ],
        varFiles: ['env/dev.tfvars'],
      },
    };
    await admin.create(TofuModules, ns, module);
    const stack: TofuStack = {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuStack',
      metadata: { name: 'app-prod', namespace: ns },
      spec: { moduleRef: { name: 'app' }, variables: vars({ who: 'the-stack', count_n: 7 }) },
    };
    await admin.create(TofuStacks, ns, stack);

    const { plan, diff } = await nextPlan({ stack: 'app-prod' });
    for (const shown of ['eu-west', 'gold', 'file-value', 'the-stack', 'a+b', 'medium'])
      assert.ok(diff.includes(shown), `the diff shows ${shown}: ${diff.slice(0, 1500)}`);
    assert.match(diff, /count_n"?\s*[:=]\s*7/, `the stack's count_n (7) wins over the module's (3): ${diff.slice(0, 1500)}`);
    assert.match(diff, /cpu"?\s*[:=]\s*4/, 'the .json key is a JSON value');
    assert.match(diff, /replicas"?\s*[:=]\s*2/, 'the object variable');
    assert.ok(!diff.includes('module-default'), "the stack's value replaced the module's default");
    assert.ok(!diff.includes(SECRET_VALUE), 'the Secret value is never in the diff');

    const inputs = plan.status?.inputs;
    assert.ok(inputs?.digest?.startsWith('sha256:'), `status.inputs.digest: ${JSON.stringify(inputs)}`);
    assert.equal(inputs?.secretName, `${plan.metadata.name}-inputs`);
    assert.deepEqual(
      inputs?.sources?.map((s) => `${s.kind}/${s.name}`),
      ['File/env/dev.tfvars', 'ConfigMap/cfg', 'Secret/db', 'TofuModule/app', 'TofuStack/app-prod'],
    );
    assert.ok(!JSON.stringify(plan.status).includes(SECRET_VALUE), 'no value in the execution status');
    const owner = await admin.get<TofuStack>(TofuStacks, ns, 'app-prod');
    assert.equal(owner.status?.inputsDigest, inputs?.digest, 'the stack records the digest it planned');

    // The module plans for itself too, with its own values.
    const own = await nextPlan({ module: 'app' });
    assert.match(own.diff, /count_n"?\s*[:=]\s*3/, `the module's own plan has its own count_n: ${own.diff.slice(0, 800)}`);
    assert.ok(own.diff.includes('module-default'));
  });

  it('changing a ConfigMap value plans the stack again with the new value', async () => {
    const seen = (await runsOf({ stack: 'app-prod' })).map((e) => e.metadata.name ?? '');
    await admin.mergePatch({ group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true }, ns, 'cfg', {
      data: { region: 'us-east' },
    });
    const { diff } = await nextPlan({ stack: 'app-prod' }, seen);
    assert.ok(diff.includes('us-east'), `the new plan has the new region: ${diff.slice(0, 1500)}`);
  });

  it('a plan requested over REST for a stack with inputs answers 201 with that plan (its trigger has an inputs part)', async () => {
    const seen = (await runsOf({ stack: 'app-prod' })).map((e) => e.metadata.name ?? '');
    const planner = await serviceAccountWithRole(ns, 'planner', ['get', 'list', 'watch', 'patch']);
    const res = await fetch(`${base}/api/v1/namespaces/${ns}/stacks/app-prod/plan`, {
      method: 'POST',
      headers: { authorization: `Bearer ${planner}` },
    });
    const body = (await res.json()) as { execution?: TofuExecution };
    assert.equal(res.status, 201, JSON.stringify(body).slice(0, 300));
    const name = body.execution?.metadata.name ?? '';
    assert.ok(name && !seen.includes(name), `a new plan: ${name}`);
    assert.match(body.execution?.metadata.annotations?.[Annotations.trigger] ?? '', /\/r[^/]+\/i[a-z0-9]+$/);
    await nextPlan({ stack: 'app-prod' }, seen);
  });

  it('a missing Secret is Ready False naming it with no execution; creating it starts the plan', async () => {
    const module: TofuModule = {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuModule',
      metadata: { name: 'late', namespace: ns },
      spec: { source: { repository: lateRepo }, varsFrom: [{ kind: 'Secret', name: 'late-token' }] },
    };
    await admin.create(TofuModules, ns, module);
    const ready = await waitFor(
      'module late Ready False with InputNotFound',
      async () => {
        const m = await admin.get<TofuModule>(TofuModules, ns, 'late');
        const c: Condition | undefined = m.status?.conditions?.find((x) => x.type === 'Ready');
        return c?.reason === 'InputNotFound' ? c : undefined;
      },
      60_000,
      500,
    );
    assert.equal(ready.status, 'False');
    assert.equal(ready.message, 'Secret "late-token" not found');
    await sleep(3_000);
    assert.deepEqual(await runsOf({ module: 'late' }), [], 'no execution while the Secret is missing');

    await admin.request('POST', `/api/v1/namespaces/${ns}/secrets`, { body: secret('late-token', { token: 'abc' }) });
    const { diff } = await nextPlan({ module: 'late' });
    assert.ok(diff.length > 0);
    const m = await admin.get<TofuModule>(TofuModules, ns, 'late');
    assert.notEqual(m.status?.conditions?.find((x) => x.type === 'Ready')?.reason, 'InputNotFound');
  });

  it('a .json key that is not JSON and a bad spec.variables key are refused naming the object and key, with an Event and no execution', async () => {
    await admin.request('POST', `/api/v1/namespaces/${ns}/secrets`, {
      body: secret('broken', { 'token.json': `{"t": ${SECRET_VALUE}` }),
    });
    const broken: TofuModule = {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuModule',
      metadata: { name: 'broken', namespace: ns },
      spec: { source: { repository: lateRepo }, varsFrom: [{ kind: 'Secret', name: 'broken' }] },
    };
    await admin.create(TofuModules, ns, broken);
    // The API server cannot check the keys of spec.variables (a free-form map); the operator does.
    const badKey: TofuModule = {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuModule',
      metadata: { name: 'bad-key', namespace: ns },
      spec: { source: { repository: lateRepo }, variables: vars({ token: 'x', 'not a name': 1 }) },
    };
    await admin.create(TofuModules, ns, badKey);
    const readyOf = async (name: string, reason: string): Promise<Condition> =>
      waitFor(
        `module ${name} Ready False with ${reason}`,
        async () => {
          const c = (await admin.get<TofuModule>(TofuModules, ns, name)).status?.conditions?.find((x) => x.type === 'Ready');
          return c?.reason === reason ? c : undefined;
        },
        60_000,
        500,
      );
    const notJson = await readyOf('broken', 'InputsInvalid');
    assert.equal(notJson.status, 'False');
    assert.match(notJson.message, /^Secret "broken" key "token.json" is not JSON/);
    assert.ok(!notJson.message.includes(SECRET_VALUE), 'the message never quotes the value');
    const invalid = await readyOf('bad-key', 'InvalidSpec');
    assert.equal(invalid.message, 'spec.variables.not a name: not a variable name (an OpenTofu identifier)');
    const events = await admin.request<{ items: { regarding?: { name?: string }; reason?: string; note?: string }[] }>(
      'GET',
      `/apis/events.k8s.io/v1/namespaces/${ns}/events`,
    );
    const about = (name: string) => events.items.filter((e) => e.regarding?.name === name).map((e) => `${e.reason}: ${e.note}`);
    assert.ok(
      about('broken').some((e) => e.startsWith('InputsInvalid: Secret "broken" key "token.json"')),
      JSON.stringify(about('broken')),
    );
    assert.ok(
      about('bad-key').some((e) => e.startsWith('InvalidSpec: spec.variables.not a name')),
      JSON.stringify(about('bad-key')),
    );
    assert.ok(!JSON.stringify(events).includes(SECRET_VALUE));
    await sleep(2_000);
    assert.deepEqual(await runsOf({ module: 'broken' }), []);
    assert.deepEqual(await runsOf({ module: 'bad-key' }), []);
  });

  it('a hand-made execution of the stack resolves the same inputs', async () => {
    const execution = {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuExecution',
      metadata: { name: 'by-hand', namespace: ns },
      spec: { action: 'plan', stackRef: { name: 'app-prod' } },
    } as TofuExecution;
    await admin.create(TofuExecutions, ns, execution);
    const done = await waitFor(
      'the hand-made plan finished',
      async () => {
        const e = await admin.get<TofuExecution>(TofuExecutions, ns, 'by-hand');
        return TERMINAL.includes(e.status?.phase ?? '') ? e : undefined;
      },
      300_000,
      1_000,
    );
    assert.equal(done.status?.phase, 'Succeeded', done.status?.message);
    assert.equal(done.status?.inputs?.secretName, 'by-hand-inputs');
    assert.deepEqual(
      done.status?.inputs?.sources?.map((x) => `${x.kind}/${x.name}`),
      ['File/env/dev.tfvars', 'ConfigMap/cfg', 'Secret/db', 'TofuModule/app', 'TofuStack/app-prod'],
    );
    const diff = await rest(`/api/v1/namespaces/${ns}/executions/by-hand/plan/diff`);
    assert.ok(diff.includes('the-stack') && diff.includes('us-east'), diff.slice(0, 800));
  });
});
