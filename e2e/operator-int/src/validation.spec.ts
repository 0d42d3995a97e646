// Admission validation of the CRDs by the real API server: bad input is refused with the field named.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { KubeApiError } from '@tofu-operator/reconcile-runtime';
import { admin, installCrdsAndRbac, kubeconfigPath, repoRoot, TofuExecutions, TofuModules, TofuStacks } from './harness.js';
import {
  tofuExecutionCrd,
  tofuModuleCrd,
  tofuStackCrd,
  validateSchema,
  type CrdDefinition,
  type ResourceType,
  type TofuModule,
  type TofuStack,
} from '@tofu-operator/api-types';

async function rejection(rt: ResourceType, body: Record<string, unknown>): Promise<KubeApiError> {
  try {
    await admin.create(rt, 'default', {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: rt.kind,
      metadata: { name: 'invalid', namespace: 'default' },
      ...body,
    });
  } catch (err) {
    if (err instanceof KubeApiError) return err;
    throw err;
  }
  await admin.delete(rt, 'default', 'invalid');
  assert.fail(`${rt.kind} ${JSON.stringify(body)} was admitted`);
}

const cases: { name: string; rt: ResourceType; body: Record<string, unknown>; field: string; message: RegExp }[] = [
  { name: 'module without source', rt: TofuModules, body: { spec: {} }, field: 'spec.source', message: /Required/ },
  {
    name: 'repository with an unsupported scheme',
    rt: TofuModules,
    body: { spec: { source: { repository: 'ftp://example.com/x.git' } } },
    field: 'spec.source.repository',
    message: /https:\/\/, ssh:\/\/, git:\/\/ or file:\/\//,
  },
  {
    name: 'revision that looks like an option',
    rt: TofuModules,
    body: { spec: { source: { repository: 'https://example.com/x.git', revision: '--upload-pack=x' } } },
    field: 'spec.source.revision',
    message: /no leading "-"/,
  },
  {
    name: 'absolute workdir',
    rt: TofuModules,
    body: { spec: { source: { repository: 'https://example.com/x.git', workdir: '/etc' } } },
    field: 'spec.source.workdir',
    message: /relative path/,
  },
  {
    name: 'workdir escaping the repository',
    rt: TofuModules,
    body: { spec: { source: { repository: 'https://example.com/x.git', workdir: 'a/../../b' } } },
    field: 'spec.source.workdir',
    message: /"\.\."/,
  },
  {
    name: 'bad memory quantity',
    rt: TofuModules,
    body: {
      spec: { source: { repository: 'https://example.com/x.git' }, executionTemplate: { resources: { limits: { memory: 'lots' } } } },
    },
    field: 'spec.executionTemplate.resources.limits.memory',
    message: /quantity/,
  },
  {
    name: 'env with both value and valueFrom',
    rt: TofuModules,
    body: {
      spec: {
        source: { repository: 'https://example.com/x.git' },
        executionTemplate: { env: [{ name: 'A', value: 'x', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] },
      },
    },
    field: 'spec.executionTemplate.env[0]',
    message: /mutually exclusive/,
  },
  {
    name: 'zero deadline',
    rt: TofuModules,
    body: { spec: { source: { repository: 'https://example.com/x.git' }, executionTemplate: { activeDeadlineSeconds: 0 } } },
    field: 'spec.executionTemplate.activeDeadlineSeconds',
    message: /greater than or equal to 1/,
  },
  {
    name: 'env variable with a name the operator reserves',
    rt: TofuModules,
    body: {
      spec: {
        source: { repository: 'https://example.com/x.git' },
        executionTemplate: {
          env: [
            { name: 'TF_VAR_region', value: 'eu' },
            { name: 'TOFU_OPERATOR_REPOSITORY', value: 'https://elsewhere.example.com/x.git' },
          ],
        },
      },
    },
    field: 'spec.executionTemplate.env[1].name',
    message: /reserved for the operator/,
  },
  {
    name: 'stack overriding HOME',
    rt: TofuStacks,
    body: { spec: { moduleRef: { name: 'm' }, executionTemplate: { env: [{ name: 'HOME', value: '/root' }] } } },
    field: 'spec.executionTemplate.env[0].name',
    message: /reserved for the operator/,
  },
  { name: 'stack without moduleRef', rt: TofuStacks, body: { spec: {} }, field: 'spec.moduleRef', message: /Required/ },
  {
    name: 'stack with an invalid module name',
    rt: TofuStacks,
    body: { spec: { moduleRef: { name: 'Not_Valid' } } },
    field: 'spec.moduleRef.name',
    message: /RFC 1123/,
  },
  {
    name: 'execution without module or stack',
    rt: TofuExecutions,
    body: { spec: { action: 'plan' } },
    field: 'spec',
    message: /one of moduleRef or stackRef/,
  },
  {
    name: 'execution with an unknown action',
    rt: TofuExecutions,
    body: { spec: { action: 'apply-everything', moduleRef: { name: 'm' } } },
    field: 'spec.action',
    message: /Unsupported value/,
  },
  {
    name: 'apply without planRef',
    rt: TofuExecutions,
    body: { spec: { action: 'apply', moduleRef: { name: 'm' } } },
    field: 'spec.planRef',
    message: /spec\.planRef is required when spec\.action is apply or destroy/,
  },
  {
    name: 'plan with a planRef',
    rt: TofuExecutions,
    body: { spec: { action: 'plan', moduleRef: { name: 'm' }, planRef: { name: 'p', digest: `sha256:${'a'.repeat(64)}` } } },
    field: 'spec.planRef',
    message: /spec\.planRef is not allowed when spec\.action is plan/,
  },
  {
    name: 'destroy flag on an apply',
    rt: TofuExecutions,
    body: {
      spec: { action: 'apply', destroy: true, moduleRef: { name: 'm' }, planRef: { name: 'p', digest: `sha256:${'a'.repeat(64)}` } },
    },
    field: 'spec.destroy',
    message: /spec\.destroy is only allowed with spec\.action plan/,
  },
  {
    name: 'planRef digest that is no sha256',
    rt: TofuExecutions,
    body: { spec: { action: 'destroy', moduleRef: { name: 'm' }, planRef: { name: 'p', digest: `sha256:${'A'.repeat(64)}` } } },
    field: 'spec.planRef.digest',
    message: /"sha256:" followed by 64 lowercase hex digits/,
  },
  {
    name: 'unknown deletionPolicy',
    rt: TofuStacks,
    body: { spec: { moduleRef: { name: 'm' }, deletionPolicy: 'Delete' } },
    field: 'spec.deletionPolicy',
    message: /Unsupported value/,
  },
  {
    name: 'stateEncryption without a key',
    rt: TofuModules,
    body: { spec: { source: { repository: 'https://example.com/x.git' }, stateEncryption: { keySecretRef: { name: 's' } } } },
    field: 'spec.stateEncryption.keySecretRef.key',
    message: /Required/,
  },
  {
    // 0 let the Job controller delete a finished Job before the operator read it (issue 14, item 13).
    name: 'ttlSecondsAfterFinished below 60',
    rt: TofuStacks,
    body: { spec: { moduleRef: { name: 'm' }, executionTemplate: { ttlSecondsAfterFinished: 0 } } },
    field: 'spec.executionTemplate.ttlSecondsAfterFinished',
    message: /greater than or equal to 60/,
  },
];

describe('admission validation', () => {
  before(installCrdsAndRbac);

  for (const c of cases) {
    it(`refuses a ${c.name}, naming ${c.field}`, async () => {
      const err = await rejection(c.rt, c.body);
      assert.equal(err.code, 422);
      const cause = err.causes.find((x) => x.field === c.field);
      assert.ok(cause, `a cause for ${c.field} in ${JSON.stringify(err.causes)}`);
      assert.match(`${cause.message ?? ''} ${err.message}`, c.message);
    });
  }

  it('refuses kubectl apply of a template with a reserved variable, naming the field', () => {
    const manifest = [
      'apiVersion: tofu-operator.io/v1alpha1',
      'kind: TofuModule',
      'metadata: { name: reserved-env, namespace: default }',
      'spec:',
      '  source: { repository: https://example.com/x.git }',
      '  executionTemplate:',
      '    env: [{ name: TMPDIR, value: /elsewhere }]',
    ].join('\n');
    const run = spawnSync(
      'bash',
      [join(repoRoot, 'tools/cluster/cluster.sh'), 'kubectl', '--kubeconfig', kubeconfigPath, 'apply', '-f', '-'],
      {
        input: manifest,
        encoding: 'utf8',
      },
    );
    assert.notEqual(run.status, 0, `kubectl apply succeeded: ${run.stdout}`);
    assert.match(
      run.stderr,
      /spec\.executionTemplate\.env\[0\]\.name: Invalid value: .*reserved for the operator \(HOME, TMPDIR and every name starting with TOFU_OPERATOR_\)/,
    );
  });

  /** Specs around the rules the runner and the dashboard check with the CRD schema (FieldRules). */
  const samples: { crd: CrdDefinition; rt: ResourceType; spec: Record<string, unknown> }[] = [
    ...['', 'main', 'v1.2.3', 'refs/heads/x', '-b', 'a..b', 'a b', 'HEAD~1', 'a^', 'a:b', 'a?', 'a*', 'a[b', 'a\\b', 'x'.repeat(256)].map(
      (revision) => ({ crd: tofuModuleCrd, rt: TofuModules, spec: { source: { repository: 'https://example.com/x.git', revision } } }),
    ),
    ...['https://h/r', 'ssh://git@h/r', 'git://h/r', 'file:///r', 'git@h:r.git', 'http://h/r', 'https://h/a b', '-x@h:r', 'ftp://h/r'].map(
      (repository) => ({ crd: tofuModuleCrd, rt: TofuModules, spec: { source: { repository } } }),
    ),
    ...['.', 'a/b', 'a/..b', '/etc', '..', 'a/../b', 'a/..'].map((workdir) => ({
      crd: tofuModuleCrd,
      rt: TofuModules,
      spec: { source: { repository: 'https://h/r', workdir } },
    })),
    ...['TF_VAR_x', '_x', '1BAD', 'A-B', 'HOME', 'TMPDIR', 'TOFU_OPERATOR_X', 'TOFU_OPERATORX', 'home'].map((name) => ({
      crd: tofuModuleCrd,
      rt: TofuModules,
      spec: { source: { repository: 'https://h/r' }, executionTemplate: { env: [{ name, value: '1' }] } },
    })),
    ...['m', 'a.b-c', 'Not_Valid', 'a-', 'x'.repeat(254)].map((name) => ({
      crd: tofuStackCrd,
      rt: TofuStacks,
      spec: { moduleRef: { name } },
    })),
    ...[`sha256:${'0'.repeat(64)}`, `sha256:${'f'.repeat(63)}`, `sha256:${'F'.repeat(64)}`, `sha512:${'0'.repeat(64)}`, ''].map(
      (digest) => ({
        crd: tofuExecutionCrd,
        rt: TofuExecutions,
        spec: { action: 'apply', moduleRef: { name: 'm' }, planRef: { name: 'p', digest } },
      }),
    ),
  ];

  it('agrees with the JavaScript twins of its rules: the runner and the dashboard refuse what admission refuses', async () => {
    const disagreements: string[] = [];
    for (const { crd, rt, spec } of samples) {
      const local = validateSchema(spec, crd.spec, 'spec', { rules: true }).map((v) => v.path);
      let admitted: string[] = [];
      try {
        await admin.request('POST', `/apis/tofu-operator.io/v1alpha1/namespaces/default/${rt.plural}`, {
          query: { dryRun: 'All' },
          body: { apiVersion: 'tofu-operator.io/v1alpha1', kind: rt.kind, metadata: { name: 'dry-run' }, spec },
        });
      } catch (err) {
        if (!(err instanceof KubeApiError) || err.code !== 422) throw err;
        // With a structural error the API server skips the CEL rules and says so in a cause of its own.
        admitted = err.causes.filter((c) => !/some validation rules were not checked/.test(c.message ?? '')).map((c) => c.field ?? '');
      }
      if ([...new Set(local)].sort().join() !== [...new Set(admitted)].sort().join())
        disagreements.push(`${JSON.stringify(spec)}: API server ${JSON.stringify(admitted)}, validateSchema ${JSON.stringify(local)}`);
    }
    assert.deepEqual(disagreements, []);
  });

  it('keeps an execution spec immutable', async () => {
    const name = `immutable-${Date.now()}`;
    await admin.create(TofuExecutions, 'default', {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuExecution',
      metadata: { name, namespace: 'default' },
      spec: { action: 'plan', moduleRef: { name: 'does-not-exist' } },
    });
    try {
      await assert.rejects(
        admin.mergePatch(TofuExecutions, 'default', name, { spec: { moduleRef: { name: 'other' } } }),
        (err: unknown) => err instanceof KubeApiError && err.code === 422 && /spec is immutable/.test(err.message),
      );
    } finally {
      await admin.delete(TofuExecutions, 'default', name);
    }
  });

  it('defaults workdir to "." and the apply settings at admission', async () => {
    const name = `defaults-${Date.now()}`;
    const created = await admin.create<TofuModule>(TofuModules, 'default', {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuModule',
      metadata: { name, namespace: 'default' },
      spec: { source: { repository: 'https://example.com/x.git' } },
    });
    await admin.delete(TofuModules, 'default', name);
    assert.equal(created.spec.source.workdir, '.');
    // A module's apply settings have their defaults; a stack's stay unset, so its module's hold.
    assert.equal(created.spec.autoApply, false);
    assert.equal(created.spec.backend, 'Operator');
    assert.equal(created.spec.deletionPolicy, 'Orphan');
    const stack = await admin.create<TofuStack>(TofuStacks, 'default', {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuStack',
      metadata: { name, namespace: 'default' },
      spec: { moduleRef: { name } },
    });
    await admin.delete(TofuStacks, 'default', name);
    assert.equal(stack.spec.deletionPolicy, 'Orphan');
    assert.equal(stack.spec.autoApply, undefined);
    assert.equal(stack.spec.backend, undefined);
  });
});
