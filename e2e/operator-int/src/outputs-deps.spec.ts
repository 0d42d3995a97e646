// Outputs and dependencies (issue 12) with the real operator, real runner pods and real tofu: a module
// with outputs (one sensitive, one too large for status) applied by autoApply shows its non-sensitive
// outputs in status, lists every name, the sensitive ones and the omitted one, and writes every
// output as JSON to spec.outputs.secretName, a Secret it owns (one it does not own is left alone).
// A stack that depends on another (dependsOn and inputsFrom) waits with
// DependenciesReady False (DependencyNotFound, then DependencyNotApplied) until that one applies,
// then plans with its output (seen in the plan diff), and plans again when that output changes. Two
// stacks that depend on each other are refused with DependencyCycle naming the cycle, and never plan.
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
  TofuModules,
  TofuStacks,
  waitFor,
} from './harness.js';

const CANARY = `out-canary-${randomBytes(6).toString('hex')}`;

const PRODUCER = `
variable "name" {
  type = string
}
variable "password" {
  type    = string
  default = "${CANARY}"
}
resource "terraform_data" "a" {
  input = var.name
}
output "greeting" {
  value = "hello-\${terraform_data.a.output}"
}
output "port" {
  value = 5432
}
output "tags" {
  value = { team = "a", tier = var.name }
}
output "password" {
  value     = var.password
  sensitive = true
}
output "blob" {
  value = format("%020000d", 0)
}
`;

const CONSUMER = `
variable "greeting" {
  type = string
}
resource "terraform_data" "b" {
  input = var.greeting
}
`;

const TERMINAL = ['Succeeded', 'Failed'];
type Owner = TofuModule | TofuStack;
const vars = (v: Record<string, unknown>) => v as TofuModule['spec']['variables'];

describe('outputs and dependencies', () => {
  let operator: OperatorProcess;
  let ns: string;
  let repo: string;
  let base: string;
  let token: string;

  const rest = async (path: string): Promise<string> => {
    const res = await fetch(base + path, { headers: { authorization: `Bearer ${token}` } });
    const text = await res.text();
    assert.equal(res.status, 200, `${path}: ${text.slice(0, 300)}`);
    return text;
  };
  const secret = (name: string) =>
    admin.request<{
      metadata: { ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean }[] };
      data?: Record<string, string>;
    }>('GET', `/api/v1/namespaces/${ns}/secrets/${name}`);
  const decoded = (data: Record<string, string> | undefined, key: string) => Buffer.from(data?.[key] ?? '', 'base64').toString('utf8');
  const stack = (name: string) => admin.get<TofuStack>(TofuStacks, ns, name);
  const conditionOf = (o: Owner, type: string): Condition | undefined => o.status?.conditions?.find((c) => c.type === type);

  /** The runs of a stack, newest first. */
  async function runsOf(name: string): Promise<TofuExecution[]> {
    const at = (e: TofuExecution) => e.metadata.annotations?.[Annotations.createdAt] ?? '';
    return (await listExecutions(ns)).filter((e) => e.spec.stackRef?.name === name).sort((a, b) => at(b).localeCompare(at(a)));
  }

  /** Waits for a stack's DependenciesReady condition to have `reason`. */
  async function dependencies(name: string, reason: string, timeoutMs = 60_000): Promise<Condition> {
    return waitFor(
      `DependenciesReady of stack ${name} with reason ${reason}`,
      async () => {
        const c = conditionOf(await stack(name), 'DependenciesReady');
        return c?.reason === reason ? c : undefined;
      },
      timeoutMs,
      500,
    );
  }

  /** Waits until the owner's outputsInfo names an apply other than `previous`; fails on a failed run of it. */
  async function appliedOutputs(read: () => Promise<Owner>, previous?: string): Promise<Owner> {
    return waitFor(
      'outputs of a new successful apply in status',
      async () => {
        const o = await read();
        const failed = (await listExecutions(ns)).find(
          (e) => e.status?.phase === 'Failed' && (e.spec.stackRef?.name ?? e.spec.moduleRef?.name) === o.metadata.name,
        );
        if (failed) throw new Error(`${failed.metadata.name} failed: ${failed.status?.message}`);
        const info = o.status?.outputsInfo;
        return info && info.execution !== previous ? o : undefined;
      },
      300_000,
      1_000,
    );
  }

  /** Waits for a new finished plan of a stack (not among `seen`) and answers it and its diff. */
  async function nextPlan(name: string, seen: string[] = []): Promise<{ plan: TofuExecution; diff: string }> {
    const plan = await waitFor(
      `a new finished plan of stack ${name}`,
      async () => {
        const p = (await runsOf(name)).find((e) => e.spec.action === 'plan' && !seen.includes(e.metadata.name ?? ''));
        return p && TERMINAL.includes(p.status?.phase ?? '') ? p : undefined;
      },
      300_000,
      1_000,
    );
    assert.equal(plan.status?.phase, 'Succeeded', `plan ${plan.metadata.name}: ${plan.status?.message}`);
    return { plan, diff: await rest(`/api/v1/namespaces/${ns}/executions/${plan.metadata.name}/plan/diff`) };
  }

  async function createStack(name: string, spec: Partial<TofuStack['spec']>): Promise<void> {
    await admin.create<TofuStack>(TofuStacks, ns, {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuStack',
      metadata: { name, namespace: ns },
      spec: { moduleRef: { name: 'producer' }, ...spec },
    });
  }

  before(async () => {
    await installCrdsAndRbac();
    repo = serveRepo('e2e-outputs', { 'producer/main.tf': PRODUCER, 'consumer/main.tf': CONSUMER });
    ns = await newNamespace('outputs');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    operator = new OperatorProcess(await operatorKubeconfig(), { PORT: String(port), TOFU_OPERATOR_WATCH_NAMESPACE: ns });
    operator.start();
    await operator.waitUntilLeading();
    await waitFor('the API is ready', async () => (await fetch(`${base}/readyz`)).ok);
    token = await serviceAccountWithRole(ns, 'reader', ['get', 'list', 'watch']);
    // The stacks' modules. Their own values are placeholders: a stack's variables and inputsFrom win.
    for (const [name, variables] of [
      ['producer', { name: 'module-default' }],
      ['consumer', { greeting: 'module-default' }],
    ] as const) {
      await admin.create<TofuModule>(TofuModules, ns, {
        apiVersion: 'tofu-operator.io/v1alpha1',
        kind: 'TofuModule',
        metadata: { name, namespace: ns },
        spec: { source: { repository: repo, revision: 'main', workdir: name }, variables: vars(variables) },
      });
    }
  });

  after(async () => {
    await operator?.stop();
    if (ns) await deleteNamespace(ns);
  });

  it('a module applied by autoApply: non-sensitive outputs in status, every output as JSON in its own Secret', async () => {
    await admin.create<TofuModule>(TofuModules, ns, {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuModule',
      metadata: { name: 'direct', namespace: ns },
      spec: {
        source: { repository: repo, revision: 'main', workdir: 'producer' },
        variables: vars({ name: 'one' }),
        autoApply: true,
        outputs: { secretName: 'direct-outputs' },
      },
    });
    const module = (await appliedOutputs(() => admin.get<TofuModule>(TofuModules, ns, 'direct'))) as TofuModule;
    assert.deepEqual(module.status?.outputs, { greeting: 'hello-one', port: 5432, tags: { team: 'a', tier: 'one' } });
    const info = module.status?.outputsInfo;
    assert.deepEqual(info?.names, ['blob', 'greeting', 'password', 'port', 'tags']);
    assert.deepEqual(info?.sensitive, ['password']);
    assert.deepEqual(info?.omitted, ['blob'], 'a 20000-byte output does not fit the 16 KiB of status.outputs');
    assert.equal(info?.secretName, 'direct-outputs');
    assert.match(info?.digest ?? '', /^sha256:[0-9a-f]{64}$/);
    const apply = (await listExecutions(ns)).find((e) => e.metadata.name === info?.execution);
    assert.equal(apply?.spec.action, 'apply');
    assert.equal(apply?.status?.phase, 'Succeeded');
    assert.ok(!JSON.stringify(module).includes(CANARY), 'the sensitive value is not in the module');

    const out = await secret('direct-outputs');
    assert.deepEqual(Object.keys(out.data ?? {}).sort(), ['blob', 'greeting', 'password', 'port', 'tags']);
    assert.equal(decoded(out.data, 'blob'), JSON.stringify('0'.repeat(20000)), 'an output too large for status is in the Secret');
    assert.equal(decoded(out.data, 'greeting'), '"hello-one"');
    assert.equal(decoded(out.data, 'port'), '5432');
    assert.deepEqual(JSON.parse(decoded(out.data, 'tags')), { team: 'a', tier: 'one' });
    assert.equal(JSON.parse(decoded(out.data, 'password')), CANARY, 'sensitive outputs are in the Secret');
    assert.deepEqual(
      out.metadata.ownerReferences?.map((r) => [r.kind, r.name, r.uid, r.controller]),
      [['TofuModule', 'direct', module.metadata.uid, true]],
    );
    const own = await secret('tofu-outputs-module-direct');
    assert.equal(own.metadata.ownerReferences?.[0]?.uid, module.metadata.uid, "the operator's record goes with the module");
  });

  it('never overwrites a Secret of that name the module does not own', async () => {
    await admin.request('POST', `/api/v1/namespaces/${ns}/secrets`, {
      body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'someone-elses' }, stringData: { mine: 'keep' } },
    });
    await admin.create<TofuModule>(TofuModules, ns, {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuModule',
      metadata: { name: 'squatter', namespace: ns },
      spec: {
        source: { repository: repo, revision: 'main', workdir: 'producer' },
        variables: vars({ name: 'two' }),
        autoApply: true,
        outputs: { secretName: 'someone-elses' },
      },
    });
    const module = await appliedOutputs(() => admin.get<TofuModule>(TofuModules, ns, 'squatter'));
    assert.equal(module.status?.outputs?.['greeting'], 'hello-two', 'the outputs are stored all the same');
    assert.equal(module.status?.outputsInfo?.secretName, undefined, 'the status does not name a Secret that does not hold them');
    const theirs = await secret('someone-elses');
    assert.deepEqual(Object.keys(theirs.data ?? {}), ['mine']);
    assert.equal(decoded(theirs.data, 'mine'), 'keep');
    assert.deepEqual(theirs.metadata.ownerReferences ?? [], []);
    assert.match(operator.log(), /outputs Secret not written: it belongs to someone else/);
    // The owner says so where its user looks: outputsInfo.secretProblem and a Warning Event.
    assert.match(module.status?.outputsInfo?.secretProblem ?? '', /someone-elses \(spec\.outputs\.secretName\) exists and is not owned by/);
    await waitFor('the OutputsSecretNotWritten Event', async () => {
      const events = await admin.request<{ items: { reason?: string; type?: string; involvedObject?: { name?: string } }[] }>(
        'GET',
        `/api/v1/namespaces/${ns}/events`,
      );
      return events.items.some(
        (e) => e.reason === 'OutputsSecretNotWritten' && e.type === 'Warning' && e.involvedObject?.name === 'squatter',
      );
    });
  });

  it('a dependent stack waits for its dependency, plans with its output, and plans again when it changes', async () => {
    await createStack('app', {
      moduleRef: { name: 'consumer' },
      dependsOn: [{ name: 'net' }],
      inputsFrom: [{ stackRef: { name: 'net' }, output: 'greeting', variable: 'greeting' }],
    });
    const missing = await dependencies('app', 'DependencyNotFound');
    assert.equal(missing.status, 'False');
    assert.match(missing.message ?? '', /"net"/);

    // The dependency exists but waits for approval: not applied yet.
    await createStack('net', { variables: vars({ name: 'first' }) });
    const waiting = await dependencies('app', 'DependencyNotApplied');
    assert.equal(waiting.status, 'False');
    assert.match(waiting.message ?? '', /"net"/);
    assert.deepEqual(await runsOf('app'), [], 'a stack whose dependencies are not ready does not plan');

    // autoApply: net plans again and applies; app becomes ready and plans with net's output.
    await admin.mergePatch(TofuStacks, ns, 'net', { spec: { autoApply: true } });
    const net = await appliedOutputs(() => stack('net'));
    assert.equal(net.status?.outputs?.['greeting'], 'hello-first');
    const ready = await dependencies('app', 'Ready', 120_000);
    assert.equal(ready.status, 'True');
    assert.match(ready.message ?? '', /"net"/);
    const first = await nextPlan('app');
    assert.ok(first.diff.includes('hello-first'), `the plan uses net's output: ${first.diff.slice(0, 500)}`);
    assert.ok(!first.diff.includes('module-default'), "inputsFrom wins over the module's value");

    // net's output changes: app plans again, with the new value.
    const previous = net.status?.outputsInfo?.execution;
    await admin.mergePatch(TofuStacks, ns, 'net', { spec: { variables: { name: 'second' } } });
    const changed = await appliedOutputs(() => stack('net'), previous);
    assert.equal(changed.status?.outputs?.['greeting'], 'hello-second');
    assert.notEqual(changed.status?.outputsInfo?.digest, net.status?.outputsInfo?.digest);
    const second = await nextPlan('app', [first.plan.metadata.name ?? '']);
    assert.ok(second.diff.includes('hello-second'), `the new plan uses the new output: ${second.diff.slice(0, 500)}`);
  });

  it('refuses a cycle with DependencyCycle naming it, and neither stack plans', async () => {
    await createStack('ring-a', { variables: vars({ name: 'a' }), dependsOn: [{ name: 'ring-b' }] });
    await createStack('ring-b', {
      moduleRef: { name: 'consumer' },
      inputsFrom: [{ stackRef: { name: 'ring-a' }, output: 'greeting', variable: 'greeting' }],
    });
    const a = await dependencies('ring-a', 'DependencyCycle');
    assert.equal(a.status, 'False');
    assert.equal(a.message, 'dependency cycle: ring-a → ring-b → ring-a');
    const b = await dependencies('ring-b', 'DependencyCycle');
    assert.equal(b.message, 'dependency cycle: ring-b → ring-a → ring-b');
    assert.deepEqual([...(await runsOf('ring-a')), ...(await runsOf('ring-b'))], []);
  });

  it("never logs an output's value in the operator's log", () => {
    const log = operator.log();
    assert.ok(log.includes('outputs stored'), 'the operator logged the uploads (the search looked at the right log)');
    for (const form of [CANARY, Buffer.from(CANARY).toString('base64'), 'hello-first', 'hello-second'])
      assert.ok(!log.includes(form), `the operator log holds ${form}`);
  });
});
