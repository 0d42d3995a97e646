// Issue 17 in the browser, against the real stack: a module deleted under its stacks (the dialog names
// them; each stack shows ModuleNotFound in red wherever its phase is shown, and Plan is disabled with
// the reason), the forms' error summary (focused after a failed submit, also for the API's
// "already exists"), Plan disabled while a run is in progress, and the 390 px layout.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { apply, kubectl, serveRepo, waitFor } from './cluster.ts';
import { readEnv } from './env.ts';
import { ListPage, OwnerPage, ResourceFormPage, screenshot } from './pages/pages.ts';

test.describe.configure({ mode: 'serial' });

/** Deleted in the first test; its stacks stay. */
const DOOMED = 're-doomed';
const STACKS = ['re-left-a', 're-left-b'];
/** Stays healthy: the name the form's "already exists" test reuses, and the 390 px page. */
const KEPT = 're-kept';
/** Its runs never get a node (a nodeSelector nothing matches): one is always in progress. */
const BUSY = 're-busy';

const MAIN_TF = `output "greeting" {
  value = "hello from issue 17"
}
`;
let repo = '';

function module(name: string, extra: Record<string, unknown> = {}) {
  const { namespace: ns } = readEnv();
  apply({
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuModule',
    metadata: { name, namespace: ns },
    spec: { source: { repository: repo, revision: 'main', workdir: 'quiet' }, executionTemplate: { activeDeadlineSeconds: 600, ...extra } },
  });
}

function get(kind: string, name: string): { status?: { phase?: string; lastExecution?: { name?: string } } } | undefined {
  const out = kubectl(['get', kind, name, '-n', readEnv().namespace, '-o', 'json', '--ignore-not-found']);
  return out.trim() ? (JSON.parse(out) as { status?: { phase?: string } }) : undefined;
}

async function settled(kind: string, name: string): Promise<void> {
  await waitFor(`${kind} ${name} to finish its first plan`, () => get(kind, name)?.status?.phase === 'Succeeded', 170_000, 1000);
}

/** Whether the page can be scrolled sideways (wider than the window). */
const scrollsSideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);

test.beforeAll(async () => {
  const { namespace: ns } = readEnv();
  repo = serveRepo('dash-rough', { 'quiet/main.tf': MAIN_TF });
  module(DOOMED);
  module(KEPT);
  // The second depends on the first (so the stacks page draws them); it waits for an apply that never
  // comes (no autoApply), which does not matter here.
  STACKS.forEach((s, i) =>
    apply({
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuStack',
      metadata: { name: s, namespace: ns },
      spec: { moduleRef: { name: DOOMED }, ...(i > 0 ? { dependsOn: [{ name: STACKS[0] }] } : {}) },
    }),
  );
  await settled('tofustack', STACKS[0]!);
  await settled('tofumodule', KEPT);
});

test.afterAll(() => {
  const { namespace: ns } = readEnv();
  kubectl(['delete', 'tofustack', ...STACKS, '-n', ns, '--ignore-not-found', '--wait=false']);
  kubectl(['delete', 'tofumodule', BUSY, '-n', ns, '--ignore-not-found', '--wait=false']);
});

test('deleting a module names its stacks; afterwards they are red ModuleNotFound everywhere and cannot plan', async ({
  page,
  env,
  signIn,
}) => {
  const ns = env.namespace;
  await signIn(page, env.editorToken);
  const mod = new OwnerPage(page, ns, 'modules', DOOMED);
  await mod.goto();
  await expect(page.getByTestId('used-by')).toHaveText(`Used by 2 stacks: ${STACKS.join(', ')}`);
  await expect(page.getByTestId('used-by').getByRole('link', { name: STACKS[0] })).toHaveAttribute('href', `/ns/${ns}/stacks/${STACKS[0]}`);

  await page.getByTestId('del').click();
  const dialog = page.getByTestId('del-dialog');
  const usedBy = dialog.getByTestId('delete-used-by');
  await expect(usedBy).toContainText('Used by 2 stacks');
  await expect(usedBy).toContainText('ModuleNotFound');
  await expect(usedBy.getByRole('listitem')).toHaveText(STACKS);
  await screenshot(page, 'rough-edges-delete-dialog');
  await dialog.getByTestId('del-typed').fill(DOOMED);
  await dialog.getByTestId('del-confirm').click();
  await page.waitForURL((u) => u.pathname === `/ns/${ns}/modules`);
  // The API does not refuse the delete (the dialog warned): the module is gone, its stacks are not.
  await waitFor('the module to be gone', () => get('tofumodule', DOOMED) === undefined, 60_000, 500);
  for (const s of STACKS) expect(get('tofustack', s), s).toBeDefined();

  const stack = new OwnerPage(page, ns, 'stacks', STACKS[0]!);
  await stack.goto();
  // The operator keeps the phase Pending (it plans by itself once the module exists again) ...
  await waitFor('the stack to report ModuleNotFound', () => {
    const s = get('tofustack', STACKS[0]!) as { status?: { phase?: string; conditions?: { type: string; reason?: string }[] } };
    return s.status?.phase === 'Pending' && s.status.conditions?.some((c) => c.type === 'Ready' && c.reason === 'ModuleNotFound');
  });
  // ... the page shows the error in red, with the reason and message, not a yellow Pending.
  await expect(stack.phase()).toHaveText(/ModuleNotFound/);
  await expect(stack.phase()).toHaveClass(/badge-failed/);
  await expect(stack.phase()).not.toHaveText(/Pending/);
  const red = await stack.phase().evaluate((el) => getComputedStyle(el).color);
  const failedRed = await page.evaluate(() => {
    const probe = document.createElement('span');
    probe.className = 'badge badge-failed';
    document.body.append(probe);
    const c = getComputedStyle(probe).color;
    probe.remove();
    return c;
  });
  expect(red).toBe(failedRed);
  await expect(page.getByTestId('owner-problem')).toContainText(`ModuleNotFound: TofuModule "${DOOMED}" not found in namespace ${ns}`);
  await expect(stack.planButton()).toBeDisabled();
  await expect(page.getByTestId('plan-blocked')).toHaveText(
    `Cannot plan: TofuModule "${DOOMED}" not found in namespace ${ns} (ModuleNotFound)`,
  );
  await expect(stack.planButton()).toHaveAccessibleDescription(/ModuleNotFound/);
  await screenshot(page, 'rough-edges-stranded-stack');

  // The list, the dependency graph and the overview say the same.
  const list = new ListPage(page, ns, 'stacks');
  await list.goto();
  for (const s of STACKS) {
    // The first badge is the stack's phase; the second, its last execution's (Succeeded before the delete).
    const phase = list.row(s).getByTestId('phase').first();
    await expect(phase).toHaveText(/ModuleNotFound/);
    await expect(phase).toHaveClass(/badge-failed/);
  }
  for (const s of STACKS) await expect(page.getByTestId(`graph-node-${s}`)).toContainText('ModuleNotFound');
  await page.goto(`/ns/${ns}`);
  await expect(page.locator('#count-stacks').locator('..').locator('[data-problem="ModuleNotFound"]')).toBeVisible();
  await expect(page.locator('#count-stacks').locator('..').locator('.phase-counts li', { hasText: 'ModuleNotFound' })).toHaveText(
    /ModuleNotFound\s*2/,
  );
});

test('the form lists its errors at the top, focused, each a link to its field; the API\'s "already exists" too', async ({
  page,
  env,
  signIn,
}) => {
  const ns = env.namespace;
  await signIn(page, env.editorToken);
  await page.goto(`/ns/${ns}/modules/new`);
  const form = new ResourceFormPage(page);
  await form.field('Environment').fill('not a pair');
  await form.submit();
  const summary = page.getByTestId('error-summary');
  await expect(summary).toBeFocused();
  await expect(summary.getByRole('heading')).toHaveText('There are 3 problems');
  const links = summary.getByRole('link');
  await expect(links).toHaveText([/^Name: /, /^Git repository: /, /^Environment: /]);
  await links.nth(1).click();
  await expect(form.field('Git repository')).toBeFocused();
  // The field is below the sticky header, not under it.
  const header = await page.locator('header.topbar').boundingBox();
  const field = await form.field('Git repository').boundingBox();
  expect(field!.y).toBeGreaterThanOrEqual(header!.y + header!.height);

  // Valid in the browser; the API answers 409 AlreadyExists for the name.
  await form.fill({ Name: KEPT, 'Git repository': repo, Environment: '' });
  await form.submit();
  await expect(summary).toBeFocused();
  await expect(summary.getByRole('link')).toHaveText([new RegExp(`^Name: .*${KEPT}.*already exists`)]);
  await expect(form.error('metadata.name')).toContainText('already exists');
  await summary.getByRole('link').click();
  await expect(form.field('Name')).toBeFocused();
  await screenshot(page, 'rough-edges-error-summary');
});

test('Plan is disabled with the reason and a link while a run is in progress', async ({ page, env, signIn }) => {
  const ns = env.namespace;
  module(BUSY, { nodeSelector: { 'tofu-operator.io/e2e': 'nowhere' } });
  const running = await waitFor(
    'the first run of the busy module',
    () => get('tofumodule', BUSY)?.status?.lastExecution?.name,
    60_000,
    500,
  );
  await signIn(page, env.editorToken);
  const mod = new OwnerPage(page, ns, 'modules', BUSY);
  await mod.goto();
  await expect(mod.planButton()).toBeDisabled();
  await expect(page.getByTestId('plan-blocked')).toHaveText(`A run is in progress: ${running}`);
  await expect(mod.runningLink()).toHaveAttribute('href', `/ns/${ns}/executions/${running}`);
  // A module that is not running can plan.
  const kept = new OwnerPage(page, ns, 'modules', KEPT);
  await kept.goto();
  await expect(kept.planButton()).toBeEnabled();
  await expect(page.getByTestId('plan-blocked')).toHaveCount(0);
});

test('390 px wide: a compact header, tables scroll inside their cards, no sideways scroll on object pages', async ({
  page,
  env,
  signIn,
}) => {
  const ns = env.namespace;
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, env.editorToken);
  const run = get('tofumodule', KEPT)?.status?.lastExecution?.name;
  expect(run, 'the kept module has a run').toBeTruthy();
  const pages = [
    `/ns/${ns}/modules/${KEPT}`,
    `/ns/${ns}/stacks/${STACKS[0]}`,
    `/ns/${ns}/executions/${run}`,
    `/ns/${ns}/modules`,
    `/ns/${ns}/stacks`,
    `/ns/${ns}/executions`,
    `/ns/${ns}`,
  ];
  for (const path of pages) {
    await page.goto(path);
    await expect(page.locator('h1')).toBeVisible();
    if (path.endsWith(KEPT)) await expect(page.getByTestId('history')).toBeVisible();
    expect(await scrollsSideways(page), `${path} scrolls sideways`).toBe(false);
    const header = await page.locator('header.topbar').boundingBox();
    expect(header!.height, `header height on ${path}`).toBeLessThanOrEqual(844 / 8);
  }
  // The execution history is wider than the screen and scrolls inside its card.
  await page.goto(`/ns/${ns}/modules/${KEPT}`);
  const history = page.getByTestId('history');
  await expect(history).toBeVisible();
  const box = await history.evaluate((t) => {
    const wrap = t.parentElement!;
    return { table: t.scrollWidth, wrap: wrap.clientWidth, overflow: getComputedStyle(wrap).overflowX };
  });
  expect(box.table).toBeGreaterThan(box.wrap);
  expect(box.overflow).toBe('auto');
  await screenshot(page, 'rough-edges-390-module');
  await page.goto(`/ns/${ns}/stacks`);
  await screenshot(page, 'rough-edges-390-stacks');
});
