// State encryption through the operator, on the local node with real runner pods and real tofu: a
// module with spec.stateEncryption (passphrase from a Secret) and autoApply is planned and applied;
// the state Secrets the operator keeps hold OpenTofu's encrypted form, never the resource's value in
// clear; the next plan reads that state back with the same passphrase and says "No changes.".
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Annotations, Labels, type ResourceType, type TofuExecution, type TofuModule } from '@tofu-operator/api-types';
import {
  admin,
  deleteNamespace,
  installCrdsAndRbac,
  listExecutions,
  newNamespace,
  operatorKubeconfig,
  OperatorProcess,
  outputDir,
  serveRepo,
  TofuModules,
  waitFor,
} from './harness.js';

const Secrets: ResourceType = { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true };
interface Secret {
  metadata?: { name?: string; labels?: Record<string, string> };
  data?: Record<string, string>;
}

const CANARY = 'state-canary-3f9d1c';
const MODULE_TF = `resource "terraform_data" "a" {\n  input = "${CANARY}"\n}\n`;
const TERMINAL = ['Succeeded', 'Failed'];

describe('state encryption through the operator (real runner pods)', () => {
  let operator: OperatorProcess;
  let ns: string;

  /** Every value of the module's state Secrets, decompressed where it is a gzip stream. */
  async function storedState(): Promise<string[]> {
    const all = (await admin.list<Secret>(Secrets, ns)).items.filter(
      (s) => s.metadata?.labels?.[Labels.artifact] === 'state' && s.metadata?.name?.startsWith('tofu-state-data-'),
    );
    return all.flatMap((s) =>
      Object.values(s.data ?? {}).map((b64) => {
        const raw = Buffer.from(b64, 'base64');
        try {
          return gunzipSync(raw).toString('utf8');
        } catch {
          return raw.toString('utf8');
        }
      }),
    );
  }

  const runsOf = async (action: string) =>
    (await listExecutions(ns))
      .filter((e) => e.spec.action === action)
      .sort((a, b) =>
        (b.metadata.annotations?.[Annotations.createdAt] ?? '').localeCompare(a.metadata.annotations?.[Annotations.createdAt] ?? ''),
      );

  async function finishedRun(action: string, other: string[] = []): Promise<TofuExecution> {
    const run = await waitFor(
      `a finished ${action} other than ${other.join(', ') || 'none'}`,
      async () => {
        const e = (await runsOf(action)).find((x) => !other.includes(x.metadata.name ?? ''));
        return e && TERMINAL.includes(e.status?.phase ?? '') ? e : undefined;
      },
      240_000,
      1_000,
    );
    assert.equal(run.status?.phase, 'Succeeded', `${action} ${run.metadata.name}: ${run.status?.message}`);
    return run;
  }

  before(async () => {
    await installCrdsAndRbac();
    ns = await newNamespace('encryption');
    operator = new OperatorProcess(await operatorKubeconfig(), { TOFU_OPERATOR_WATCH_NAMESPACE: ns });
    operator.start();
    await operator.waitUntilLeading();
  });

  after(async () => {
    const log = operator?.log() ?? '';
    await operator?.stop();
    writeFileSync(join(outputDir, `state-encryption-${process.pid}.operator.log`), log);
    if (ns) await deleteNamespace(ns);
  });

  it('keeps only the encrypted state in Secrets, and the next plan reads it back', async () => {
    const repo = serveRepo('e2e-state-encryption', { 'enc/main.tf': MODULE_TF });
    await admin.create<Secret>(Secrets, ns, {
      metadata: { name: 'state-key' },
      data: { passphrase: Buffer.from('a passphrase of at least sixteen characters').toString('base64') },
    });
    await admin.create<TofuModule>(TofuModules, ns, {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuModule',
      metadata: { name: 'enc', namespace: ns },
      spec: {
        source: { repository: repo, revision: 'main', workdir: 'enc' },
        autoApply: true,
        stateEncryption: { keySecretRef: { name: 'state-key', key: 'passphrase' } },
      },
    });

    const plan = await finishedRun('plan');
    assert.equal(plan.status?.plan?.hasChanges, true);
    const apply = await finishedRun('apply');
    assert.equal(apply.status?.apply?.add, 1, JSON.stringify(apply.status?.apply));

    const state = await storedState();
    assert.ok(state.length > 0, 'the operator keeps the state in Secrets');
    assert.ok(
      state.some((text) => text.includes('encrypted_data')),
      'the stored state is in OpenTofu encrypted form',
    );
    assert.ok(!state.some((text) => text.includes(CANARY)), 'the resource value is never stored in clear');

    // A re-plan request: the runner decrypts the state with the same passphrase and finds nothing to do.
    const module = await admin.get<TofuModule>(TofuModules, ns, 'enc');
    await admin.replace<TofuModule>(TofuModules, ns, 'enc', {
      ...module,
      metadata: {
        ...module.metadata,
        annotations: { ...module.metadata.annotations, [Annotations.requestedAt]: new Date().toISOString() },
      },
    });
    const again = await finishedRun('plan', [plan.metadata.name ?? '']);
    assert.equal(again.status?.plan?.hasChanges, false, again.status?.summary?.text);
    assert.match(again.status?.summary?.text ?? '', /No changes/);
  });
});
