// Issue 17 item 6 in the browser: a form with unsaved edits asks before they are dropped (a nav link,
// the back button, a reload), keeps them when the user stays, and does not ask after a save or Cancel.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { apply } from './cluster.ts';
import { ResourceFormPage } from './pages/pages.ts';

test.describe.configure({ mode: 'serial' });

const MODULE = 'unsaved-edits';

function nav(page: Page, label: string) {
  return page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: label, exact: true });
}

test('a new module form with a typed name asks before a nav link drops it; staying keeps the edit', async ({ page, env, signIn }) => {
  await signIn(page, env.editorToken);
  await page.goto(`/ns/${env.namespace}/modules/new`);
  const form = new ResourceFormPage(page);
  const dialog = page.getByTestId('unsaved-dialog');
  // Nothing typed yet: a link leaves without a question.
  await nav(page, 'Stacks').click();
  await page.waitForURL(`**/ns/${env.namespace}/stacks`);
  await expect(dialog).toBeHidden();

  await page.goto(`/ns/${env.namespace}/modules/new`);
  await form.fill({ Name: 'typed-not-saved' });
  await nav(page, 'Stacks').click();
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('heading', { name: 'Discard unsaved changes?' })).toBeVisible();
  await dialog.getByRole('button', { name: 'Keep editing' }).click();
  await expect(dialog).toBeHidden();
  expect(new URL(page.url()).pathname).toBe(`/ns/${env.namespace}/modules/new`);
  await expect(form.field('Name')).toHaveValue('typed-not-saved');

  // The back button asks too (the URL stays until the user says leave).
  await page.evaluate(() => window.history.back());
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Keep editing' }).click();
  expect(new URL(page.url()).pathname).toBe(`/ns/${env.namespace}/modules/new`);
  await expect(form.field('Name')).toHaveValue('typed-not-saved');

  // Closing or reloading the tab: the browser's own question.
  const unload = page.waitForEvent('dialog');
  void page.reload().catch(() => undefined);
  const asked = await unload;
  expect(asked.type()).toBe('beforeunload');
  await asked.dismiss();
  await expect(form.field('Name')).toHaveValue('typed-not-saved');

  await nav(page, 'Stacks').click();
  await dialog.getByRole('button', { name: 'Discard and leave' }).click();
  await page.waitForURL(`**/ns/${env.namespace}/stacks`);
});

test('an edit form: after Save and after Cancel, navigation does not ask', async ({ page, env, signIn }) => {
  apply({
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuModule',
    metadata: { name: MODULE, namespace: env.namespace },
    spec: { source: { repository: 'git://10.88.0.1/unsaved-edits-none', revision: 'main' } },
  });
  await signIn(page, env.editorToken);
  const form = new ResourceFormPage(page);
  const dialog = page.getByTestId('unsaved-dialog');
  await page.goto(`/ns/${env.namespace}/modules/${MODULE}`);
  await page.goto(`/ns/${env.namespace}/modules/${MODULE}/edit`);
  await form.fill({ Revision: 'release' });
  await nav(page, 'Modules').click();
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Keep editing' }).click();
  await expect(form.field('Revision')).toHaveValue('release');

  await form.submit();
  await page.waitForURL(`**/ns/${env.namespace}/modules/${MODULE}`);
  await nav(page, 'Modules').click();
  await page.waitForURL(`**/ns/${env.namespace}/modules`);
  await expect(dialog).toHaveCount(0);

  // Cancel is an explicit discard: no question, back to where the user came from.
  await page.goto(`/ns/${env.namespace}/modules/${MODULE}`);
  await page.goto(`/ns/${env.namespace}/modules/${MODULE}/edit`);
  await form.fill({ Revision: 'other' });
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.waitForURL(`**/ns/${env.namespace}/modules/${MODULE}`);
  await expect(dialog).toHaveCount(0);
});
