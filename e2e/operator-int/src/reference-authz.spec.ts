// The operator is no way around RBAC (issue 14, docs/adr/0008-references-checked-against-the-author.md):
// what a module, stack or execution names is checked against its author by the admission policy
// deploy/rbac/reference-policy.yaml (kubectl, impersonated users) and by the REST API
// (SubjectAccessReviews for the caller, ServiceAccount tokens). A user with create on the tofu kinds
// but no get on the Secret "s" cannot name it in any field, nor shape the runner pod, nor reach the
// module's Secrets through a stack's overrides; an admin can; a user granted get on exactly "s" can;
// and the operator itself still runs a stack whose module takes a variable from "s" (a real plan).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TofuExecution } from '@tofu-operator/api-types';
import {
  deleteNamespace,
  freePort,
  installCrdsAndRbac,
  listExecutions,
  listJobs,
  newNamespace,
  operatorKubeconfig,
  OperatorProcess,
  outputDir,
  repoRoot,
  serveRepo,
  serviceAccountWithRole,
  UNSCHEDULABLE,
  waitFor,
} from './harness.js';

const kubeconfig = process.env['KUBECONFIG'] || join(repoRoot, '.cluster', 'kubeconfig');
const API = 'tofu-operator.io/v1alpha1';
const TOFU_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
// A plan that needs the variable from the Secret: without it tofu stops ("No value for required variable").
const NEEDS_TOKEN =
  'variable "token" {\n  type      = string\n  sensitive = true\n}\nresource "terraform_data" "a" {\n  input = sha256(var.token)\n}\n';

/** kubectl of the local cluster, as `user` (impersonated by the admin) or as the admin; exit status and output. */
function kubectl(user: string | undefined, args: string[], input?: string): { code: number; output: string } {
  const as = user ? [`--as=${user}`] : [];
  try {
    const output = execFileSync(
      'bash',
      [join(repoRoot, 'tools/cluster/cluster.sh'), 'kubectl', '--kubeconfig', kubeconfig, ...as, ...args],
      {
        encoding: 'utf8',
        stdio: ['pipe', 'pipe', 'pipe'],
        ...(input ? { input } : {}),
      },
    );
    return { code: 0, output };
  } catch (err) {
    const e = err as { status?: number; stdout?: string; stderr?: string };
    return { code: e.status ?? 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

type Kind = 'TofuModule' | 'TofuStack' | 'TofuExecution';
interface Case {
  what: string;
  kind: Kind;
  spec: Record<string, unknown>;
  /** The field the refusal must name. */
  field: RegExp;
  /** Only a Secret "s" by name: a user granted get on exactly "s" passes. */
  secretOnly: boolean;
}

const source = { repository: 'git://10.88.0.1/none', revision: 'main' };
const module = (spec: Record<string, unknown>) => ({ source, executionTemplate: { ...UNSCHEDULABLE }, ...spec });
const template = (t: Record<string, unknown>) => module({ executionTemplate: { ...UNSCHEDULABLE, ...t } });
const fromS = { secretKeyRef: { name: 's', key: 'token' } };

/** Every field that names a Secret, a ConfigMap, the outputs Secret or shapes the runner pod. */
const CASES: Case[] = [
  {
    what: 'git credentials',
    kind: 'TofuModule',
    spec: module({ source: { ...source, credentialsSecretRef: { name: 's' } } }),
    field: /spec\.source\.credentialsSecretRef names the Secret "s"/,
    secretOnly: true,
  },
  {
    what: 'env secretKeyRef',
    kind: 'TofuModule',
    spec: template({ env: [{ name: 'T', valueFrom: fromS }] }),
    field: /spec\.executionTemplate\.env\[0\]\.valueFrom\.secretKeyRef names the Secret "s"/,
    secretOnly: true,
  },
  {
    what: 'state passphrase',
    kind: 'TofuModule',
    spec: module({ stateEncryption: { keySecretRef: { name: 's', key: 'token' } } }),
    field: /spec\.stateEncryption\.keySecretRef names the Secret "s"/,
    secretOnly: true,
  },
  {
    what: 'varsFrom Secret',
    kind: 'TofuModule',
    spec: module({ varsFrom: [{ kind: 'Secret', name: 's' }] }),
    field: /spec\.varsFrom\[0\] names the Secret "s"/,
    secretOnly: true,
  },
  {
    what: 'imagePullSecrets',
    kind: 'TofuModule',
    spec: template({ imagePullSecrets: [{ name: 's' }] }),
    field: /spec\.executionTemplate\.imagePullSecrets\[0\] names the Secret "s"/,
    secretOnly: true,
  },
  {
    what: 'varsFrom ConfigMap',
    kind: 'TofuModule',
    spec: module({ varsFrom: [{ kind: 'ConfigMap', name: 'c' }] }),
    field: /spec\.varsFrom\[0\] names the ConfigMap "c"/,
    secretOnly: false,
  },
  {
    what: 'env configMapKeyRef',
    kind: 'TofuModule',
    spec: template({ env: [{ name: 'C', valueFrom: { configMapKeyRef: { name: 'c', key: 'k' } } }] }),
    field: /env\[0\]\.valueFrom\.configMapKeyRef names the ConfigMap "c"/,
    secretOnly: false,
  },
  {
    what: 'outputs Secret',
    kind: 'TofuModule',
    spec: module({ outputs: { secretName: 'out' } }),
    field: /spec\.outputs\.secretName "out" needs the permission to create secrets/,
    secretOnly: false,
  },
  {
    what: 'stack varsFrom Secret',
    kind: 'TofuStack',
    spec: { moduleRef: { name: 'holder' }, varsFrom: [{ kind: 'Secret', name: 's' }] },
    field: /TofuStack .*spec\.varsFrom\[0\] names the Secret "s"/,
    secretOnly: true,
  },
  {
    what: 'stack state passphrase',
    kind: 'TofuStack',
    spec: { moduleRef: { name: 'holder' }, stateEncryption: { keySecretRef: { name: 's', key: 'token' } } },
    field: /spec\.stateEncryption\.keySecretRef names the Secret "s"/,
    secretOnly: true,
  },
  {
    what: 'notification webhook URL on a stack',
    kind: 'TofuStack',
    spec: { moduleRef: { name: 'holder' }, notifications: { webhookSecretRef: { name: 's' } } },
    field: /spec\.notifications\.webhookSecretRef names the Secret "s"/,
    secretOnly: true,
  },
  {
    what: 'execution env secretKeyRef',
    kind: 'TofuExecution',
    spec: { action: 'plan', moduleRef: { name: 'holder' }, source, executionTemplate: { env: [{ name: 'T', valueFrom: fromS }] } },
    field: /TofuExecution .*spec\.source on an execution/,
    secretOnly: false,
  },
  {
    what: 'execution with its own source',
    kind: 'TofuExecution',
    spec: { action: 'plan', moduleRef: { name: 'holder' }, source: { repository: 'git://10.88.0.1/elsewhere' } },
    field: /spec\.source on an execution/,
    secretOnly: false,
  },
  ...(
    [
      'image',
      'serviceAccountName',
      'automountServiceAccountToken',
      'tolerations',
      'priorityClassName',
      'affinity',
      'podLabels',
      'podAnnotations',
    ] as const
  ).map((f): Case => ({
    what: `pod field ${f}`,
    kind: 'TofuModule',
    spec: template({
      [f]: {
        image: 'busybox',
        serviceAccountName: 'default',
        automountServiceAccountToken: true,
        tolerations: [{ operator: 'Exists' }],
        priorityClassName: 'system-cluster-critical',
        affinity: { nodeAffinity: {} },
        podLabels: { role: 'db-client' },
        podAnnotations: { 'vault.hashicorp.com/agent-inject': 'true' },
      }[f],
    }),
    field: new RegExp(`setting spec\\.executionTemplate\\.${f} needs the permission to create jobs\\.batch`),
    secretOnly: false,
  })),
  // A stack runs its module's code with the module's Secrets: overriding what runs is creating a pod.
  {
    what: 'stack env override',
    kind: 'TofuStack',
    spec: { moduleRef: { name: 'holder' }, executionTemplate: { env: [{ name: 'GIT_CONFIG_COUNT', value: '1' }] } },
    field: /TofuStack .*setting spec\.executionTemplate\.env needs/,
    secretOnly: false,
  },
  {
    what: 'stack image override',
    kind: 'TofuStack',
    spec: { moduleRef: { name: 'holder' }, executionTemplate: { image: 'busybox' } },
    field: /TofuStack .*setting spec\.executionTemplate\.image needs/,
    secretOnly: false,
  },
];

const manifest = (c: Case, name: string) => JSON.stringify({ apiVersion: API, kind: c.kind, metadata: { name }, spec: c.spec });
const nameOfCase = (c: Case) => c.what.toLowerCase().replace(/[^a-z0-9]+/g, '-');

describe('references checked against the author', () => {
  let operator: OperatorProcess;
  let ns: string;
  let base: string;
  let limitedToken: string;
  let grantedToken: string;
  const limited = () => `system:serviceaccount:${ns}:limited`;
  const granted = () => `system:serviceaccount:${ns}:granted`;
  const dryRun = (user: string | undefined, c: Case) =>
    kubectl(user, ['create', '--dry-run=server', '-n', ns, '-f', '-'], manifest(c, nameOfCase(c)));
  const call = async (method: string, path: string, token: string, body?: unknown) => {
    const res = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json().catch(() => undefined)) as { message?: string; reason?: string } | undefined };
  };

  before(async () => {
    await installCrdsAndRbac();
    const repo = serveRepo('e2e-reference-authz', { 'needs-token/main.tf': NEEDS_TOKEN });
    ns = await newNamespace('refauthz');
    const ok = (r: { code: number; output: string }) => assert.equal(r.code, 0, r.output);
    ok(kubectl(undefined, ['create', 'secret', 'generic', 's', '-n', ns, '--from-literal=token=canary-value-of-s']));
    ok(kubectl(undefined, ['create', 'configmap', 'c', '-n', ns, '--from-literal=k=v']));
    limitedToken = await serviceAccountWithRole(ns, 'limited', TOFU_VERBS);
    grantedToken = await serviceAccountWithRole(ns, 'granted', TOFU_VERBS);
    ok(kubectl(undefined, ['create', 'role', 'get-s', '-n', ns, '--verb=get', '--resource=secrets', '--resource-name=s']));
    ok(kubectl(undefined, ['create', 'rolebinding', 'get-s', '-n', ns, '--role=get-s', `--serviceaccount=${ns}:granted`]));
    // The module a stack of the limited user instantiates: an admin gave it the Secret (a real plan below).
    ok(
      kubectl(
        undefined,
        ['create', '-n', ns, '-f', '-'],
        JSON.stringify({
          apiVersion: API,
          kind: 'TofuModule',
          metadata: { name: 'holder' },
          spec: { source: { repository: repo, revision: 'main', workdir: 'needs-token' }, varsFrom: [{ kind: 'Secret', name: 's' }] },
        }),
      ),
    );
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    operator = new OperatorProcess(await operatorKubeconfig(), {
      PORT: String(port),
      TOFU_OPERATOR_RUNNER_PORT: String(await freePort()),
      TOFU_OPERATOR_WATCH_NAMESPACE: ns,
    });
    operator.start();
    await operator.waitUntilLeading();
    await waitFor('the API is ready', async () => (await fetch(`${base}/readyz`)).ok);
  });

  after(async () => {
    const log = operator?.log() ?? '';
    await operator?.stop();
    writeFileSync(join(outputDir, `reference-authz-${process.pid}.operator.log`), log);
    assert.ok(!log.includes('canary-value-of-s'), "the Secret's value never reaches the operator's log");
    if (ns) await deleteNamespace(ns);
  });

  it('kubectl: refuses each field to a user with create on the tofu kinds only, naming the field and the object', () => {
    for (const c of CASES) {
      const r = dryRun(limited(), c);
      assert.notEqual(r.code, 0, `${c.what}: admitted for the limited user: ${r.output}`);
      assert.match(r.output, /tofu-operator-references/, `${c.what}: ${r.output}`);
      assert.match(r.output, c.field, `${c.what}: ${r.output}`);
      assert.match(r.output, new RegExp(`${c.kind} ${ns}/${nameOfCase(c)}`), `${c.what}: names the object: ${r.output}`);
    }
  });

  it('kubectl: an admin may set every field; a user with get on exactly "s" may name "s" and nothing more', () => {
    for (const c of CASES) {
      const a = dryRun(undefined, c);
      assert.equal(a.code, 0, `${c.what}: refused to the admin: ${a.output}`);
      const g = dryRun(granted(), c);
      if (c.secretOnly) assert.equal(g.code, 0, `${c.what}: refused to the user granted get on "s": ${g.output}`);
      else assert.notEqual(g.code, 0, `${c.what}: admitted for the user granted only "s": ${g.output}`);
    }
  });

  it('kubectl updates: only what is new is checked, and a new source checks every reference again', () => {
    // The limited user may edit what names no new reference (the admin's module keeps its Secret)...
    const patch = (user: string, p: unknown) =>
      kubectl(user, ['patch', 'tofumodule', 'holder', '-n', ns, '--type=merge', '-p', JSON.stringify(p)]);
    const history = patch(limited(), { spec: { historyLimit: 5 } });
    assert.equal(history.code, 0, history.output);
    const annotated = kubectl(limited(), ['annotate', 'tofumodule', 'holder', '-n', ns, 'team=a']);
    assert.equal(annotated.code, 0, annotated.output);
    // ...but not point the code that gets the Secret somewhere else (another revision: a fork's head).
    const revision = patch(limited(), { spec: { source: { revision: 'refs/pull/1/head' } } });
    assert.notEqual(revision.code, 0, revision.output);
    assert.match(revision.output, /TofuModule .*\/holder: spec\.varsFrom\[0\] names the Secret "s"/);
    const granted1 = patch(granted(), { spec: { historyLimit: 6 } });
    assert.equal(granted1.code, 0, granted1.output);
  });

  it('REST: the same refusals for the caller (403 naming the field), which the policy would not see', async () => {
    for (const c of CASES.filter((x) => x.kind !== 'TofuExecution')) {
      const path = `/api/v1/namespaces/${ns}/${c.kind === 'TofuModule' ? 'modules' : 'stacks'}`;
      const r = await call('POST', path, limitedToken, { metadata: { name: `rest-${nameOfCase(c)}` }, spec: c.spec });
      assert.equal(r.status, 403, `${c.what}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body?.reason, 'Forbidden');
      assert.match(r.body?.message ?? '', c.field, c.what);
    }
    // Granted get on "s": creates a module that names it in every Secret field at once.
    const all = {
      ...module({ source: { ...source, credentialsSecretRef: { name: 's' } }, varsFrom: [{ kind: 'Secret', name: 's' }] }),
      stateEncryption: { keySecretRef: { name: 's', key: 'token' } },
      executionTemplate: { ...UNSCHEDULABLE, env: [{ name: 'T', valueFrom: fromS }], imagePullSecrets: [{ name: 's' }] },
    };
    const created = await call('POST', `/api/v1/namespaces/${ns}/modules`, grantedToken, { metadata: { name: 'rest-granted' }, spec: all });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    // PUT: the limited user cannot move the code that gets "s"; an unrelated change passes.
    const moved = await call('PUT', `/api/v1/namespaces/${ns}/modules/rest-granted`, limitedToken, {
      spec: { ...all, source: { ...all.source, revision: 'other' } },
    });
    assert.equal(moved.status, 403, JSON.stringify(moved.body));
    assert.match(moved.body?.message ?? '', /TofuModule .*\/rest-granted: spec\.source\.credentialsSecretRef names the Secret "s"/);
    const unrelated = await call('PUT', `/api/v1/namespaces/${ns}/modules/rest-granted`, limitedToken, {
      spec: { ...all, historyLimit: 3 },
    });
    assert.equal(unrelated.status, 200, JSON.stringify(unrelated.body));
  });

  it("the operator still runs a limited user's stack of a module that takes a variable from the Secret: a real plan", async () => {
    const r = kubectl(
      limited(),
      ['create', '-n', ns, '-f', '-'],
      JSON.stringify({ apiVersion: API, kind: 'TofuStack', metadata: { name: 'consumer' }, spec: { moduleRef: { name: 'holder' } } }),
    );
    assert.equal(r.code, 0, r.output);
    const plan = await waitFor(
      'a finished plan of the stack',
      async () => {
        const e = (await listExecutions(ns)).find((x: TofuExecution) => x.spec.stackRef?.name === 'consumer');
        return e && ['Succeeded', 'Failed'].includes(e.status?.phase ?? '') ? e : undefined;
      },
      240_000,
      1_000,
    );
    assert.equal(plan.status?.phase, 'Succeeded', `${plan.metadata.name}: ${plan.status?.message}`);
    assert.ok(plan.spec.source, 'the operator created the execution with its source snapshot, past the policy');
    assert.ok(
      plan.status?.inputs?.sources?.some((s) => s.kind === 'Secret' && s.name === 's'),
      `the run took its variables from the Secret: ${JSON.stringify(plan.status?.inputs)}`,
    );
    assert.ok(
      (await listJobs(ns)).some((j) => j.metadata?.name?.startsWith(plan.metadata.name ?? '-')),
      'the operator created its Job',
    );
    // The admin's module itself planned with the Secret's value too.
    await waitFor(
      "a successful plan of the admin's module",
      async () =>
        (await listExecutions(ns)).some((x) => x.spec.moduleRef?.name === 'holder' && !x.spec.stackRef && x.status?.phase === 'Succeeded'),
      240_000,
      1_000,
    );
  });
});
