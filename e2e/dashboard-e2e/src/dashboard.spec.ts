// The dashboard end to end in Chromium, against the real stack: real tokens, the real operator,
// real plans in runner pods on the local node. Nothing is mocked.
import { expect, test } from './fixtures.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { kubectl, outputDir, SAMPLES_REPO, waitFor } from './cluster.ts';
import { ExecutionPage, ListPage, OwnerPage, ResourceFormPage, screenshot, SignInPage } from './pages/pages.ts';
import { killService } from './processes.ts';

test.describe.configure({ mode: 'serial' });

const MODULE = 'hello';
const STACK = 'hello-dev';
const BROKEN = 'broken';

test('sign-in: a wrong token is refused, a real one opens the namespace', async ({ page, env }) => {
  const signIn = new SignInPage(page);
  await page.goto(`/ns/${env.namespace}`);
  // The requested page rides along (issue 17); signing in opens it.
  await expect(page).toHaveURL(new RegExp(`/sign-in\\?next=%2Fns%2F${env.namespace}$`));
  await screenshot(page, '01-sign-in');
  await signIn.signIn('not-a-token');
  await expect(signIn.error()).toContainText('did not accept');

  await signIn.signIn(env.editorToken);
  await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
  // The only namespace the token may see opens by itself.
  await expect(page).toHaveURL(new RegExp(`/ns/${env.namespace}$`));
  await expect(page.getByRole('heading', { name: /Overview/ })).toBeVisible();
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'live');

  // The token is in an http-only cookie, never in storage the page can read.
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === 'tofu_session');
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe('Strict');
  expect(await page.evaluate(() => document.cookie)).not.toContain(env.editorToken.slice(0, 20));
  expect(await page.evaluate(() => JSON.stringify(localStorage))).not.toContain(env.editorToken.slice(0, 20));
  await screenshot(page, '02-overview');
});

test('create a module and a stack through the forms; they plan and succeed', async ({ page, env, signIn }) => {
  await signIn(page, env.editorToken);
  const modules = new ListPage(page, env.namespace, 'modules');
  await modules.goto();
  await modules.create().click();
  const form = new ResourceFormPage(page);
  // Client-side validation, from the CRD's rules, next to the fields.
  await form.fill({ Name: 'Not_Valid', 'Git repository': 'ftp://nope' });
  await form.submit();
  await expect(form.error('metadata.name')).toBeVisible();
  await expect(form.error('spec.source.repository')).toContainText('git://');
  await screenshot(page, '03-module-form-errors');

  await form.fill({
    Name: MODULE,
    'Git repository': SAMPLES_REPO,
    Revision: 'main',
    'Working directory': 'hello',
    'Deadline (seconds)': '600',
  });
  await form.submit();
  const module = new OwnerPage(page, env.namespace, 'modules', MODULE);
  await expect(page).toHaveURL(new RegExp(`/modules/${MODULE}$`));
  await expect(module.title()).toHaveText(MODULE);
  // Created modules plan by themselves; the page follows the run live.
  await expect(module.phase()).toContainText('Succeeded', { timeout: 150_000 });
  await expect(module.history()).toContainText('Plan: 2 to add, 0 to change, 0 to destroy.');
  await screenshot(page, '04-module');

  await page.goto(`/ns/${env.namespace}/stacks/new`);
  // The stack overrides the module's variable (an env override would need the right to create Jobs:
  // the admission policy of docs/adr/0008 gates a stack's env).
  await form.fill({ Name: STACK, Module: MODULE });
  const vars = page.getByTestId('variables');
  await vars.getByRole('button', { name: 'Add variable' }).click();
  await vars.getByLabel('Variable 1 name').fill('greeting');
  await vars.getByLabel('Variable 1 type').selectOption('string');
  await vars.getByLabel('Variable 1 value').fill('hello from the dashboard');
  await form.submit();
  const stack = new OwnerPage(page, env.namespace, 'stacks', STACK);
  await expect(page).toHaveURL(new RegExp(`/stacks/${STACK}$`));
  await expect(stack.phase()).toContainText('Succeeded', { timeout: 150_000 });

  const stacks = new ListPage(page, env.namespace, 'stacks');
  await stacks.goto();
  await expect(stacks.row(STACK)).toContainText('Succeeded');
  await expect(stacks.row(STACK)).toContainText(MODULE);
  await screenshot(page, '05-stacks');
});

test('Plan: the log arrives live and the execution succeeds with the counts', async ({ page, env, signIn }) => {
  await signIn(page, env.editorToken);
  const module = new OwnerPage(page, env.namespace, 'modules', MODULE);
  await module.goto();
  await expect(module.phase()).toContainText('Succeeded');
  await module.plan();
  await expect(page).toHaveURL(new RegExp(`/ns/${env.namespace}/executions/${MODULE}-`));
  const exec = new ExecutionPage(page);
  // Lines appear while the run is in progress, not only at its end.
  await expect(exec.logLines().first()).toBeVisible({ timeout: 60_000 });
  await exec.waitForPhase('Succeeded');
  await expect(exec.summary()).toContainText('+2');
  await expect(exec.summary()).toContainText('~0');
  await expect(exec.summary()).toContainText('-0');
  await expect(exec.logState()).toHaveAttribute('data-state', 'ended');
  await expect(exec.log()).toContainText('Plan: 2 to add, 0 to change, 0 to destroy.');
  await expect(exec.started()).not.toHaveText('—');
  await expect(exec.finished()).not.toHaveText('—');
  // ANSI colours became styled spans, no escape codes are left in the text.
  expect(await exec.log().innerText()).not.toContain('\u001b[');
  await screenshot(page, '06-execution-succeeded');

  // The runner pod gone, the log is still there (the operator's log store).
  const name = new URL(page.url()).pathname.split('/').pop()!;
  kubectl(['delete', 'pod', '-n', env.namespace, '-l', `tofu-operator.io/execution=${name}`, '--wait=true']);
  expect(kubectl(['get', 'pods', '-n', env.namespace, '-l', `tofu-operator.io/execution=${name}`, '-o', 'name']).trim()).toBe('');
  await page.reload();
  await expect(exec.logState()).toHaveAttribute('data-state', 'ended');
  await expect(exec.log()).toContainText('Plan: 2 to add, 0 to change, 0 to destroy.');
  await expect(exec.summary()).toContainText('+2');

  const executions = new ListPage(page, env.namespace, 'executions');
  await executions.goto();
  await expect(executions.search()).toBeVisible();
  await screenshot(page, '07-executions');
});

test('a failed plan shows its message and category', async ({ page, env, signIn }) => {
  await signIn(page, env.editorToken);
  await page.goto(`/ns/${env.namespace}/modules/new`);
  const form = new ResourceFormPage(page);
  await form.fill({ Name: BROKEN, 'Git repository': SAMPLES_REPO, Revision: 'main', 'Working directory': 'no-such-dir' });
  await form.submit();
  const module = new OwnerPage(page, env.namespace, 'modules', BROKEN);
  await expect(module.phase()).toContainText('Failed', { timeout: 150_000 });
  await page.getByRole('region', { name: 'Last execution' }).getByRole('link').first().click();
  const exec = new ExecutionPage(page);
  await exec.waitForPhase('Failed');
  await expect(exec.failure()).toBeVisible();
  await expect(exec.failureMessage()).toContainText('no-such-dir');
  await screenshot(page, '08-execution-failed');

  await page.goto(`/ns/${env.namespace}`);
  await expect(page.getByTestId('failures')).toContainText('no-such-dir');
});

test('a read-only user sees no Plan or Destroy button and gets 403 when forcing a plan', async ({ page, env, signIn }) => {
  await signIn(page, env.viewerToken);
  const module = new OwnerPage(page, env.namespace, 'modules', MODULE);
  await module.goto();
  await expect(module.title()).toHaveText(MODULE);
  await expect(page.getByText(/Plan is not offered: your token may not patch tofumodules/)).toBeVisible();
  await expect(module.planButton()).toHaveCount(0);
  await expect(module.destroyButton()).toHaveCount(0);
  const modules = new ListPage(page, env.namespace, 'modules');
  await modules.goto();
  await expect(page.getByTestId('create-disabled')).toBeVisible();
  await screenshot(page, '09-read-only');

  // Forcing it through the dashboard (same origin, the user's own cookie): the API says no.
  const res = await page.request.post(`/api/v1/namespaces/${env.namespace}/modules/${MODULE}/plan`, { headers: { origin: env.baseURL } });
  expect(res.status()).toBe(403);
  expect(((await res.json()) as { reason: string }).reason).toBe('Forbidden');
  // A forged cross-site request is refused by the dashboard before it reaches the API.
  const csrf = await page.request.post(`/api/v1/namespaces/${env.namespace}/modules/${MODULE}/plan`, {
    headers: { origin: 'http://evil.example' },
  });
  expect(csrf.status()).toBe(403);
});

test('reload mid-run: the log continues without duplicates', async ({ page, env, signIn }) => {
  await signIn(page, env.editorToken);
  const stack = new OwnerPage(page, env.namespace, 'stacks', STACK);
  await stack.goto();
  await expect(stack.phase()).toContainText('Succeeded');
  await stack.plan();
  await expect(page).toHaveURL(new RegExp(`/executions/${STACK}-`));
  const exec = new ExecutionPage(page);
  await expect(exec.logLines().first()).toBeVisible({ timeout: 60_000 });
  await page.reload();
  await exec.waitForPhase('Succeeded');
  await expect(exec.logState()).toHaveAttribute('data-state', 'ended');
  const shown = await exec
    .log()
    .locator('.log-line')
    .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq'))));
  expect(shown.length).toBeGreaterThan(3);
  expect(shown).toEqual(shown.map((_, i) => i)); // each line once, in order
  // The same lines as the API's own text of the log.
  const name = new URL(page.url()).pathname.split('/').pop()!;
  const text = await (await page.request.get(`/api/v1/namespaces/${env.namespace}/executions/${name}/logs`)).text();
  const apiLines = text.replace(/\n$/, '').split('\n');
  expect(shown.length).toBe(apiLines.length);
  await expect(exec.log()).toContainText('hello from the dashboard');
});

test('a network drop shows "reconnecting", then the page catches up without duplicates', async ({ page, env, signIn }) => {
  let blocked = false;
  const drop: (() => void)[] = [];
  // Every socket.io connection of the page goes through here; while blocked, none gets through.
  await page.routeWebSocket(/\/api\/socket\.io\//, (ws) => {
    if (blocked) return ws.close();
    ws.connectToServer();
    drop.push(() => void ws.close());
  });
  await page.route(/\/api\/socket\.io\//, (route) => (blocked ? route.abort('internetdisconnected') : route.continue()));
  await signIn(page, env.editorToken);
  const module = new OwnerPage(page, env.namespace, 'modules', MODULE);
  await module.goto();
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'live');
  await module.plan();
  const exec = new ExecutionPage(page);
  await expect(exec.logLines().first()).toBeVisible({ timeout: 60_000 });

  blocked = true;
  for (const close of drop.splice(0)) close();
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'reconnecting');
  await screenshot(page, '10-reconnecting');
  await page.waitForTimeout(3000); // the run goes on meanwhile
  blocked = false;
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'live', { timeout: 30_000 });
  await exec.waitForPhase('Succeeded');
  await expect(exec.logState()).toHaveAttribute('data-state', 'ended');
  const shown = await exec
    .log()
    .locator('.log-line')
    .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq'))));
  expect(shown).toEqual(shown.map((_, i) => i));
  await expect(exec.log()).toContainText('Plan: 2 to add, 0 to change, 0 to destroy.');
});

test('without websockets or polling the page falls back to the HTTP log stream', async ({ page, env, signIn }) => {
  await page.routeWebSocket(/\/api\/socket\.io\//, (ws) => ws.close());
  await page.route(/\/api\/socket\.io\//, (route) => route.abort('connectionrefused'));
  await signIn(page, env.editorToken);
  await page.emulateMedia({ colorScheme: 'dark' });
  const stack = new OwnerPage(page, env.namespace, 'stacks', STACK);
  await stack.goto();
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'unavailable', { timeout: 30_000 });
  await expect(stack.phase()).toContainText('Succeeded');
  await stack.plan();
  const exec = new ExecutionPage(page);
  await expect(exec.logState()).toContainText('over HTTP');
  await expect(exec.logLines().first()).toBeVisible({ timeout: 60_000 });
  // The phase is re-read over HTTP while live updates are unavailable.
  await exec.waitForPhase('Succeeded');
  await expect(exec.logState()).toHaveAttribute('data-state', 'ended', { timeout: 30_000 });
  await expect(exec.log()).toContainText('Plan: 2 to add, 0 to change, 0 to destroy.');
  const shown = await exec
    .log()
    .locator('.log-line')
    .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq'))));
  expect(shown).toEqual(shown.map((_, i) => i));
  await screenshot(page, '11-http-fallback-dark');
});

test('edit fixes the failing module, a taken name is refused next to its field, delete asks first', async ({ page, env, signIn }) => {
  await signIn(page, env.editorToken);
  // The API's own answer (409 AlreadyExists) lands next to the name field.
  await page.goto(`/ns/${env.namespace}/modules/new`);
  const form = new ResourceFormPage(page);
  await form.fill({ Name: MODULE, 'Git repository': SAMPLES_REPO, 'Working directory': 'hello' });
  await form.submit();
  await expect(form.error('metadata.name')).toContainText('already exists');

  const broken = new OwnerPage(page, env.namespace, 'modules', BROKEN);
  await broken.goto();
  await expect(broken.phase()).toContainText('Failed');
  await page.getByRole('link', { name: 'Edit' }).click();
  await expect(form.field('Working directory')).toHaveValue('no-such-dir');
  await form.fill({ 'Working directory': 'hello' });
  await form.submit();
  await expect(page).toHaveURL(new RegExp(`/modules/${BROKEN}$`));
  // The spec change plans again, and now it succeeds.
  await expect(broken.phase()).toContainText('Succeeded', { timeout: 150_000 });
  await expect(page.getByRole('region', { name: 'Spec' })).toContainText('hello');

  // Keyboard only: Tab reaches Delete, the dialog wants the name typed.
  const del = page.getByRole('button', { name: 'Delete' });
  for (let i = 0; i < 40 && !(await del.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
  await expect(del).toBeFocused();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Delete' })).toBeDisabled();
  await screenshot(page, '13-delete-confirm');
  await dialog.getByRole('textbox').fill(BROKEN);
  await dialog.getByRole('button', { name: 'Delete' }).click();
  const modules = new ListPage(page, env.namespace, 'modules');
  await expect(page).toHaveURL(new RegExp(`/ns/${env.namespace}/modules$`));
  await expect(modules.row(MODULE)).toBeVisible();
  await expect(modules.row(BROKEN)).toHaveCount(0);
});

test('the operator restarts: the page shows "reconnecting", then lists are live again', async ({ page, env, signIn }) => {
  await signIn(page, env.editorToken);
  const modules = new ListPage(page, env.namespace, 'modules');
  await modules.goto();
  await expect(modules.row(MODULE)).toBeVisible();
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'live');
  const pidFile = join(outputDir, 'operator.pid');
  const pid = killService('operator', 'SIGTERM'); // global-setup starts it again, as a Deployment would
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'reconnecting', { timeout: 30_000 });
  await waitFor('the operator to run again', () => Number(readFileSync(pidFile, 'utf8')) !== pid, 30_000);
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'live', { timeout: 60_000 });
  // Live again: a module created elsewhere (kubectl) appears without a reload.
  kubectl(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuModule',
      metadata: { name: 'after-restart', namespace: env.namespace },
      spec: { source: { repository: SAMPLES_REPO, revision: 'main', workdir: 'hello' } },
    }),
  );
  await expect(modules.row('after-restart')).toBeVisible({ timeout: 30_000 });
  await expect(modules.row('after-restart')).toContainText('Succeeded', { timeout: 150_000 });
});
