// Issue 17 item 6 in the browser: a runner env literal under a secret-looking name is masked on the
// Spec card (its value is not in the page's HTML until Show is clicked), a Secret reference shows
// where it comes from and never a value, and the form warns about such a literal with a one-click
// switch to a Secret's key, saved as valueFrom.secretKeyRef.
import { expect, test } from './fixtures.ts';
import { apply, kubectl } from './cluster.ts';
import { ResourceFormPage } from './pages/pages.ts';

test.describe.configure({ mode: 'serial' });

const MODULE = 'secret-env';
const SECRET = 'secret-env-git';
const LITERAL = `literal-${Date.now().toString(36)}-masked`;
const REFERENCED = `ref-${Date.now().toString(36)}-never-shown`;

test('a secret-looking literal is masked until Show; a reference names its Secret and key', async ({ page, env, signIn }) => {
  const ns = env.namespace;
  apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: SECRET, namespace: ns }, type: 'Opaque', stringData: { token: REFERENCED } });
  // The editor may list Secrets (the picker) and get the one it references (the admission policy).
  apply({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'editor-pickers', namespace: ns },
    rules: [{ apiGroups: [''], resources: ['configmaps', 'secrets'], verbs: ['get', 'list'] }],
  });
  apply({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'editor-pickers', namespace: ns },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'editor-pickers' },
    subjects: [{ kind: 'ServiceAccount', name: 'editor', namespace: ns }],
  });
  apply({
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuModule',
    metadata: { name: MODULE, namespace: ns },
    spec: {
      source: { repository: 'git://10.88.0.1/secret-env-none', revision: 'main' },
      executionTemplate: {
        env: [
          { name: 'API_TOKEN', value: LITERAL },
          { name: 'TF_LOG', value: 'debug' },
          { name: 'GIT_TOKEN', valueFrom: { secretKeyRef: { name: SECRET, key: 'token' } } },
        ],
      },
    },
  });
  await signIn(page, env.editorToken);
  await page.goto(`/ns/${ns}/modules/${MODULE}`);
  const card = page.getByTestId('spec-env');
  await expect(card).toContainText('TF_LOG');
  await expect(card).toContainText('debug');
  await expect(card).toContainText(`from Secret ${SECRET}/token`);
  await expect(page.getByTestId('env-value-API_TOKEN')).toHaveText('••••••••');
  let html = await page.content();
  expect(html.includes(LITERAL), 'the masked literal is in the page before Show').toBe(false);
  expect(html.includes(REFERENCED), "the referenced Secret's value is in the page").toBe(false);

  await page.getByRole('button', { name: 'Show API_TOKEN' }).click();
  await expect(page.getByTestId('env-value-API_TOKEN')).toHaveText(LITERAL);
  await page.getByRole('button', { name: 'Hide API_TOKEN' }).click();
  await expect(page.getByTestId('env-value-API_TOKEN')).toHaveText('••••••••');
  html = await page.content();
  expect(html.includes(REFERENCED)).toBe(false);
});

test('the form warns about a secret-looking literal and switches it to a Secret key in one click', async ({ page, env, signIn }) => {
  const ns = env.namespace;
  await signIn(page, env.editorToken);
  await page.goto(`/ns/${ns}/modules/${MODULE}/edit`);
  const form = new ResourceFormPage(page);
  const warning = page.getByTestId('env-secret-warning-API_TOKEN');
  await expect(warning).toContainText('use a Secret reference (valueFrom) instead');
  // A harmless name gets no warning, a newly typed secret-looking one does.
  await expect(page.getByTestId('env-secret-warning-TF_LOG')).toHaveCount(0);
  await form.field('Environment').fill(`API_TOKEN=${LITERAL}\nTF_LOG=debug\ndbPassword=typed`);
  await expect(page.getByTestId('env-secret-warning-dbPassword')).toBeVisible();
  await form.field('Environment').fill(`API_TOKEN=${LITERAL}\nTF_LOG=debug`);

  await warning.getByRole('button', { name: 'Use a Secret for API_TOKEN' }).click();
  await expect(warning).toHaveCount(0);
  await expect(form.field('Environment')).toHaveValue('TF_LOG=debug');
  // Saving without choosing the Secret names the variable.
  await form.submit();
  await expect(form.error('spec.executionTemplate.env')).toContainText('"API_TOKEN": choose the Secret and its key');
  const row = page.getByTestId('env-ref-API_TOKEN');
  await row.getByLabel('Secret').selectOption(SECRET);
  await row.getByLabel('Key').selectOption('token');
  expect((await page.content()).includes(REFERENCED)).toBe(false);
  await form.submit();
  await page.waitForURL(`**/ns/${ns}/modules/${MODULE}`);

  const saved = JSON.parse(kubectl(['get', 'tofumodule', MODULE, '-n', ns, '-o', 'json'])) as {
    spec: { executionTemplate: { env: { name: string; value?: string; valueFrom?: unknown }[] } };
  };
  const byName = Object.fromEntries(saved.spec.executionTemplate.env.map((e) => [e.name, e]));
  expect(byName.API_TOKEN).toEqual({ name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: SECRET, key: 'token' } } });
  expect(byName.TF_LOG).toEqual({ name: 'TF_LOG', value: 'debug' });
  expect(byName.GIT_TOKEN).toEqual({ name: 'GIT_TOKEN', valueFrom: { secretKeyRef: { name: SECRET, key: 'token' } } });
  await expect(page.getByTestId('spec-env')).toContainText(`from Secret ${SECRET}/token`);
  expect((await page.content()).includes(LITERAL)).toBe(false);
});

test("a stack's page shows its effective runner template, each setting inherited, overridden or its own", async ({ page, env, signIn }) => {
  const ns = env.namespace;
  const stackSecret = `stack-${Date.now().toString(36)}-masked`;
  apply({
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuStack',
    metadata: { name: 'secret-env-stack', namespace: ns },
    spec: {
      moduleRef: { name: MODULE },
      executionTemplate: {
        activeDeadlineSeconds: 900,
        env: [
          { name: 'TF_LOG', value: 'trace' },
          { name: 'STACK_PASSWORD', value: stackSecret },
        ],
      },
    },
  });
  await signIn(page, env.editorToken);
  await page.goto(`/ns/${ns}/stacks/secret-env-stack`);
  const card = page.getByTestId('effective-template');
  await expect(card.getByRole('link', { name: MODULE })).toHaveAttribute('href', `/ns/${ns}/modules/${MODULE}`);
  await expect(card.getByTestId('template-env.TF_LOG')).toContainText('trace');
  await expect(card.getByTestId('template-env.TF_LOG')).toContainText('(overrides module)');
  await expect(card.getByTestId('template-env.GIT_TOKEN')).toContainText(`from Secret ${SECRET}/token`);
  await expect(card.getByTestId('template-env.GIT_TOKEN')).toContainText('(from module)');
  await expect(card.getByTestId('template-env.API_TOKEN')).toContainText('(from module)');
  await expect(card.getByTestId('template-activeDeadlineSeconds')).toContainText('900');
  await expect(card.getByTestId('template-activeDeadlineSeconds')).toContainText('(this stack)');
  await expect(card.getByTestId('template-env.STACK_PASSWORD')).toContainText('••••••••');
  await expect(card.getByTestId('template-env.STACK_PASSWORD')).toContainText('(this stack)');
  const html = await page.content();
  expect(html.includes(stackSecret), "the stack's secret-looking literal is in the page before Show").toBe(false);
  expect(html.includes(REFERENCED)).toBe(false);
});
