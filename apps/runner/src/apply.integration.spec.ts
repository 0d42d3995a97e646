// The runner's plan, apply and destroy with the real tofu against an in-test runner API (the
// operator's protocol: OpenTofu's http backend for the state, PUT/GET for saved plans).
import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SENSITIVE_MASK, type PlanDiff } from '@tofu-operator/api-types';
import { BACKEND_OVERRIDE_FILE } from './backend.js';
import { ApplyHarness, assertFailed as failed, assertOk as ok, NS, sha256 } from './testing/apply-harness.js';

const SECRET = 's3cr3t-value-in-the-plan';

/** A module that declares its own (local) backend: the Operator backend must replace it. */
const moduleCode = (greeting: string) => `
terraform {
  backend "local" {
    path = "must-not-be-written.tfstate"
  }
}

variable "secret" {
  default   = "${SECRET}"
  sensitive = true
}

resource "terraform_data" "hello" {
  input = "${greeting}"
}

resource "terraform_data" "secret" {
  input = { token = var.secret, note = "plain" }
}

output "greeting" {
  value = terraform_data.hello.output
}
`;

describe('runner: plan, apply and destroy against the runner API (real tofu)', { timeout: 300_000 }, () => {
  const h = new ApplyHarness();
  const api = h.api;
  let hello: string;
  let bonjour: string;

  before(async () => {
    await h.start();
    hello = await h.repo.commit({ 'main.tf': moduleCode('hello') }, 'hello');
    bonjour = await h.repo.commit({ 'main.tf': moduleCode('bonjour') }, 'bonjour');
  });
  after(() => h.stop());

  const plan = (name: string, vars: Record<string, string> = {}) => h.run(name, vars);

  it('plans against the operator’s state and stores the plan byte for byte, with its digest and a masked diff', async () => {
    const { result, io, source } = await plan('web-plan-1', { TOFU_OPERATOR_REVISION: 'main' });
    ok(result);
    const stored = api.plans.get(`${NS}/web-plan-1`);
    assert.ok(stored, 'the plan is stored');
    assert.deepEqual(result, {
      v: 1,
      ok: true,
      summary: { add: 2, change: 0, destroy: 0, hasChanges: true, text: 'Plan: 2 to add, 0 to change, 0 to destroy.' },
      commit: bonjour,
      planDigest: sha256(stored),
    });
    assert.ok(stored.subarray(0, 2).equals(Buffer.from('PK')), 'a tofu plan file (zip)');
    assert.ok(!stored.includes(api.tokens.get('web-plan-1') ?? '?'), 'the plan file holds no token');
    // tofu read and locked the stack's state through the http backend, as this execution.
    const state = h.byUser('web-plan-1').filter((r) => r.path === `/state/${NS}/stack/web`);
    assert.deepEqual([...new Set(state.map((r) => r.method))].sort(), ['GET', 'LOCK', 'UNLOCK']);
    await access(path.join(source, BACKEND_OVERRIDE_FILE));
    await assert.rejects(access(path.join(source, 'must-not-be-written.tfstate')));
    assert.match(io.all(), /==> state: stack web, kept by the operator/);
    assert.match(io.all(), new RegExp(`==> plan saved: ${sha256(stored)}`));

    const diff = JSON.parse(api.plans.get(`${NS}/web-plan-1/diff`)?.toString('utf8') ?? '{}') as PlanDiff;
    assert.deepEqual(
      diff.resources.map((r) => [r.address, r.actions]),
      [
        ['terraform_data.hello', ['create']],
        ['terraform_data.secret', ['create']],
      ],
    );
    const input = diff.resources[1]?.attributes.find((a) => a.name === 'input');
    assert.deepEqual(input?.after, { note: 'plain', token: SENSITIVE_MASK });
    assert.ok(!JSON.stringify(diff).includes(SECRET), 'the sensitive value is masked in the diff');
  });

  it('applies the approved plan: the state changes, and the next plan finds nothing to do', async () => {
    const { result, io } = await h.apply('web-plan-1-apply', 'web-plan-1', bonjour);
    ok(result);
    assert.deepEqual(result.apply, { add: 2, change: 0, destroy: 0, text: 'Apply complete! Resources: 2 added, 0 changed, 0 destroyed.' });
    assert.equal(result.commit, bonjour);
    assert.deepEqual(h.resources(), ['hello', 'secret']);
    assert.match(io.all(), /==> plan web-plan-1 is sha256:[0-9a-f]{64}, as approved\n[\s\S]*==> tofu apply web-plan-1/);
    const next = await plan('web-plan-2');
    ok(next.result);
    assert.deepEqual(next.result.summary, { add: 0, change: 0, destroy: 0, hasChanges: false, text: 'No changes.' });
  });

  it('refuses a plan whose bytes are not the approved digest, before tofu or git run', async () => {
    ok((await plan('web-plan-3', { TOFU_OPERATOR_REVISION: hello })).result);
    const key = `${NS}/web-plan-3`;
    const original = api.plans.get(key) ?? Buffer.alloc(0);
    const approved = sha256(original);
    const before = api.states.get(`${NS}/stack/web`);
    api.plans.set(key, Buffer.concat([original, Buffer.from('tampered')]));
    try {
      const { result, io } = await h.run('web-plan-3-apply', {
        TOFU_OPERATOR_ACTION: 'apply',
        TOFU_OPERATOR_REVISION: hello,
        TOFU_OPERATOR_PLAN_NAME: 'web-plan-3',
        TOFU_OPERATOR_PLAN_DIGEST: approved,
      });
      failed(result, 'PlanDigestMismatch', new RegExp(`not the approved ${approved}`));
      assert.deepEqual(
        h.byUser('web-plan-3-apply').map((r) => `${r.method} ${r.path}`),
        [`GET /plans/${NS}/web-plan-3`],
        'only the plan was fetched: the state was never touched',
      );
      assert.doesNotMatch(io.all(), /==> cloning|==> tofu/);
      assert.ok(api.states.get(`${NS}/stack/web`)?.equals(before ?? Buffer.alloc(0)), 'the state is unchanged');
    } finally {
      api.plans.set(key, original);
    }
  });

  it('fails a plan made before the state changed with PlanStale', async () => {
    // web-plan-3 (back to "hello") was planned before web-plan-4 is applied.
    ok((await plan('web-plan-4', { TOFU_OPERATOR_REVISION: hello })).result);
    ok((await h.apply('web-plan-4-apply', 'web-plan-4', hello)).result);
    const stale = await h.apply('web-plan-3-apply-2', 'web-plan-3', hello);
    failed(stale.result, 'PlanStale', /Saved plan is stale/);
    assert.equal(stale.result.commit, hello);
  });

  it('plans a destroy and applies it: the state is empty', async () => {
    const destroyPlan = await plan('web-destroy', { TOFU_OPERATOR_DESTROY: 'true' });
    ok(destroyPlan.result);
    assert.equal(destroyPlan.result.summary?.text, 'Plan: 0 to add, 0 to change, 2 to destroy.');
    assert.match(destroyPlan.io.all(), /==> tofu plan -destroy/);
    const diff = JSON.parse(api.plans.get(`${NS}/web-destroy/diff`)?.toString('utf8') ?? '{}') as PlanDiff;
    assert.deepEqual(
      diff.resources.map((r) => r.actions),
      [['delete'], ['delete']],
    );
    const { result } = await h.apply('web-destroy-apply', 'web-destroy', bonjour, { TOFU_OPERATOR_ACTION: 'destroy' });
    ok(result);
    assert.deepEqual(result.apply, { add: 0, change: 0, destroy: 2, text: 'Apply complete! Resources: 0 added, 0 changed, 2 destroyed.' });
    assert.deepEqual(h.resources(), []);
  });
});
