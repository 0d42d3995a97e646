// Issue 17's "Also" list in the browser, against the real stack: breadcrumbs on object pages, the
// namespace switch keeping the section, Enter signing in, the confirmation after a create, save and
// delete, Plan disabled while a run is in progress, the read-only YAML with Copy, no Apply/Destroy
// for a stranded stack, and step durations on the run page (from the times on the runner's markers).
import { createServer, type Server, type Socket } from 'node:net';
import type { Locator, Page } from '@playwright/test';
import { parse } from 'yaml';
import { expect, test, signOut } from './fixtures.ts';
import { apply, kubectl, serveRepo, serviceAccountToken, waitFor } from './cluster.ts';
import { readEnv } from './env.ts';
import { ExecutionPage, OwnerPage, ResourceFormPage, SignInPage, screenshot } from './pages/pages.ts';

test.describe.configure({ mode: 'serial' });

/** Plans with no changes and ends by itself; its stack too. */
const MOD = 'ex-mod';
const STACK = 'ex-stack';
/** Has a resource to create, so its stack's plan waits for approval; deleted under that stack. */
const GONE = 'ex-gone';
const STRANDED = 'ex-stranded';
/** Made and deleted through the dashboard's form. */
const MADE = 'ex-made';
/** Its plan waits in `tofu init` for a git server that never answers, until the module is deleted. */
const STALLED = 'ex-stalled';

/** `duration()` of lib/format.ts: 850ms, 12s, 1m 05s, 1h 02m. */
const DURATION = /^(\d+ms|\d+s|\d+m \d{2}s|\d+h \d{2}m)$/;

interface Obj {
  metadata: { name: string; uid?: string; annotations?: Record<string, string> };
  spec?: unknown;
  status?: {
    phase?: string;
    podName?: string;
    lastExecution?: { name?: string };
    pendingPlan?: { name?: string };
    conditions?: { type: string; reason?: string }[];
  };
}

let repo = '';
let madeRepo = '';

function get(kind: string, name: string): Obj | undefined {
  const out = kubectl(['get', kind, name, '-n', readEnv().namespace, '-o', 'json', '--ignore-not-found']);
  return out.trim() ? (JSON.parse(out) as Obj) : undefined;
}

function runsOf(label: string, name: string): Obj[] {
  const list = JSON.parse(
    kubectl(['get', 'tofuexecution', '-n', readEnv().namespace, '-l', `tofu-operator.io/${label}=${name}`, '-o', 'json']),
  ) as { items: Obj[] };
  return list.items;
}

function module(name: string, workdir: string, source = repo) {
  apply({
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuModule',
    metadata: { name, namespace: readEnv().namespace },
    spec: { source: { repository: source, revision: 'main', workdir }, executionTemplate: { activeDeadlineSeconds: 600 } },
  });
}

function stack(name: string, moduleName: string) {
  apply({
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuStack',
    metadata: { name, namespace: readEnv().namespace },
    spec: { moduleRef: { name: moduleName } },
  });
}

/** The breadcrumb trail of the page: its items' texts. */
const breadcrumbs = (page: Page): Locator => page.getByRole('navigation', { name: 'Breadcrumb' });

test.beforeAll(async () => {
  repo = serveRepo('dash-extras', {
    'quiet/main.tf': 'terraform {}\n',
    'changes/main.tf': 'resource "terraform_data" "one" {\n  input = "one"\n}\n',
  });
  madeRepo = serveRepo('dash-extras-made', { 'main.tf': 'terraform {}\n' });
  module(MOD, 'quiet');
  stack(STACK, MOD);
  module(GONE, 'changes');
  stack(STRANDED, GONE);
  await waitFor(
    'the module and its stack to finish their first plans',
    () => [get('tofumodule', MOD), get('tofustack', STACK)].every((o) => o?.status?.phase === 'Succeeded'),
    170_000,
    1000,
  );
});

test.afterAll(() => {
  const ns = readEnv().namespace;
  kubectl(['delete', 'tofustack', STACK, STRANDED, '-n', ns, '--ignore-not-found', '--wait=false']);
  kubectl(['delete', 'tofumodule', MOD, GONE, MADE, STALLED, '-n', ns, '--ignore-not-found', '--wait=false']);
});

test('Enter in the token field signs in', async ({ page, env }) => {
  const signIn = new SignInPage(page);
  await signIn.goto();
  await signIn.token().fill(env.viewerToken);
  await signIn.token().press('Enter');
  await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
  await expect(page.locator('h1')).toBeVisible();
  // Shift+Enter is still a line break in the field, not a submit.
  await signOut(page);
  await signIn.goto();
  await signIn.token().fill('x');
  await signIn.token().press('Shift+Enter');
  await expect(signIn.token()).toHaveValue('x\n');
  await expect(page).toHaveURL(/\/sign-in/);
});

test('object pages have breadcrumbs: namespace › kind › name, a run through its owner; the page itself is aria-current', async ({
  page,
  env,
  signIn,
}) => {
  const ns = env.namespace;
  await signIn(page, env.viewerToken);
  await new OwnerPage(page, ns, 'modules', MOD).goto();
  const trail = breadcrumbs(page);
  await expect(trail.getByRole('listitem')).toHaveText([ns, 'Modules', MOD]);
  await expect(trail.getByRole('link')).toHaveText([ns, 'Modules']);
  await expect(trail.getByRole('link', { name: 'Modules' })).toHaveAttribute('href', `/ns/${ns}/modules`);
  await expect(trail.locator('[aria-current="page"]')).toHaveText(MOD);

  await new OwnerPage(page, ns, 'stacks', STACK).goto();
  await expect(trail.getByRole('listitem')).toHaveText([ns, 'Stacks', STACK]);
  const run = get('tofustack', STACK)?.status?.lastExecution?.name ?? '';
  expect(run, 'the stack has a run').toBeTruthy();
  await page.goto(`/ns/${ns}/executions/${run}`);
  await expect(trail.getByRole('listitem')).toHaveText([ns, 'Stacks', STACK, run]);
  await expect(trail.locator('[aria-current="page"]')).toHaveText(run);
  await screenshot(page, 'extras-breadcrumbs');
  // Up to the owner, then the namespace's overview.
  await trail.getByRole('link', { name: STACK }).click();
  await page.waitForURL((u) => u.pathname === `/ns/${ns}/stacks/${STACK}`);
  await trail.getByRole('link', { name: ns }).click();
  await page.waitForURL((u) => u.pathname === `/ns/${ns}`);
});

test('switching the namespace keeps the section: a list stays that list (with its query), an object page opens its list', async ({
  page,
  env,
  signIn,
}) => {
  const ns = env.namespace;
  // The e2e operator watches one namespace, so the API lists only that one; the switch is offered a
  // second name here (added to the API's real answer). Its pages are the "namespace not found" page.
  const other = 'ex-other';
  await page.route('**/api/v1/namespaces', async (route) => {
    const res = await route.fetch();
    const body = (await res.json()) as { items: { name: string }[] };
    await route.fulfill({ response: res, json: { items: [...body.items, { name: other }] } });
  });
  await signIn(page, env.viewerToken);
  const sw = page.getByTestId('namespace-switch');
  const cases: [string, (u: URL) => boolean][] = [
    [`/ns/${ns}/stacks?q=ex`, (u) => u.pathname === `/ns/${other}/stacks` && u.search === '?q=ex'],
    [`/ns/${ns}/modules/${MOD}`, (u) => u.pathname === `/ns/${other}/modules` && u.search === ''],
    [`/ns/${ns}/queue`, (u) => u.pathname === `/ns/${other}/queue`],
    [`/ns/${ns}`, (u) => u.pathname === `/ns/${other}`],
  ];
  for (const [from, want] of cases) {
    await page.goto(from);
    await expect(sw.locator('option', { hasText: other })).toHaveCount(1);
    await sw.selectOption(other);
    await page.waitForURL(want);
  }
});

test('a create, a save and a delete each end with a short confirmation in a polite live region', async ({ page, env, signIn }) => {
  const ns = env.namespace;
  await signIn(page, env.editorToken);
  await page.goto(`/ns/${ns}/modules/new`);
  const form = new ResourceFormPage(page);
  await form.fill({ Name: MADE, 'Git repository': madeRepo });
  await form.submit();
  await page.waitForURL((u) => u.pathname === `/ns/${ns}/modules/${MADE}`);
  const toast = page.getByTestId('toast');
  await expect(toast).toContainText(`Module ${MADE} created`);
  const region = page.locator('.toast-region');
  await expect(region).toHaveAttribute('role', 'status');
  await expect(region).toHaveAttribute('aria-live', 'polite');
  await screenshot(page, 'extras-toast-created');

  await page.getByRole('link', { name: 'Edit', exact: true }).click();
  await page.waitForURL((u) => u.pathname === `/ns/${ns}/modules/${MADE}/edit`);
  await form.fill({ Revision: 'main' });
  await form.submit();
  await page.waitForURL((u) => u.pathname === `/ns/${ns}/modules/${MADE}`);
  await expect(toast).toContainText(`Module ${MADE} saved`);
  await waitFor(
    'the saved revision',
    () => (get('tofumodule', MADE)?.spec as { source?: { revision?: string } }).source?.revision === 'main',
  );

  await page.getByTestId('del').click();
  const dialog = page.getByTestId('del-dialog');
  await dialog.getByTestId('del-typed').fill(MADE);
  await dialog.getByTestId('del-confirm').click();
  await page.waitForURL((u) => u.pathname === `/ns/${ns}/modules`);
  await expect(toast).toContainText(`Module ${MADE} deleted`);
  // It goes away by itself.
  await expect(toast).toHaveCount(0, { timeout: 20_000 });
});

test('a running plan: Plan is disabled with the reason, the run page counts "running for …" of the current step', async ({
  page,
  env,
  signIn,
}) => {
  const ns = env.namespace;
  const held: Socket[] = [];
  const stall: Server = createServer((socket) => held.push(socket));
  await new Promise<void>((resolve) => stall.listen(0, '0.0.0.0', resolve));
  const port = (stall.address() as { port: number }).port;
  const slowRepo = serveRepo('dash-extras-stalled', {
    'slow/main.tf': `module "stalled" {\n  source = "git::https://10.88.0.1:${port}/never.git"\n}\n`,
  });
  module(STALLED, 'slow', slowRepo);
  try {
    const running = await waitFor(
      'the stalled plan to run in its pod',
      () => runsOf('module', STALLED).find((e) => e.status?.phase === 'Running' && e.status.podName),
      120_000,
      1000,
    );
    const name = running.metadata.name;
    await signIn(page, env.editorToken);
    const mod = new OwnerPage(page, ns, 'modules', STALLED);
    await mod.goto();
    await expect(mod.planButton()).toBeDisabled();
    await expect(page.getByTestId('plan-blocked')).toHaveText(`A run is in progress: ${name}`);
    await expect(mod.planButton()).toHaveAccessibleDescription(`A run is in progress: ${name}`);

    await page.goto(`/ns/${ns}/executions/${name}`);
    const init = page.getByTestId('run-step-init');
    await expect(init).toHaveAttribute('data-state', 'running', { timeout: 60_000 });
    const took = page.getByTestId('run-step-init-duration');
    await expect(took).toHaveText(/^running for (\d+ms|\d+s|\d+m \d{2}s)$/);
    // It counts on while the step runs.
    const first = await took.textContent();
    await expect(took).not.toHaveText(first ?? '');
    await expect(page.getByTestId('run-step-clone-duration')).toHaveText(DURATION);
    await screenshot(page, 'extras-running-step');
  } finally {
    kubectl(['delete', 'tofumodule', STALLED, '-n', ns, '--ignore-not-found', '--wait=false']);
    for (const socket of held) socket.destroy();
    stall.close();
  }
});

test("a finished run's steps show their durations", async ({ page, env, signIn }) => {
  const ns = env.namespace;
  const run = runsOf('module', MOD).find((e) => e.status?.phase === 'Succeeded');
  expect(run, 'the module has a finished run').toBeTruthy();
  await signIn(page, env.viewerToken);
  await page.goto(`/ns/${ns}/executions/${run!.metadata.name}`);
  await new ExecutionPage(page).waitForPhase('Succeeded');
  for (const step of ['clone', 'init', 'plan']) {
    await expect(page.getByTestId(`run-step-${step}`)).toHaveAttribute('data-state', 'done');
    await expect(page.getByTestId(`run-step-${step}-duration`), step).toHaveText(DURATION);
  }
  // The marker's time is not repeated in the step's line.
  await expect(page.getByTestId('run-step-init').locator('code')).toHaveText('tofu init');
  await screenshot(page, 'extras-step-durations');
});

test('every object page has a read-only YAML view of the object as the API returns it, without managedFields, and Copy', async ({
  page,
  env,
  signIn,
}) => {
  const ns = env.namespace;
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.baseURL });
  await signIn(page, env.viewerToken);
  const run = get('tofumodule', MOD)?.status?.lastExecution?.name ?? '';
  const pages: [string, string, string][] = [
    ['tofumodule', MOD, `/ns/${ns}/modules/${MOD}`],
    ['tofustack', STACK, `/ns/${ns}/stacks/${STACK}`],
    ['tofuexecution', run, `/ns/${ns}/executions/${run}`],
  ];
  for (const [kind, name, path] of pages) {
    await page.goto(path);
    const card = page.getByTestId('yaml');
    await card.locator('summary').click();
    const text = page.getByTestId('yaml-text');
    await expect(text).toContainText(`name: ${name}`);
    const shown = parse((await text.textContent()) ?? '') as Obj & { kind?: string; metadata: { managedFields?: unknown } };
    const real = get(kind, name);
    expect(shown.metadata.uid, `${kind} ${name}`).toBe(real?.metadata.uid);
    expect(shown.metadata.managedFields, 'managedFields are left out').toBeUndefined();
    expect(shown.spec).toEqual(real?.spec);
    await card.getByTestId('yaml-copy').click();
    await expect(card.getByTestId('yaml-copy')).toHaveText('Copied');
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(await text.textContent());
    // Read-only: no field to type in.
    await expect(card.locator('textarea, input')).toHaveCount(0);
  }
  await screenshot(page, 'extras-yaml');
});

test('a stranded stack (its module deleted) offers no Apply or Destroy of its waiting plan; Reject stays', async ({
  page,
  env,
  signIn,
}) => {
  const ns = env.namespace;
  const pending = await waitFor(
    'the stack plan to wait for approval',
    () => get('tofustack', STRANDED)?.status?.pendingPlan?.name,
    170_000,
    1000,
  );
  // May approve (the custom verb), so only the stranded state can take Approve away.
  const approver = serviceAccountToken(ns, 'ex-approver', ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'approve']);
  await signIn(page, approver);
  const owner = new OwnerPage(page, ns, 'stacks', STRANDED);
  await owner.goto();
  // Before: the waiting plan can be applied, approved and the stack destroyed.
  await expect(owner.applyNow()).toBeVisible();
  await expect(owner.pendingPlan().getByRole('link', { name: 'Review and approve' })).toBeVisible();
  await expect(owner.destroyButton()).toBeEnabled();
  const exec = new ExecutionPage(page);
  await page.goto(`/ns/${ns}/executions/${pending}`);
  await expect(exec.approveButton()).toBeVisible();
  await expect(exec.rejectButton()).toBeVisible();

  kubectl(['delete', 'tofumodule', GONE, '-n', ns, '--wait=true', '--timeout=90s']);
  await waitFor(
    'the stack to report ModuleNotFound',
    () => get('tofustack', STRANDED)?.status?.conditions?.some((c) => c.type === 'Ready' && c.reason === 'ModuleNotFound'),
    60_000,
    500,
  );
  expect(get('tofustack', STRANDED)?.status?.pendingPlan?.name, 'the plan still waits').toBe(pending);

  await owner.goto();
  await expect(owner.phase()).toHaveText(/ModuleNotFound/);
  await expect(owner.pendingPlan()).toBeVisible();
  await expect(owner.applyNow()).toHaveCount(0);
  await expect(owner.pendingPlan().getByRole('link', { name: 'Review', exact: true })).toBeVisible();
  await expect(page.getByTestId('pending-stranded')).toContainText('Cannot be applied: ModuleNotFound');
  await expect(owner.destroyButton()).toBeDisabled();
  await expect(owner.destroyButton()).toHaveAttribute('title', /^Cannot destroy: ModuleNotFound: /);
  await expect(owner.planButton()).toBeDisabled();
  await screenshot(page, 'extras-stranded-stack');

  await page.goto(`/ns/${ns}/executions/${pending}`);
  await expect(exec.reviewState()).toHaveText('Waiting for approval.');
  await expect(exec.approveButton()).toHaveCount(0);
  await expect(exec.rejectButton()).toBeVisible();
  await expect(page.getByTestId('approve-denied')).toContainText('Cannot be applied: ModuleNotFound');
});
