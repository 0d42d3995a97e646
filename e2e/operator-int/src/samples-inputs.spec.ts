// samples/inputs.yaml as written (namespace and repository rewritten to this test's), with real
// runner pods and tofu: the service module and its stack take values from spec.variables, the
// ConfigMap (a string and a .json key) and the Secret; the stack applies by itself and writes its
// outputs to the Secret service-outputs; the client stack waits for it and plans with its endpoint.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TofuExecution, TofuStack } from '@tofu-operator/api-types';
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
  TofuStacks,
  waitFor,
} from './harness.js';

const TERMINAL = ['Succeeded', 'Failed'];

describe('samples/inputs.yaml', () => {
  let operator: OperatorProcess;
  let ns: string;

  before(async () => {
    await installCrdsAndRbac();
    ns = await newNamespace('samples-inputs');
    operator = new OperatorProcess(await operatorKubeconfig(), { PORT: String(await freePort()), TOFU_OPERATOR_WATCH_NAMESPACE: ns });
    operator.start();
    await operator.waitUntilLeading();
  });

  after(async () => {
    await operator?.stop();
    if (ns) await deleteNamespace(ns);
  });

  /** The stack once `ready` says so; fails on a failed run of it. */
  async function stackWhen(name: string, ready: (s: TofuStack) => boolean): Promise<TofuStack> {
    return waitFor(
      `stack ${name}`,
      async () => {
        const failed = (await listExecutions(ns)).find((e) => e.spec.stackRef?.name === name && e.status?.phase === 'Failed');
        if (failed) throw new Error(`${failed.metadata.name} failed: ${failed.status?.message}`);
        const stack = await admin.get<TofuStack>(TofuStacks, ns, name);
        return ready(stack) ? stack : undefined;
      },
      300_000,
      1_000,
    );
  }

  it('applies the service stack with its variables and outputs, then plans the client with its endpoint', async () => {
    const read = (path: string) => readFileSync(join(repoRoot, 'samples/modules', path), 'utf8');
    const repo = serveRepo('e2e-samples-inputs', { 'service/main.tf': read('service/main.tf'), 'client/main.tf': read('client/main.tf') });
    const sample = readFileSync(join(repoRoot, 'samples/inputs.yaml'), 'utf8');
    assert.match(sample, /repository: git:\/\/10\.88\.0\.1\/tofu-samples/);
    const file = join(mkdtempSync(join(tmpdir(), 'samples-inputs-')), 'inputs.yaml');
    writeFileSync(file, sample.replaceAll('namespace: default', `namespace: ${ns}`).replaceAll('git://10.88.0.1/tofu-samples', repo));
    execFileSync('bash', [join(repoRoot, 'tools/cluster/cluster.sh'), 'kubectl', '--kubeconfig', kubeconfigPath, 'apply', '-f', file], {
      stdio: 'pipe',
    });

    // The client waits for the service (it has not applied yet).
    const waiting = await stackWhen('client-prod', (s) =>
      Boolean(s.status?.conditions?.some((c) => c.type === 'DependenciesReady' && c.status === 'False')),
    );
    assert.match(
      waiting.status?.conditions?.find((c) => c.type === 'DependenciesReady')?.reason ?? '',
      /DependencyNotApplied|DependencyNotFound/,
    );

    const service = await stackWhen('service-prod', (s) => Boolean(s.status?.outputsInfo));
    assert.equal(service.status?.outputs?.['endpoint'], 'https://service.eu-west-1.example.internal', 'region from the ConfigMap');
    assert.equal(service.status?.outputs?.['replicas'], 3, "the stack's value wins over the module's");
    assert.deepEqual(service.status?.outputsInfo?.sensitive, ['token_fingerprint']);
    assert.equal(service.status?.outputs?.['token_fingerprint'], undefined);
    const outputs = await admin.request<{ data: Record<string, string> }>('GET', `/api/v1/namespaces/${ns}/secrets/service-outputs`);
    assert.deepEqual(Object.keys(outputs.data).sort(), ['endpoint', 'replicas', 'token_fingerprint']);

    // The client plans with the service's endpoint.
    const plan = await waitFor(
      'a finished plan of client-prod',
      async () => {
        const e = (await listExecutions(ns)).find(
          (x: TofuExecution) => x.spec.stackRef?.name === 'client-prod' && x.spec.action === 'plan',
        );
        return e && TERMINAL.includes(e.status?.phase ?? '') ? e : undefined;
      },
      300_000,
      1_000,
    );
    assert.equal(plan.status?.phase, 'Succeeded', plan.status?.message);
    const client = await stackWhen('client-prod', (s) =>
      Boolean(s.status?.conditions?.some((c) => c.type === 'DependenciesReady' && c.status === 'True')),
    );
    assert.ok(client);
    const log = operator.log();
    assert.ok(!log.includes('sample-token-not-a-real-secret'), "the Secret's value is not in the operator's log");
  });
});
