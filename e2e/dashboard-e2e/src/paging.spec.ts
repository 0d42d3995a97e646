// Issue 15 in the browser, against the real stack: a list shows one page of its rows, the page and
// its size live in the URL (reload and Back keep them), the page controls are labelled buttons that
// work from the keyboard, search covers every page, and a list read in several API pages paints its
// first page before the rest arrives, saying how much has loaded. 300 stacks (their module does not
// exist, so the operator plans none of them) in the run's namespace, removed afterwards.
import { expect, test } from './fixtures.ts';
import { kubectl } from './cluster.ts';
import { readEnv } from './env.ts';
import { FilteredList } from './pages/lists.ts';

test.describe.configure({ mode: 'serial' });

const N = 300;
const LABEL = 'tofu-operator.io/test-paging=yes';
const name = (i: number) => `paging-${String(i).padStart(4, '0')}`;
const stack = (ns: string, i: number) => ({
  apiVersion: 'tofu-operator.io/v1alpha1',
  kind: 'TofuStack',
  metadata: { name: name(i), namespace: ns, labels: { 'tofu-operator.io/test-paging': 'yes' } },
  spec: { moduleRef: { name: 'paging-no-such-module' } },
});

test.beforeAll(() => {
  const { namespace: ns } = readEnv();
  kubectl(
    ['create', '-f', '-'],
    JSON.stringify({ apiVersion: 'v1', kind: 'List', items: Array.from({ length: N }, (_, i) => stack(ns, i)) }),
  );
});

test.afterAll(() => {
  kubectl(['delete', 'tofustacks', '-l', LABEL, '-n', readEnv().namespace, '--ignore-not-found', '--wait=false']);
});

test('one page of rows; page and size in the URL through reload and Back; labelled controls work from the keyboard', async ({
  page,
  env,
  signIn,
}) => {
  await signIn(page, env.editorToken);
  const list = new FilteredList(page, env.namespace, 'stacks');
  await list.goto('?q=paging-');
  // "300 stacks", or "300 of 305 stacks" with the stacks of other tests.
  await expect(list.shown()).toHaveText(new RegExp(`^${N} (of \\d+ )?stacks$`));
  await expect(list.pageStatus()).toHaveText('Page 1 of 6 · rows 1–50 of 300');
  await expect(list.pageStatus()).toHaveAttribute('aria-live', 'polite');
  expect(await list.names()).toEqual(Array.from({ length: 50 }, (_, i) => name(i)));
  await expect(list.pageButton('First page')).toBeDisabled();
  await expect(list.pageButton('Previous page')).toBeDisabled();

  await list.pageButton('Next page').click();
  await expect(page).toHaveURL((u) => u.searchParams.get('page') === '2' && u.searchParams.get('q') === 'paging-');
  await expect(list.pageStatus()).toHaveText('Page 2 of 6 · rows 51–100 of 300');
  await expect(list.rows().first()).toHaveAttribute('data-name', name(50));
  await expect(list.row(name(49))).toHaveCount(0);
  await page.reload();
  await expect(list.pageStatus()).toHaveText('Page 2 of 6 · rows 51–100 of 300');
  await expect(list.rows().first()).toHaveAttribute('data-name', name(50));

  // The keyboard: Tab reaches the buttons, Enter presses them.
  await list.pageButton('Next page').focus();
  await page.keyboard.press('Enter');
  await expect(list.pageStatus()).toHaveText('Page 3 of 6 · rows 101–150 of 300');
  await list.pageButton('Last page').focus();
  await page.keyboard.press('Space');
  await expect(list.pageStatus()).toHaveText('Page 6 of 6 · rows 251–300 of 300');
  await expect(list.rows().last()).toHaveAttribute('data-name', name(N - 1));
  await expect(list.pageButton('Next page')).toBeDisabled();
  await expect(list.pageButton('Last page')).toBeDisabled();

  // Back steps through the pages visited.
  await page.goBack();
  await expect(list.pageStatus()).toHaveText('Page 3 of 6 · rows 101–150 of 300');
  await page.goBack();
  await expect(list.pageStatus()).toHaveText('Page 2 of 6 · rows 51–100 of 300');

  // Another page size starts at its first page and goes into the URL.
  await list.pageSize().selectOption('100');
  await expect(page).toHaveURL((u) => u.searchParams.get('size') === '100' && !u.searchParams.has('page'));
  await expect(list.pageStatus()).toHaveText('Page 1 of 3 · rows 1–100 of 300');
  await expect(list.rows()).toHaveCount(100);
  await list.pageButton('Next page').click();
  await page.reload();
  await expect(list.pageSize()).toHaveValue('100');
  await expect(list.pageStatus()).toHaveText('Page 2 of 3 · rows 101–200 of 300');
  // A link to a page past the end shows the last one.
  await list.goto('?q=paging-&page=40');
  await expect(list.pageStatus()).toHaveText('Page 6 of 6 · rows 251–300 of 300');
});

test('search and sort cover every page and start again at page 1', async ({ page, env, signIn }) => {
  await signIn(page, env.editorToken);
  const list = new FilteredList(page, env.namespace, 'stacks');
  await list.goto('?q=paging-&page=3');
  await expect(list.pageStatus()).toHaveText('Page 3 of 6 · rows 101–150 of 300');
  await list.search().fill(name(N - 1));
  await expect(list.shown()).toHaveText(/^1 of \d+ stacks$/);
  await expect(list.row(name(N - 1))).toBeVisible();
  await expect(page).toHaveURL((u) => !u.searchParams.has('page'));
  // One page: no page controls.
  await expect(list.pager()).toHaveCount(0);
  await list.search().fill('paging-02');
  await expect(list.shown()).toHaveText(/^100 of \d+ stacks$/);
  await expect(list.pageStatus()).toHaveText('Page 1 of 2 · rows 1–50 of 100');
  // Sorted by name descending (stacks sort by name ascending already), page 1 starts at the last name of all pages.
  await list.sortButton('Name').click();
  await expect(list.header('Name')).toHaveAttribute('aria-sort', 'descending');
  await expect(list.rows().first()).toHaveAttribute('data-name', name(299));
  await list.pageButton('Last page').click();
  await expect(list.rows().last()).toHaveAttribute('data-name', name(200));
  // The phase filter counts every page: all of them wait for a module that does not exist.
  await expect(list.chip('failed')).toContainText(/Failed\s*100/);
});

test('a list read in several API pages paints the first at once and says how much has loaded; live changes still arrive', async ({
  page,
  env,
  signIn,
}) => {
  await signIn(page, env.editorToken);
  // The API's pages of 100 instead of 500, and every page after the first held until released: the
  // list is caught half loaded. The answers are the real API's.
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let held = 0;
  await page.route(new RegExp(`/api/v1/namespaces/${env.namespace}/stacks\\?`), async (route) => {
    const url = new URL(route.request().url());
    url.searchParams.set('limit', '100');
    if (url.searchParams.has('continue')) {
      held++;
      await released;
    }
    await route.continue({ url: url.toString() });
  });
  const list = new FilteredList(page, env.namespace, 'stacks');
  await list.goto('?q=paging-');
  await expect(list.loading()).toContainText(/Loading stacks: 100 of \d+; search and filters cover the loaded ones\./);
  await expect(list.loading()).toHaveAttribute('role', 'status');
  // The first 100 objects of the namespace are on screen, whatever they are named.
  await expect(list.rows().first()).toBeVisible();
  expect(held).toBe(1);
  await list.search().fill(name(N - 1));
  await expect(list.rows()).toHaveCount(0);
  await expect(page.getByText(/No stacks match “paging-0299” yet \(still loading\)\./)).toBeVisible();
  release();
  await expect(list.loading()).toHaveCount(0);
  await expect(list.row(name(N - 1))).toBeVisible();
  expect(held).toBeGreaterThanOrEqual(2);

  // A stack made now comes over the socket, into its page.
  kubectl(['create', '-f', '-'], JSON.stringify(stack(env.namespace, N)));
  await list.search().fill('paging-');
  await expect(list.shown()).toHaveText(new RegExp(`^${N + 1} (of \\d+ )?stacks$`));
  await list.pageButton('Last page').click();
  await expect(list.pageStatus()).toHaveText(`Page 7 of 7 · rows 301–301 of ${N + 1}`);
  await expect(list.row(name(N))).toBeVisible();
});
