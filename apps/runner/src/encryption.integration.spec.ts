// State encryption and the code's own backend, with the real tofu against an in-test runner API.
import assert from 'node:assert/strict';
import { access, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BACKEND_OVERRIDE_FILE } from './backend.js';
import { ApplyHarness, assertFailed as failed, assertOk as ok, NS, tofuIn } from './testing/apply-harness.js';
import { cleanEnv } from './testing/fixtures.js';

const SECRET = 'plaintext-secret-of-the-state';
/** Quotes, a backslash and template sequences: the passphrase must reach tofu exactly as it is. */
const PASSPHRASE = 'pa"ss\\word ${x} %{y} long enough';

const MAIN_TF = `
variable "secret" {
  default   = "${SECRET}"
  sensitive = true
}

resource "terraform_data" "secret" {
  input = var.secret
}
`;

describe('runner: state encryption and the code’s own backend (real tofu)', { timeout: 300_000 }, () => {
  const h = new ApplyHarness();
  const api = h.api;
  let commit: string;
  const encrypted = { TOFU_OPERATOR_STATE_PASSPHRASE: PASSPHRASE };
  const owner = (name: string) => ({ TOFU_OPERATOR_OWNER_NAME: name });
  const storedState = (name: string) => api.states.get(`${NS}/stack/${name}`)?.toString('utf8') ?? '';

  before(async () => {
    await h.start();
    h.neverPrinted.push(PASSPHRASE, 'pa\\"ss\\\\word $${x}');
    commit = await h.repo.commit({ 'main.tf': MAIN_TF }, 'a secret');
  });
  after(() => h.stop());

  it('stores an encrypted state and an encrypted plan, readable with the passphrase only', async () => {
    const plan = await h.run('secure-plan', { ...encrypted, ...owner('secure') });
    ok(plan.result);
    assert.match(plan.io.all(), /==> state encryption on\n/);
    const saved = api.plans.get(`${NS}/secure-plan`) ?? Buffer.alloc(0);
    assert.ok(saved.length > 0 && !saved.subarray(0, 2).equals(Buffer.from('PK')), 'the plan file is not a plain zip');
    assert.ok(!saved.includes(SECRET), 'the plan file holds no plaintext secret');
    ok((await h.apply('secure-apply', 'secure-plan', commit, { ...encrypted, ...owner('secure') })).result);

    const state = storedState('secure');
    const json = JSON.parse(state) as Record<string, unknown>;
    assert.equal(typeof json['encrypted_data'], 'string', 'the stored state is encrypted');
    assert.equal(json['resources'], undefined);
    assert.ok(!state.includes(SECRET), 'the stored state is not plaintext');

    // The passphrase reached tofu byte for byte: a configuration reading it from a file decrypts the
    // state, and one letter off does not.
    const dir = path.join(h.root, 'decrypt');
    await mkdir(dir);
    await writeFile(path.join(dir, 'main.tf'), MAIN_TF);
    await writeFile(path.join(dir, 'terraform.tfstate'), state);
    const config = (file: string) =>
      `key_provider "pbkdf2" "tofu_operator" {\n  passphrase = file("${file}")\n}\nmethod "aes_gcm" "tofu_operator" {\n  keys = key_provider.pbkdf2.tofu_operator\n}\nstate {\n  method = method.aes_gcm.tofu_operator\n}\n`;
    await writeFile(path.join(dir, 'right.txt'), PASSPHRASE);
    await writeFile(path.join(dir, 'wrong.txt'), PASSPHRASE.replace('word', 'Word'));
    const env = (file: string) => cleanEnv(h.home, { TF_ENCRYPTION: config(file), TF_CLI_CONFIG_FILE: '/dev/null' });
    const right = await tofuIn(dir, ['state', 'list'], env('right.txt'));
    assert.equal(right.code, 0, right.out);
    assert.match(right.out, /terraform_data\.secret/);
    const wrong = await tofuIn(dir, ['state', 'list'], env('wrong.txt'));
    assert.notEqual(wrong.code, 0, wrong.out);

    const again = await h.run('secure-plan-2', { ...encrypted, ...owner('secure') });
    ok(again.result);
    assert.equal(again.result.summary?.text, 'No changes.');
  });

  it('does not read an encrypted state without the passphrase', async () => {
    const { result } = await h.run('secure-plan-3', owner('secure'));
    failed(result, 'InitFailed', /encrypted|decrypt/i);
  });

  it('encrypts a state stored before encryption was turned on', async () => {
    ok((await h.run('legacy-plan', owner('legacy'))).result);
    ok((await h.apply('legacy-apply', 'legacy-plan', commit, owner('legacy'))).result);
    assert.match(storedState('legacy'), new RegExp(SECRET), 'stored in plaintext at first');

    const more = await h.repo.commit({ 'main.tf': `${MAIN_TF}\nresource "terraform_data" "more" {\n  input = "more"\n}\n` }, 'more');
    const plan = await h.run('legacy-plan-2', { ...encrypted, ...owner('legacy'), TOFU_OPERATOR_REVISION: more });
    ok(plan.result);
    assert.match(plan.io.all(), /the stored state is not encrypted yet; this run encrypts it/);
    assert.equal(plan.result.summary?.text, 'Plan: 1 to add, 0 to change, 0 to destroy.', 'the plaintext state was read');
    const apply = await h.apply('legacy-apply-2', 'legacy-plan-2', more, { ...encrypted, ...owner('legacy') });
    ok(apply.result);
    const state = storedState('legacy');
    assert.ok(!state.includes(SECRET), 'encrypted now');
    assert.equal(typeof (JSON.parse(state) as Record<string, unknown>)['encrypted_data'], 'string');
    const next = await h.run('legacy-plan-3', { ...encrypted, ...owner('legacy'), TOFU_OPERATOR_REVISION: more });
    ok(next.result);
    assert.doesNotMatch(next.io.all(), /not encrypted yet/);
    assert.equal(next.result.summary?.text, 'No changes.');
  });

  it("keeps the code's own backend with FromCode: no override, no state through the runner API, the plan still stored", async () => {
    const { result, source } = await h.run('own-plan', { TOFU_OPERATOR_BACKEND: 'FromCode', ...owner('own') });
    ok(result);
    assert.ok(api.plans.has(`${NS}/own-plan`), 'the plan is stored');
    assert.deepEqual(
      h.byUser('own-plan').map((r) => `${r.method} ${r.path}`),
      [`PUT /plans/${NS}/own-plan`, `PUT /plans/${NS}/own-plan/diff`],
    );
    await assert.rejects(access(path.join(source, BACKEND_OVERRIDE_FILE)));
  });
});
