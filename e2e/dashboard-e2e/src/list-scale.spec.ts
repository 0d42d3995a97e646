// Lists stay fast with thousands of objects. The real API has no namespace with 5,000 executions
// to spare, so this one test answers the executions list itself (in the API's pages of at most 500,
// with continue tokens); everything else (sign-in, permissions, the socket) is the real stack.
import { expect, test } from './fixtures.ts';
import { screenshot } from './pages/pages.ts';
import { FilteredList } from './pages/lists.ts';

const TOTAL = 5000;
const phases = ['Succeeded', 'Failed', 'Running', 'Pending'] as const;

function execution(ns: string, i: number) {
  const name = `run-${String(i).padStart(5, '0')}`;
  const phase = phases[i % phases.length]!;
  return {
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuExecution',
    metadata: { name, namespace: ns, creationTimestamp: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString() },
    spec: { action: 'plan', moduleRef: { name: `module-${i % 50}` } },
    status: {
      phase,
      ...(phase === 'Succeeded' ? { summary: { add: 1, change: 0, destroy: 0, text: 'Plan: 1 to add, 0 to change, 0 to destroy.' } } : {}),
    },
  };
}

test('5,000 executions: paged reads, one page of rows, search and sort stay fast', async ({ page, env, signIn }) => {
  const all = Array.from({ length: TOTAL }, (_, i) => execution(env.namespace, i));
  let requests = 0;
  await page.route(new RegExp(`/api/v1/namespaces/${env.namespace}/executions\\?`), async (route) => {
    requests++;
    const url = new URL(route.request().url());
    const limit = Number(url.searchParams.get('limit'));
    expect(limit).toBeGreaterThan(0);
    expect(limit).toBeLessThanOrEqual(500);
    const from = Number(url.searchParams.get('continue') ?? 0);
    const items = all.slice(from, from + limit);
    const next = from + items.length;
    await route.fulfill({
      json: {
        apiVersion: 'tofu-operator.io/v1alpha1',
        kind: 'TofuExecutionList',
        metadata: next < TOTAL ? { continue: String(next), remainingItemCount: TOTAL - next } : {},
        items,
      },
    });
  });
  await signIn(page, env.editorToken);
  const list = new FilteredList(page, env.namespace, 'executions');
  const t0 = Date.now();
  await list.goto();
  await expect(page.getByText(`${TOTAL} executions`)).toBeVisible();
  const loaded = Date.now() - t0;
  // A first page of 100 (it paints sooner), then pages of 500.
  expect(requests).toBe(1 + Math.ceil((TOTAL - 100) / 500));
  // Paged: one page of rows in the DOM (50 by default), not 5,000.
  const rendered = await page.getByTestId('executions-rows').locator('[role="row"]').count();
  expect(rendered).toBe(50);
  await expect(list.pageStatus()).toHaveText(`Page 1 of 100 · rows 1–50 of ${TOTAL}`);

  // Search narrows it at once.
  const s0 = Date.now();
  await list.search().fill('run-04999');
  await expect(page.getByText(`1 of ${TOTAL} executions`)).toBeVisible();
  await expect(list.row('run-04999')).toBeVisible();
  const searched = Date.now() - s0;
  await list.search().fill('');

  // Sort by name descending: the last one comes first.
  await page.getByRole('button', { name: /^Name/ }).click(); // by name, ascending
  await page.getByRole('button', { name: /^Name/ }).click(); // descending
  await expect(page.getByTestId('executions-rows').locator('[role="row"]').first()).toHaveAttribute('data-name', 'run-04999');
  // On the last page, the first names are there.
  await list.pageButton('Last page').click();
  await expect(list.pageStatus()).toHaveText(`Page 100 of 100 · rows 4951–5000 of ${TOTAL}`);
  await expect(page.getByTestId('executions-rows').locator('[role="row"]').last()).toHaveAttribute('data-name', 'run-00000');
  await screenshot(page, '12-executions-5000');
  test.info().annotations.push({ type: 'timing', description: `5,000 executions listed in ${loaded} ms, searched in ${searched} ms` });
  expect(loaded).toBeLessThan(10_000);
  expect(searched).toBeLessThan(2_000);
});
