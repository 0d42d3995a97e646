// Variables, secret masking and outputs with the real tofu against the in-test runner API: an inputs
// directory as the operator mounts it (manifest.json and the files), var files from the repository.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SENSITIVE_MASK, type InputsManifest, type PlanDiff } from '@tofu-operator/api-types';
import { ApplyHarness, assertFailed as failed, assertOk as ok, NS, type Run } from './testing/apply-harness.js';

/** From a Secret: a quote and a backslash, so its JSON-escaped and HCL-quoted forms differ from it. */
const CANARY = 'CANARY-"db"\\pw-7f3a9e';
/** The value of a Secret-backed environment variable (maskEnv). */
const ENV_CANARY = 'api-CANARY-token-42b1';
/** A sensitive output's value that no input carries (a sensitive default in the code). */
const GENERATED = 'generated-sensitive-9d2c';

/** Every form of a value that must never be printed, computed here independently of the runner. */
function forms(value: string): string[] {
  const b64 = Buffer.from(value).toString('base64');
  const url = Buffer.from(value).toString('base64url');
  return [value, b64, b64.replace(/=+$/, ''), url, JSON.stringify(value).slice(1, -1)];
}

const moduleCode = `
variable "region" {
  type = string
}
variable "replicas" {
  type = number
}
variable "db_password" {
  type = string
}
variable "api_token" {
  type    = string
  default = ""
}
variable "tags" {
  type    = map(string)
  default = {}
}

resource "terraform_data" "app" {
  input = { region = var.region, replicas = var.replicas, tags = var.tags }
}

resource "terraform_data" "db" {
  input = {
    password = var.db_password
    encoded  = base64encode(var.db_password)
    doc      = jsonencode({ p = var.db_password })
    token    = var.api_token
  }
}

# Sensitive in the module itself: tofu hides it; the runner learns it from the outputs.
variable "generated" {
  type      = string
  default   = "${GENERATED}"
  sensitive = true
}

resource "terraform_data" "generated" {
  input = var.generated
}

output "region" {
  value = var.region
}
output "password" {
  value     = var.db_password
  sensitive = true
}
output "leaky" {
  value = base64encode(var.db_password)
}
output "generated" {
  value     = terraform_data.generated.output
  sensitive = true
}
`;

const appVars = { region: 'eu-west-1' };
const manifest = (files: InputsManifest['files']): InputsManifest => ({ files, mask: [CANARY], maskEnv: ['TF_VAR_api_token'] });
const FILES: InputsManifest['files'] = [
  { key: 'vars.json', format: 'json', source: 'ConfigMap "app" key "vars.json"', sensitive: false },
  { key: 'size.tfvars', format: 'tfvars', source: 'ConfigMap "app" key "size.tfvars"', sensitive: false },
  { key: 'db.json', format: 'json', source: 'Secret "db" key "vars.json"', sensitive: true },
];

describe('runner: variables, masking and outputs (real tofu)', { timeout: 300_000 }, () => {
  const h = new ApplyHarness();
  let commit: string;
  let count = 0;

  before(async () => {
    await h.start();
    h.neverPrinted.push(...forms(CANARY), ...forms(ENV_CANARY));
    commit = await h.repo.commit({ 'main.tf': moduleCode, 'env/prod.tfvars': 'tags = { team = "a" }\n' }, 'module with variables');
  });
  after(() => h.stop());

  /** Writes an inputs directory: the manifest and its files (text as given). */
  async function inputsDir(m: InputsManifest, files: Record<string, string>): Promise<string> {
    const dir = path.join(h.root, `inputs-${++count}`);
    await mkdir(dir);
    await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(m));
    for (const [key, text] of Object.entries(files)) await writeFile(path.join(dir, key), text);
    return dir;
  }

  const goodFiles = {
    'vars.json': JSON.stringify(appVars),
    'size.tfvars': 'replicas = 3\n',
    'db.json': JSON.stringify({ db_password: CANARY }),
  };

  /** Everything a run printed or reported, and what it uploaded, must hold no form of a secret. */
  function assertNoSecret(run: Run, uploaded: string, more: string[] = []): void {
    const everything = `${run.io.all()}\n${JSON.stringify(run.result)}\n${uploaded}`;
    for (const secret of [...h.neverPrinted, ...more]) assert.ok(!everything.includes(secret), `a form of a secret leaked: ${secret}`);
  }

  async function plan(name: string, dir: string, vars: Record<string, string> = {}): Promise<Run> {
    return h.run(name, {
      TOFU_OPERATOR_INPUTS_DIR: dir,
      TOFU_OPERATOR_VAR_FILES: JSON.stringify(['env/prod.tfvars']),
      TF_VAR_api_token: ENV_CANARY,
      ...vars,
    });
  }

  /** An apply of a stored plan, with the inputs directory mounted as for the plan (for its masks). */
  const apply = (name: string, planName: string, dir: string, vars: Record<string, string> = {}) =>
    h.apply(name, planName, commit, { TOFU_OPERATOR_INPUTS_DIR: dir, TF_VAR_api_token: ENV_CANARY, ...vars });

  let good: string;

  it('plans with var files, a json file, a tfvars file and a Secret’s file; no form of a secret is printed, reported or in the diff', async () => {
    good = await inputsDir(manifest(FILES), goodFiles);
    const run = await plan('vars-plan', good);
    ok(run.result);
    assert.equal(run.result.summary?.text, 'Plan: 3 to add, 0 to change, 0 to destroy.');
    const diffText = h.api.plans.get(`${NS}/vars-plan/diff`)?.toString('utf8') ?? '';
    assertNoSecret(run, diffText, forms(GENERATED));
    const out = run.io.all();
    assert.match(
      out,
      /==> variables from spec\.varFiles\[0\] "env\/prod\.tfvars", ConfigMap "app" key "vars\.json", ConfigMap "app" key "size\.tfvars", Secret "db" key "vars\.json"/,
    );
    assert.match(out, /password = "\*\*\*"/, 'tofu printed the password, masked');

    const diff = JSON.parse(diffText) as PlanDiff;
    const after = (address: string) => diff.resources.find((r) => r.address === address)?.attributes.find((a) => a.name === 'input')?.after;
    assert.deepEqual(after('terraform_data.app'), { region: 'eu-west-1', replicas: 3, tags: { team: 'a' } });
    assert.deepEqual(after('terraform_data.db'), {
      doc: SENSITIVE_MASK,
      encoded: SENSITIVE_MASK,
      password: SENSITIVE_MASK,
      token: SENSITIVE_MASK,
    });
  });

  it('applies, stores tofu output -json with the sensitive outputs, and prints only their names', async () => {
    const run = await apply('vars-plan-apply', 'vars-plan', good);
    ok(run.result);
    assert.equal(run.result.apply?.text, 'Apply complete! Resources: 3 added, 0 changed, 0 destroyed.');
    assertNoSecret(run, '', forms(GENERATED));
    assert.match(
      run.io.all(),
      /==> 4 output\(s\): generated \(sensitive\), leaky \(sensitive\), password \(sensitive\), region\n==> marked sensitive, since they hold a value from a Secret: leaky\n==> outputs stored/,
    );
    const stored = JSON.parse(h.api.outputs.get(`${NS}/vars-plan-apply`)?.toString('utf8') ?? '{}') as Record<string, unknown>;
    assert.deepEqual(stored, {
      generated: { sensitive: true, type: 'string', value: GENERATED },
      leaky: { sensitive: true, type: 'string', value: Buffer.from(CANARY).toString('base64') },
      password: { sensitive: true, type: 'string', value: CANARY },
      region: { sensitive: false, type: 'string', value: 'eu-west-1' },
    });
  });

  it('masks the runner’s own messages and the failure message too, and warns about values too short to mask without them', async () => {
    const m = { files: [], mask: ['secret-branch-name', 'ab'], maskEnv: ['UNSET_SECRET_VAR'] };
    const run = await h.run('vars-own-messages', {
      TOFU_OPERATOR_INPUTS_DIR: await inputsDir(m, {}),
      TOFU_OPERATOR_REVISION: 'secret-branch-name',
    });
    failed(run.result, 'RevisionNotFound', /revision "\*\*\*" not found/);
    assert.ok(!`${run.io.all()}${JSON.stringify(run.result)}`.includes('secret-branch-name'));
    assert.match(run.io.all(), /==> warning: 1 secret value\(s\) are shorter than 4 characters and cannot be masked reliably/);
    assert.match(run.io.all(), /==> warning: variables to mask are not set: UNSET_SECRET_VAR/);
  });

  it('fails a variable the module does not declare as InvalidVariables, naming it and its source', async () => {
    const files = { ...goodFiles, 'vars.json': JSON.stringify({ ...appVars, regoin: 'typo' }) };
    const run = await plan('vars-undeclared', await inputsDir(manifest(FILES), files));
    failed(run.result, 'InvalidVariables', /variable "regoin" is not declared by the module \(set by ConfigMap "app" key "vars\.json"\)/);
    assert.ok(!h.api.plans.has(`${NS}/vars-undeclared`), 'the plan is not stored');
  });

  it('fails a value of the wrong type, naming the variable and its source, not the value', async () => {
    const files = { ...goodFiles, 'size.tfvars': 'replicas = "many-replicas"\n' };
    const run = await plan('vars-type', await inputsDir(manifest(FILES), files));
    failed(
      run.result,
      'InvalidVariables',
      /invalid value for variable "replicas" \(set by ConfigMap "app" key "size\.tfvars"\): a number is required/,
    );
    assert.doesNotMatch(run.result.message ?? '', /many-replicas/);
  });

  it('fails a required variable without a value, naming it', async () => {
    const run = await plan('vars-missing', await inputsDir(manifest(FILES.slice(1)), goodFiles));
    failed(run.result, 'InvalidVariables', /variable "region" is required and has no value/);
  });

  it('refuses a var file missing from the workdir, naming spec.varFiles[i]', async () => {
    const dir = await inputsDir(manifest(FILES), goodFiles);
    const run = await plan('vars-no-file', dir, { TOFU_OPERATOR_VAR_FILES: JSON.stringify(['env/prod.tfvars', 'env/missing.tfvars']) });
    failed(run.result, 'InvalidInput', /^spec\.varFiles\[1\] "env\/missing\.tfvars" does not exist in the workdir$/);
  });

  it('fails an apply whose outputs the runner API refuses as OutputsNotStored, saying the apply happened', async () => {
    const dir = await inputsDir(manifest(FILES), { ...goodFiles, 'vars.json': JSON.stringify({ region: 'us-east-1' }) });
    ok((await plan('vars-plan-2', dir)).result);
    h.api.outputsStatus = 403;
    try {
      const run = await apply('vars-plan-2-apply', 'vars-plan-2', dir);
      failed(
        run.result,
        'OutputsNotStored',
        /^Apply complete! Resources: \d+ added, \d+ changed, \d+ destroyed\. But the outputs were not stored: .*403/,
      );
    } finally {
      h.api.outputsStatus = 204;
    }
  });

  it('destroys and stores the empty outputs', async () => {
    const run = await plan('vars-destroy', good, { TOFU_OPERATOR_DESTROY: 'true' });
    ok(run.result);
    const applied = await apply('vars-destroy-apply', 'vars-destroy', good, { TOFU_OPERATOR_ACTION: 'destroy' });
    ok(applied.result);
    assert.deepEqual(h.resources(), []);
    assert.equal(h.api.outputs.get(`${NS}/vars-destroy-apply`)?.toString('utf8'), '{}');
    assert.match(applied.io.all(), /==> no outputs/);
  });
});
