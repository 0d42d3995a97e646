// Issue 11 in the browser, against the real stack: a real plan with a sensitive value, its diff as the
// runner stored it, approval by a user with the `approve` verb, the apply's log live to the end. A user
// with every ordinary verb but not `approve` reviews the same plan and is offered no Approve button.
import { expect, test } from './fixtures.ts';
import { apply, kubectl, serveRepo, serviceAccountToken, waitFor } from './cluster.ts';
import { readEnv } from './env.ts';
import { ExecutionPage, ListPage, OwnerPage, screenshot } from './pages/pages.ts';

test.describe.configure({ mode: 'serial' });

const MODULE = 'reviewed';
/** The default of a sensitive variable: tofu masks it, so no page may ever show it. */
const SECRET = 'hunter2-never-on-a-page';
const MAIN_TF = `variable "secret" {
  type      = string
  sensitive = true
  default   = "${SECRET}"
}

resource "terraform_data" "greeting" {
  input = "hello, reviewer"
}

resource "terraform_data" "secret" {
  input = var.secret
}
`;

interface Pending {
  name: string;
  digest: string;
}

let approverToken = '';
let repoUrl = '';
let pending: Pending = { name: '', digest: '' };

function getJson<T>(ns: string, kind: string, name: string): T {
  return JSON.parse(kubectl(['get', kind, name, '-n', ns, '-o', 'json'])) as T;
}

test.beforeAll(async () => {
  const { namespace: ns } = readEnv();
  // Everything the editor has, plus the custom verb that approves plans.
  approverToken = serviceAccountToken(ns, 'approver', ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'approve']);
  repoUrl = serveRepo('dash-approval', { [`${MODULE}/main.tf`]: MAIN_TF });
  apply({
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuModule',
    metadata: { name: MODULE, namespace: ns },
    spec: { source: { repository: repoUrl, revision: 'main', workdir: MODULE }, executionTemplate: { activeDeadlineSeconds: 600 } },
  });
  // A created module plans by itself; its plan has changes, so it waits for approval.
  pending = await waitFor(
    'the module to name its plan waiting for approval',
    () => getJson<{ status?: { pendingPlan?: Pending } }>(ns, 'tofumodule', MODULE).status?.pendingPlan,
    170_000,
    1000,
  );
  const plan = getJson<{ status?: { plan?: { digest?: string } } }>(ns, 'tofuexecution', pending.name);
  expect(plan.status?.plan?.digest).toBe(pending.digest);
});

test('a user who may edit but not approve reviews the diff and is offered no Approve button', async ({ page, env, signIn }) => {
  await signIn(page, env.editorToken);
  await page.goto(`/ns/${env.namespace}/executions/${pending.name}`);
  const exec = new ExecutionPage(page);
  await expect(exec.review()).toHaveAttribute('data-state', 'waiting');
  await expect(exec.digest()).toHaveAttribute('data-value', pending.digest);
  await expect(exec.resource('terraform_data.greeting')).toBeVisible();
  await expect(exec.approveDenied()).toContainText(`may not approve tofuexecutions in ${env.namespace}`);
  await expect(exec.approveButton()).toHaveCount(0);
  await expect(exec.rejectButton()).toHaveCount(0);
  await screenshot(page, '20-plan-review-no-approve');

  // The API refuses it too: `edit`-like verbs do not imply approve.
  const forced = await fetch(`${env.apiURL}/api/v1/namespaces/${env.namespace}/executions/${pending.name}/approve`, {
    method: 'POST',
    headers: { authorization: `Bearer ${env.editorToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ planDigest: pending.digest }),
  });
  expect(forced.status).toBe(403);
});

test('review the diff of a real plan, approve it, and watch the apply live to Succeeded', async ({ page, env, signIn }) => {
  await signIn(page, approverToken);
  const modules = new ListPage(page, env.namespace, 'modules');
  await modules.goto();
  await expect(modules.row(MODULE).getByTestId('awaiting-approval')).toBeVisible();

  const module = new OwnerPage(page, env.namespace, 'modules', MODULE);
  await module.goto();
  await expect(module.pendingPlan()).toContainText(pending.name);
  await expect(module.setting('auto-apply')).toHaveText('off');
  await expect(module.setting('deletion-policy')).toHaveText('Orphan');
  await expect(module.setting('backend')).toHaveText('Operator');
  await screenshot(page, '21-module-awaiting-approval');
  await module.applyNow().click();
  await expect(page).toHaveURL(new RegExp(`/ns/${env.namespace}/executions/${pending.name}$`));

  // The plan as a per-resource diff, sensitive values masked as the runner stored them.
  const exec = new ExecutionPage(page);
  await expect(exec.reviewState()).toContainText('Waiting for approval');
  await expect(exec.digest()).toHaveAttribute('data-value', pending.digest);
  await expect(exec.commit()).toHaveAttribute('data-value', /^[0-9a-f]{40}$/);
  await expect(exec.tab('Changes')).toHaveAttribute('aria-selected', 'true');
  await expect(exec.resource('terraform_data.greeting').getByTestId('action')).toHaveAttribute('data-action', 'create');
  await expect(exec.attribute('terraform_data.greeting', 'input').getByTestId('after')).toHaveText('hello, reviewer');
  await expect(exec.resource('terraform_data.secret').getByTestId('action')).toHaveAttribute('data-action', 'create');
  await expect(exec.attribute('terraform_data.secret', 'input').getByTestId('after')).toHaveText('(sensitive value)');
  await expect(page.locator('body')).not.toContainText(SECRET);
  await screenshot(page, '22-plan-diff');

  // The raw log is one click away.
  await exec.tab('Log').click();
  await expect(exec.log()).toBeVisible();
  await expect(exec.log()).toContainText('Plan: 2 to add, 0 to change, 0 to destroy.');
  await expect(exec.diff()).toBeHidden();
  await exec.tab('Changes').click();
  await expect(exec.diff()).toBeVisible();

  // Approve names the digest in the dialog, then opens the apply and its live log.
  await exec.approve(pending.digest);
  await expect(page).toHaveURL(new RegExp(`/ns/${env.namespace}/executions/${pending.name}-apply$`));
  await expect(exec.action()).toHaveText('apply');
  await expect(exec.planRef()).toContainText(pending.name);
  await expect(exec.logLines().first()).toBeVisible({ timeout: 90_000 });
  await exec.waitForPhase('Succeeded');
  await expect(exec.logState()).toHaveAttribute('data-state', 'ended');
  await expect(exec.log()).toContainText('Apply complete! Resources: 2 added, 0 changed, 0 destroyed.');
  await expect(exec.applySummary()).toContainText('+2');
  await expect(page.locator('body')).not.toContainText(SECRET);
  await screenshot(page, '23-apply-succeeded');

  // The plan records the decision, and the module waits for nothing any more.
  await page.goto(`/ns/${env.namespace}/executions/${pending.name}`);
  await expect(exec.decision()).toHaveAttribute('data-state', 'Approved');
  await expect(exec.decision()).toContainText(`Approved by system:serviceaccount:${env.namespace}:approver`);
  await expect(exec.decision().getByTestId('apply-link')).toHaveText(`${pending.name}-apply`);
  await expect(exec.approveButton()).toHaveCount(0);
  await module.goto();
  await expect(module.pendingPlan()).toHaveCount(0);
  await expect(module.applyNow()).toHaveCount(0);
});

test('Destroy wants the name typed exactly, then opens the destroy plan of the applied module', async ({ page, env, signIn }) => {
  await signIn(page, approverToken);
  const module = new OwnerPage(page, env.namespace, 'modules', MODULE);
  await module.goto();
  await module.destroyButton().click();
  await expect(module.destroyDialog()).toBeVisible();
  await expect(module.destroyDialog()).toContainText('The plan waits for approval');
  await expect(module.destroyConfirm()).toBeDisabled();
  for (const wrong of [MODULE.slice(0, -1), `${MODULE} `, MODULE.toUpperCase()]) {
    await module.destroyTyped().fill(wrong);
    await expect(module.destroyConfirm()).toBeDisabled();
  }
  await module.destroyTyped().fill(MODULE);
  await expect(module.destroyConfirm()).toBeEnabled();
  await screenshot(page, '24-destroy-confirm');
  await module.destroyConfirm().click();

  await expect(page).toHaveURL(new RegExp(`/ns/${env.namespace}/executions/(?!${pending.name}(-apply)?$)[a-z0-9-]+$`));
  const name = new URL(page.url()).pathname.split('/').pop() ?? '';
  const plan = getJson<{ spec: { action: string; destroy?: boolean }; metadata: { annotations?: Record<string, string> } }>(
    env.namespace,
    'tofuexecution',
    name,
  );
  expect([plan.spec.action, plan.spec.destroy]).toEqual(['plan', true]);
  expect(plan.metadata.annotations?.['tofu-operator.io/trigger']).toMatch(/^destroy\/d/);
  const exec = new ExecutionPage(page);
  await expect(exec.action()).toHaveText('destroy plan');
  // The real destroy plan of the two applied resources, waiting for approval.
  await exec.waitForPhase('Succeeded');
  await expect(exec.reviewState()).toContainText('Waiting for approval');
  await expect(exec.resource('terraform_data.greeting').getByTestId('action')).toHaveAttribute('data-action', 'delete');
  await expect(exec.resource('terraform_data.secret').getByTestId('action')).toHaveAttribute('data-action', 'delete');
  // What tofu marks sensitive stays masked. (The module copies the secret into terraform_data's
  // `output`, which the provider computes and tofu stores unmarked: tofu itself prints it in any plan
  // that shows prior values, so this page is not checked for its absence.)
  await expect(exec.attribute('terraform_data.secret', 'input').getByTestId('before')).toHaveText('(sensitive value)');
  await screenshot(page, '25-destroy-plan');
});

test('reject: the plan is never applied and says who rejected it', async ({ page, env, signIn }) => {
  const name = 'rejected';
  apply({
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuModule',
    metadata: { name, namespace: env.namespace },
    spec: { source: { repository: repoUrl, revision: 'main', workdir: MODULE } },
  });
  const waiting = await waitFor(
    'the second module to name its waiting plan',
    () => getJson<{ status?: { pendingPlan?: Pending } }>(env.namespace, 'tofumodule', name).status?.pendingPlan,
    150_000,
    1000,
  );
  await signIn(page, approverToken);
  const module = new OwnerPage(page, env.namespace, 'modules', name);
  await module.goto();
  await module.pendingPlan().getByRole('link', { name: 'Review and approve' }).click();
  const exec = new ExecutionPage(page);
  await expect(exec.digest()).toHaveAttribute('data-value', waiting.digest);
  await exec.rejectButton().click();
  const dialog = page.getByRole('dialog', { name: /^Reject plan/ });
  await expect(dialog.getByTestId('dialog-digest')).toHaveText(waiting.digest);
  await dialog.getByTestId('reject-confirm').click();
  await expect(dialog).toBeHidden();
  await expect(exec.decision()).toHaveAttribute('data-state', 'Rejected');
  await expect(exec.decision()).toContainText(`Rejected by system:serviceaccount:${env.namespace}:approver`);
  await expect(exec.approveButton()).toHaveCount(0);
  await expect(exec.rejectButton()).toHaveCount(0);
  await module.goto();
  await expect(module.pendingPlan()).toHaveCount(0);
  expect(kubectl(['get', 'tofuexecution', `${waiting.name}-apply`, '-n', env.namespace, '--ignore-not-found', '-o', 'name']).trim()).toBe(
    '',
  );
});

test('without watch, the namespace says it refreshes instead of updating live', async ({ page, env, signIn }) => {
  const lister = serviceAccountToken(env.namespace, 'lister', ['get', 'list']);
  await signIn(page, lister);
  await page.goto(`/ns/${env.namespace}/modules`);
  await expect(page.getByTestId('watch-notice')).toHaveText(
    `Live updates unavailable: you may not watch tofumodules, tofustacks or tofuexecutions in ${env.namespace}; refreshing every 5 s.`,
  );
  await expect(new ListPage(page, env.namespace, 'modules').row(MODULE)).toBeVisible();
});
