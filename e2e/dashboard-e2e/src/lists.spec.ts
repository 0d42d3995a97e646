// Issue 17 item 10 in the browser, against the real stack: a list's search, sort and phase filter
// live in its URL (a link restores the view, reload and Back keep it), search finds owners and
// failure categories, runs sort by duration and result, the overview's counts open the filtered
// lists, times show the exact time on hover, counts agree in number, and the all-namespaces view is
// offered only to a caller who may list in more than one namespace.
import { expect, test, signOut } from './fixtures.ts';
import { apply, kubectl, serveRepo, waitFor } from './cluster.ts';
import { readEnv } from './env.ts';
import { ExecutionPage, screenshot } from './pages/pages.ts';
import { FilteredList } from './pages/lists.ts';

test.describe.configure({ mode: 'serial' });

const OK = 'lists-ok';
const BAD = 'lists-bad';
const MAIN_TF = `output "greeting" {
  value = "hello from the lists"
}
`;

interface Run {
  name: string;
  phase: string;
  createdAt: string;
  durationMs: number;
  failureCategory?: string;
}
const runs: Record<string, Run> = {};

function moduleRun(ns: string, module: string): Run | undefined {
  const m = JSON.parse(kubectl(['get', 'tofumodule', module, '-n', ns, '-o', 'json'])) as {
    status?: { lastExecution?: { name?: string } };
  };
  const name = m.status?.lastExecution?.name;
  if (!name) return undefined;
  const e = JSON.parse(kubectl(['get', 'tofuexecution', name, '-n', ns, '-o', 'json'])) as {
    metadata: { creationTimestamp: string; annotations?: Record<string, string> };
    status?: { phase?: string; startTime?: string; completionTime?: string; failureCategory?: string };
  };
  const s = e.status;
  if (!s?.completionTime || !s.startTime || (s.phase !== 'Succeeded' && s.phase !== 'Failed')) return undefined;
  return {
    name,
    phase: s.phase,
    createdAt: e.metadata.annotations?.['tofu-operator.io/created-at'] ?? e.metadata.creationTimestamp,
    durationMs: Date.parse(s.completionTime) - Date.parse(s.startTime),
    ...(s.failureCategory ? { failureCategory: s.failureCategory } : {}),
  };
}

test.beforeAll(async () => {
  const { namespace: ns } = readEnv();
  const repo = serveRepo('dash-lists', { [`${OK}/main.tf`]: MAIN_TF });
  for (const [name, workdir] of [
    [OK, OK],
    [BAD, 'no-such-dir'],
  ])
    apply({
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuModule',
      metadata: { name, namespace: ns },
      spec: { source: { repository: repo, revision: 'main', workdir }, executionTemplate: { activeDeadlineSeconds: 600 } },
    });
  // Each created module plans by itself: one run that succeeds, one that fails (no such workdir).
  for (const m of [OK, BAD]) runs[m] = await waitFor(`the first run of ${m} to finish`, () => moduleRun(ns, m), 170_000, 1000);
  expect(runs[OK]!.phase).toBe('Succeeded');
  expect(runs[BAD]!.phase).toBe('Failed');
});

test('a list URL with search, sort and phase filter restores the view, through reload and Back', async ({ page, env, signIn }) => {
  await signIn(page, env.editorToken);
  const list = new FilteredList(page, env.namespace, 'executions');
  await list.goto('?q=lists-&sort=duration&dir=desc&phase=failed');
  const check = async () => {
    await expect(list.search()).toHaveValue('lists-');
    await expect(list.chip('failed')).toHaveAttribute('aria-pressed', 'true');
    await expect(list.chip('all')).toHaveAttribute('aria-pressed', 'false');
    await expect(list.header('Duration')).toHaveAttribute('aria-sort', 'descending');
    await expect(list.row(runs[BAD]!.name)).toBeVisible();
    await expect(list.row(runs[OK]!.name)).toHaveCount(0);
  };
  await check();
  await page.reload();
  await check();
  // Into the run and Back: the same view.
  await list.row(runs[BAD]!.name).getByRole('link', { name: runs[BAD]!.name }).click();
  await expect(new ExecutionPage(page).name()).toHaveText(runs[BAD]!.name);
  await page.goBack();
  await expect(page).toHaveURL((u) => u.searchParams.get('phase') === 'failed' && u.searchParams.get('sort') === 'duration');
  await check();

  // Changing the view writes the URL: a filter and a sort are history entries, Back undoes them.
  await list.chip('all').click();
  await expect(page).toHaveURL((u) => !u.searchParams.has('phase') && u.searchParams.get('q') === 'lists-');
  await expect(list.row(runs[OK]!.name)).toBeVisible();
  await list.sortButton('Name').click();
  await expect(page).toHaveURL((u) => u.searchParams.get('sort') === 'name' && !u.searchParams.has('dir'));
  await page.goBack();
  await expect(page).toHaveURL((u) => u.searchParams.get('sort') === 'duration' && u.searchParams.get('dir') === 'desc');
  await page.goBack();
  await check();
  // Typing replaces the entry instead of adding one per key.
  await list.search().fill(BAD);
  await expect(page).toHaveURL((u) => u.searchParams.get('q') === BAD);
  await page.goBack();
  await expect(page).not.toHaveURL((u) => u.searchParams.get('q') === BAD || u.searchParams.get('q') === 'lists-');
});

test('the phase filter keeps one phase; search finds the owner and the failure category', async ({ page, env, signIn }) => {
  await signIn(page, env.editorToken);
  const list = new FilteredList(page, env.namespace, 'executions');
  await list.goto('?q=lists-');
  await expect(list.row(runs[OK]!.name)).toBeVisible();
  await expect(list.row(runs[BAD]!.name)).toBeVisible();
  await expect(list.chip('failed')).toContainText(/Failed\s*1/);
  await expect(list.chip('succeeded')).toContainText(/Succeeded\s*1/);
  await list.chip('succeeded').click();
  await expect(list.row(runs[BAD]!.name)).toHaveCount(0);
  await expect(list.row(runs[OK]!.name).getByTestId('phase').first()).toHaveText(/Succeeded/);
  await list.chip('failed').click();
  await expect(list.row(runs[OK]!.name)).toHaveCount(0);
  await expect(list.row(runs[BAD]!.name).getByTestId('phase').first()).toHaveText(/Failed/);

  // The owner as the For column shows it.
  await list.goto(`?q=${encodeURIComponent(`module ${BAD}`)}`);
  await expect(list.row(runs[BAD]!.name)).toBeVisible();
  await expect(list.row(runs[OK]!.name)).toHaveCount(0);
  // The failure category the run recorded.
  const category = runs[BAD]!.failureCategory;
  expect(category, 'the failed run records a failure category').toBeTruthy();
  await list.goto(`?q=${encodeURIComponent(category!)}&phase=failed`);
  await expect(list.row(runs[BAD]!.name)).toBeVisible();
  await expect(list.row(runs[BAD]!.name)).toContainText(category!);
  await screenshot(page, 'lists-failure-category');
});

test('runs sort by duration and by result', async ({ page, env, signIn }) => {
  await signIn(page, env.editorToken);
  const list = new FilteredList(page, env.namespace, 'executions');
  const mine = async () => (await list.names()).filter((n) => n === runs[OK]!.name || n === runs[BAD]!.name);
  // Equal durations (whole seconds) keep the API's order by name in both directions.
  const byDuration = (dir: 1 | -1) =>
    [runs[OK]!, runs[BAD]!].sort((a, b) => dir * (a.durationMs - b.durationMs) || a.name.localeCompare(b.name)).map((r) => r.name);
  await list.goto('?q=lists-&sort=duration');
  await expect(list.row(runs[OK]!.name)).toBeVisible();
  await expect.poll(mine).toEqual(byDuration(1));
  await list.sortButton('Duration').click();
  await expect(list.header('Duration')).toHaveAttribute('aria-sort', 'descending');
  await expect.poll(mine).toEqual(byDuration(-1));

  // By result: succeeded before failed, ascending; the reverse descending.
  await list.sortButton('Result').click();
  await expect(page).toHaveURL((u) => u.searchParams.get('sort') === 'summary' && !u.searchParams.has('dir'));
  await expect.poll(mine).toEqual([runs[OK]!.name, runs[BAD]!.name]);
  await list.sortButton('Result').click();
  await expect.poll(mine).toEqual([runs[BAD]!.name, runs[OK]!.name]);
});

test("the overview's counts open the filtered lists; times say the exact time on hover", async ({ page, env, signIn }) => {
  await signIn(page, env.editorToken);
  await page.goto(`/ns/${env.namespace}`);
  await page.getByTestId('count-executions-failed').click();
  await expect(page).toHaveURL((u) => u.pathname === `/ns/${env.namespace}/executions` && u.searchParams.get('phase') === 'failed');
  const list = new FilteredList(page, env.namespace, 'executions');
  await expect(list.chip('failed')).toHaveAttribute('aria-pressed', 'true');
  await expect(list.row(runs[BAD]!.name)).toBeVisible();
  // Every row shown is a failed run (its first badge is its phase).
  const phases = () => list.rows().evaluateAll((rows) => rows.map((r) => r.querySelector('[data-testid="phase"]')?.textContent ?? ''));
  await expect.poll(phases).not.toHaveLength(0);
  for (const t of await phases()) expect(t).toMatch(/Failed/);

  // Back on the overview, the module total opens the module list.
  await page.goBack();
  await page.getByTestId('count-modules').click();
  await expect(page).toHaveURL((u) => u.pathname === `/ns/${env.namespace}/modules` && u.search === '');

  // The run's age: relative, with the exact time and zone in its title.
  await list.goto(`?q=${runs[OK]!.name}`);
  const age = list.row(runs[OK]!.name).getByTestId('age');
  await expect(age).toHaveText(/^\d+[smhd]$/);
  const exact = `${new Date(runs[OK]!.createdAt).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
  await expect(age).toHaveAttribute('title', exact);
  // The overview's recent failures: "5m ago", the exact time on hover.
  await page.goto(`/ns/${env.namespace}`);
  const ago = page.getByTestId('failures').getByTestId('relative-time').first();
  await expect(ago).toHaveText(/^\d+[smhd] ago$/);
  await expect(ago).toHaveAttribute('title', /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
});

test('counts agree in number: "1 module", "1 of N modules"', async ({ page, env, signIn }) => {
  await signIn(page, env.editorToken);
  const list = new FilteredList(page, env.namespace, 'modules');
  await list.goto(`?q=${OK}`);
  await expect(list.row(OK)).toBeVisible();
  const total = Number(kubectl(['get', 'tofumodules', '-n', env.namespace, '-o', 'name']).trim().split('\n').length);
  expect(total).toBeGreaterThan(1);
  await expect(list.shown()).toHaveText(`1 of ${total} modules`);
  await expect(list.chip('succeeded')).toContainText(/Succeeded\s*1/);
  // A namespace with a single module (this one's answer narrowed to the real lists-ok object).
  const one = JSON.parse(kubectl(['get', 'tofumodule', OK, '-n', env.namespace, '-o', 'json'])) as object;
  await page.route(new RegExp(`/api/v1/namespaces/${env.namespace}/modules\\?`), (route) =>
    route.fulfill({ json: { apiVersion: 'tofu-operator.io/v1alpha1', kind: 'TofuModuleList', metadata: {}, items: [one] } }),
  );
  await list.goto();
  await expect(list.shown()).toHaveText('1 module');
  await page.goto(`/ns/${env.namespace}`);
  await expect(page.getByTestId('count-modules')).toHaveText('1 module');
});

test('all namespaces: offered to a caller who may list more than one, and not to a namespace-only user', async ({ page, env, signIn }) => {
  // A namespace-only user: the API names one namespace, the switch is not there, ?scope=all is ignored.
  await signIn(page, env.viewerToken);
  const list = new FilteredList(page, env.namespace, 'executions');
  await list.goto('?q=lists-&scope=all');
  await expect(list.row(runs[OK]!.name)).toBeVisible();
  await expect(list.scope()).toHaveCount(0);
  await expect(page.getByRole('columnheader', { name: 'Namespace' })).toHaveCount(0);

  // The operator of this suite watches one namespace, so no token can list a second one through it:
  // the namespaces answer and the other namespace's list are the API's shapes, answered here.
  const other = 'lists-elsewhere';
  await page.route(
    (u) => u.pathname === '/api/v1/namespaces',
    (route) => route.fulfill({ json: { items: [{ name: env.namespace }, { name: other }] } }),
  );
  const real = JSON.parse(kubectl(['get', 'tofuexecution', runs[BAD]!.name, '-n', env.namespace, '-o', 'json'])) as {
    metadata: Record<string, unknown>;
  };
  const elsewhere = { ...real, metadata: { ...real.metadata, namespace: other, name: 'lists-elsewhere-run' } };
  await page.route(new RegExp(`/api/v1/namespaces/${other}/executions\\?`), (route) =>
    route.fulfill({ json: { apiVersion: 'tofu-operator.io/v1alpha1', kind: 'TofuExecutionList', metadata: {}, items: [elsewhere] } }),
  );
  await signOut(page);
  await signIn(page, env.editorToken);
  await list.goto('?q=lists-');
  await expect(list.scope()).toBeVisible();
  await expect(list.row('lists-elsewhere-run', other)).toHaveCount(0);
  await list.allNamespaces().click();
  await expect(page).toHaveURL((u) => u.searchParams.get('scope') === 'all' && u.searchParams.get('q') === 'lists-');
  await expect(page.getByRole('columnheader', { name: /^Namespace/ })).toBeVisible();
  await expect(list.row(runs[BAD]!.name)).toBeVisible();
  const row = list.row('lists-elsewhere-run', other);
  await expect(row).toBeVisible();
  await expect(row.getByRole('link', { name: 'lists-elsewhere-run' })).toHaveAttribute(
    'href',
    `/ns/${other}/executions/lists-elsewhere-run`,
  );
  await screenshot(page, 'lists-all-namespaces');
  await page.reload();
  await expect(list.row('lists-elsewhere-run', other)).toBeVisible();
  await list.scope().getByRole('button', { name: env.namespace }).click();
  await expect(list.row('lists-elsewhere-run', other)).toHaveCount(0);
});
