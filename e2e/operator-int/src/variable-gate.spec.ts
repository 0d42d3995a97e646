// Variables checked against the module's code before any Job (issue 12): the operator reads the
// variable blocks of the module at the commit it will plan (a shallow fetch from the real git
// daemon) and refuses an undeclared variable or a value of the wrong type with Ready False
// InputsInvalid naming the variable and where its value came from; no execution is created, a value
// from a Secret is never quoted. Fixing the spec plans at once, and the plan succeeds.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Condition, TofuModule } from '@tofu-operator/api-types';
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
  sleep,
  TofuModules,
  waitFor,
} from './harness.js';

const SECRET_VALUE = `not-a-number-${randomBytes(6).toString('hex')}`;
const Secrets = { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true };

const MAIN = `
variable "region" {
  type = string
}
variable "replicas" {
  type    = number
  default = 1
}
variable "settings" {
  type    = object({ size = string, public = optional(bool) })
  default = { size = "s" }
}
resource "terraform_data" "x" {
  input = "\${var.region}-\${var.replicas}-\${var.settings.size}"
}
`;

const vars = (v: Record<string, unknown>) => v as unknown as TofuModule['spec']['variables'];

describe('variables checked against the module before any Job', () => {
  let operator: OperatorProcess;
  let ns: string;
  let repo: string;

  before(async () => {
    await installCrdsAndRbac();
    ns = await newNamespace('variable-gate');
    repo = serveRepo('e2e-variable-gate', { 'app/main.tf': MAIN });
    operator = new OperatorProcess(await operatorKubeconfig(), { PORT: String(await freePort()), TOFU_OPERATOR_WATCH_NAMESPACE: ns });
    operator.start();
    await operator.waitUntilLeading();
  });

  after(async () => {
    await operator?.stop();
    if (ns) await deleteNamespace(ns);
  });

  const readyOf = (name: string, reason: string): Promise<Condition> =>
    waitFor(
      `${name} Ready ${reason}`,
      async () => {
        const m = await admin.get<TofuModule>(TofuModules, ns, name);
        const ready = m.status?.conditions?.find((c) => c.type === 'Ready');
        return ready?.reason === reason ? ready : undefined;
      },
      90_000,
      500,
    );

  const moduleBody = (name: string, spec: Partial<TofuModule['spec']>): TofuModule => ({
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuModule',
    metadata: { name, namespace: ns },
    spec: { source: { repository: repo, revision: 'main', workdir: 'app' }, ...spec },
  });

  it('refuses an undeclared variable and a wrong type, naming them, with no execution; fixing the spec plans', async () => {
    await admin.create(
      TofuModules,
      ns,
      moduleBody('typo', { variables: vars({ regoin: 'eu', region: 'eu', replicas: 'many', settings: { public: true } }) }),
    );
    const ready = await readyOf('typo', 'InputsInvalid');
    assert.equal(ready.status, 'False');
    assert.match(
      ready.message,
      /spec\.variables\.regoin: the module does not declare a variable "regoin" \(declared: region, replicas, settings\)/,
    );
    assert.match(ready.message, /replicas: expected a number, got "many" \(type number\)/);
    assert.match(ready.message, /settings: attribute "size" is required/);
    // Nothing ran, and nothing will while the spec stays so.
    await sleep(3_000);
    assert.deepEqual(
      (await listExecutions(ns)).filter((e) => e.spec.moduleRef?.name === 'typo'),
      [],
    );

    await admin.mergePatch(TofuModules, ns, 'typo', {
      spec: { variables: { regoin: null, replicas: 3, settings: { size: 'm', public: true } } },
    });
    const plan = await waitFor(
      'the plan of the fixed module',
      async () => {
        const e = (await listExecutions(ns)).find(
          (x) => x.spec.moduleRef?.name === 'typo' && ['Succeeded', 'Failed'].includes(x.status?.phase ?? ''),
        );
        return e;
      },
      300_000,
      1_000,
    );
    assert.equal(plan.status?.phase, 'Succeeded', plan.status?.message);
  });

  it('names a wrong value from a Secret without quoting it', async () => {
    await admin.create(Secrets, ns, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'sizes', namespace: ns },
      stringData: { replicas: SECRET_VALUE },
    });
    await admin.create(
      TofuModules,
      ns,
      moduleBody('secret-typed', { variables: vars({ region: 'eu' }), varsFrom: [{ kind: 'Secret', name: 'sizes' }] }),
    );
    const ready = await readyOf('secret-typed', 'InputsInvalid');
    assert.match(ready.message, /Secret "sizes": replicas: expected a number, got a string \(type number\)/);
    assert.doesNotMatch(JSON.stringify(await admin.get(TofuModules, ns, 'secret-typed')), new RegExp(SECRET_VALUE));
    assert.deepEqual(
      (await listExecutions(ns)).filter((e) => e.spec.moduleRef?.name === 'secret-typed'),
      [],
    );
  });
});
