// Issue 12 in the browser, against the real stack: a module created through the form with typed
// variables and a Secret picked by name in varsFrom (the picker shows the Secret's keys; a canary
// value planted in it appears nowhere in the page), a user who may not list Secrets types the name,
// and the dependency graph of the namespace's stacks with a cycle marked.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { apply, kubectl, serviceAccountToken } from './cluster.ts';
import { readEnv } from './env.ts';
import { ListPage, OwnerPage, ResourceFormPage, screenshot } from './pages/pages.ts';

test.describe.configure({ mode: 'serial' });

const SECRET = 'inputs-db';
const CANARY = `canary-${Date.now().toString(36)}-never-on-a-page`;
const CANARY_B64 = Buffer.from(CANARY).toString('base64');
const MODULE = 'inputs-form';
const STACK = 'inputs-app';

/** A user with our kinds' ordinary verbs and nothing on Secrets or ConfigMaps. */
let noListToken = '';

/** Fails when the page's HTML holds the planted value in any form the API could have leaked. */
async function assertNoCanary(page: Page, where: string): Promise<void> {
  const html = await page.content();
  expect(html.includes(CANARY), `${where}: the canary is in the page`).toBe(false);
  expect(html.includes(CANARY_B64), `${where}: the canary's base64 is in the page`).toBe(false);
}

test.beforeAll(() => {
  const { namespace: ns } = readEnv();
  apply({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: SECRET, namespace: ns },
    type: 'Opaque',
    stringData: { password: CANARY, username: CANARY },
  });
  // The editor (global-setup) may also read ConfigMaps and Secrets: the pickers list names for it, and
  // the admission policy lets a module name only Secrets its author may get.
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
  noListToken = serviceAccountToken(ns, 'inputs-no-list', ['get', 'list', 'watch', 'create', 'update']);
  // Stacks of a module that does not exist: nothing runs, the graph has its edges and a cycle.
  const stack = (name: string, spec: object) =>
    apply({
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuStack',
      metadata: { name, namespace: ns },
      spec: { moduleRef: { name: 'graph-none' }, ...spec },
    });
  stack('graph-net', {});
  stack('graph-app', {
    dependsOn: [{ name: 'graph-net' }],
    inputsFrom: [{ stackRef: { name: 'graph-net' }, output: 'vpc_id', variable: 'vpc' }],
  });
  stack('graph-a', { dependsOn: [{ name: 'graph-b' }] });
  stack('graph-b', { dependsOn: [{ name: 'graph-a' }] });
});

test.afterAll(() => {
  const { namespace: ns } = readEnv();
  kubectl(['delete', 'tofustack', STACK, '-n', ns, '--ignore-not-found', '--wait=false']);
  kubectl(['delete', 'tofumodule', MODULE, '-n', ns, '--ignore-not-found', '--wait=false']);
  kubectl(['delete', 'tofustack', 'graph-net', 'graph-app', 'graph-a', 'graph-b', '-n', ns, '--ignore-not-found', '--wait=false']);
});

test('a module with typed variables and a Secret picked by name; its keys are shown, its value never', async ({ page, env, signIn }) => {
  await signIn(page, env.editorToken);
  await page.goto(`/ns/${env.namespace}/modules/new`);
  const form = new ResourceFormPage(page);
  await form.fill({ Name: MODULE, 'Git repository': 'git://10.88.0.1/tofu-samples', 'Working directory': 'hello' });

  const vars = page.getByTestId('variables');
  const rows: [string, string, string][] = [
    ['region', 'string', 'eu-west-1'],
    ['replicas', 'number', 'three'],
    ['enabled', 'bool', 'true'],
    ['tags', 'json', '{"team": "platform", "tier": 2}'],
  ];
  for (const [i, [name, type, value]] of rows.entries()) {
    await vars.getByRole('button', { name: 'Add variable' }).click();
    await vars.getByLabel(`Variable ${i + 1} name`).fill(name);
    await vars.getByLabel(`Variable ${i + 1} type`).selectOption(type);
    await vars.getByLabel(`Variable ${i + 1} value`).fill(value);
  }

  const sources = page.getByTestId('vars-from');
  await sources.getByRole('button', { name: 'Add source' }).click();
  const row = page.getByTestId('varsfrom-0');
  await row.getByLabel('Kind').selectOption('Secret');
  await row.locator('summary').click();
  const picker = page.getByTestId('varsfrom-picker-0');
  const choice = picker.locator('li').filter({ hasText: SECRET });
  await expect(choice).toContainText('Opaque: password, username');
  await choice.getByRole('button', { name: SECRET }).click();
  await expect(row.getByLabel('Secret name')).toHaveValue(SECRET);
  await expect(page.getByTestId('varsfrom-keys-0')).toContainText('password');
  await expect(page.getByTestId('varsfrom-keys-0')).toContainText('username');
  await assertNoCanary(page, 'the form with the Secret picked');

  // A number that is not one: the row says so and nothing is sent.
  await form.submit();
  await expect(page.getByTestId('error-spec-variables-1')).toHaveText('not a number');
  await expect(page).toHaveURL((u) => u.pathname.endsWith('/modules/new'));
  await vars.getByLabel('Variable 2 value').fill('3');
  await screenshot(page, 'inputs-form');
  await form.submit();
  await page.waitForURL((u) => u.pathname === `/ns/${env.namespace}/modules/${MODULE}`);

  const stored = JSON.parse(kubectl(['get', 'tofumodule', MODULE, '-n', env.namespace, '-o', 'json'])) as {
    spec: { variables?: unknown; varsFrom?: unknown };
  };
  expect(stored.spec.variables).toEqual({ region: 'eu-west-1', replicas: 3, enabled: true, tags: { team: 'platform', tier: 2 } });
  expect(stored.spec.varsFrom).toEqual([{ kind: 'Secret', name: SECRET }]);

  const owner = new OwnerPage(page, env.namespace, 'modules', MODULE);
  await expect(owner.title()).toHaveText(MODULE);
  await expect(page.getByTestId('variable-replicas')).toContainText('3');
  await expect(page.getByTestId('variable-tags')).toContainText('{"team":"platform","tier":2}');
  await expect(page.getByTestId('input-sources')).toContainText(SECRET);
  await screenshot(page, 'inputs-module-page');
  await assertNoCanary(page, 'the module page');
});

test("a stack that overrides its module's variable and depends on another stack's output waits for it", async ({ page, env, signIn }) => {
  await signIn(page, env.editorToken);
  await page.goto(`/ns/${env.namespace}/stacks/new`);
  const form = new ResourceFormPage(page);
  await form.fill({ Name: STACK, Module: MODULE });
  await expect(page.getByTestId('inherited-variables')).toContainText('enabled, region, replicas, tags');
  const vars = page.getByTestId('variables');
  await vars.getByRole('button', { name: 'Add variable' }).click();
  await vars.getByLabel('Variable 1 name').fill('replicas');
  await vars.getByLabel('Variable 1 type').selectOption('number');
  await vars.getByLabel('Variable 1 value').fill('5');
  const deps = page.getByTestId('dependencies');
  await deps.getByTestId('depends-on').getByLabel('graph-net').check();
  await deps.getByRole('button', { name: 'Add input' }).click();
  await deps.getByLabel('Input 1 stack').selectOption('graph-net');
  await deps.getByLabel('Input 1 output').fill('vpc_id');
  await deps.getByLabel('Input 1 variable').fill('vpc');
  await form.submit();
  await page.waitForURL((u) => u.pathname === `/ns/${env.namespace}/stacks/${STACK}`);

  const stored = JSON.parse(kubectl(['get', 'tofustack', STACK, '-n', env.namespace, '-o', 'json'])) as { spec: Record<string, unknown> };
  expect(stored.spec['variables']).toEqual({ replicas: 5 });
  expect(stored.spec['dependsOn']).toEqual([{ name: 'graph-net' }]);
  expect(stored.spec['inputsFrom']).toEqual([{ stackRef: { name: 'graph-net' }, output: 'vpc_id', variable: 'vpc' }]);

  await expect(page.getByTestId('variable-replicas')).toContainText('5 (overrides module)');
  await expect(page.getByTestId('variable-region')).toContainText('"eu-west-1" (from module)');
  await expect(page.getByTestId('input-sources')).toContainText('output vpc_id → variable vpc');
  // graph-net never applied (its module does not exist): the operator holds this stack back and says why.
  await expect(page.getByTestId('dependencies-ready')).toContainText('DependencyNotApplied', { timeout: 60_000 });
  await screenshot(page, 'inputs-stack-page');
  await assertNoCanary(page, 'the stack page');
});

test('a user who may not list Secrets is told so and types the name', async ({ page, env, signIn }) => {
  await signIn(page, noListToken);
  await page.goto(`/ns/${env.namespace}/modules/new`);
  await page.getByTestId('vars-from').getByRole('button', { name: 'Add source' }).click();
  const row = page.getByTestId('varsfrom-0');
  await row.getByLabel('Kind').selectOption('Secret');
  await expect(page.getByTestId('varsfrom-denied-0')).toContainText('may not list secrets');
  await expect(page.getByTestId('varsfrom-picker-0')).toHaveCount(0);
  await row.getByLabel('Secret name').fill(SECRET);
  await expect(row.getByLabel('Secret name')).toHaveValue(SECRET);
  await assertNoCanary(page, 'the form of a user without list');
});

test("the stacks page draws the namespace's dependency graph and marks the cycle", async ({ page, env, signIn }) => {
  await signIn(page, env.editorToken);
  const list = new ListPage(page, env.namespace, 'stacks');
  await list.goto();
  const graph = page.getByTestId('stack-graph');
  await expect(graph).toBeVisible();
  for (const name of ['graph-net', 'graph-app', 'graph-a', 'graph-b']) await expect(graph.getByTestId(`graph-node-${name}`)).toBeVisible();
  await expect(graph.getByTestId('graph-edge-graph-net-graph-app')).toHaveAttribute('data-cycle', 'false');
  await expect(graph.getByTestId('graph-edge-graph-a-graph-b')).toHaveAttribute('data-cycle', 'true');
  await expect(graph.getByTestId('graph-edge-graph-b-graph-a')).toHaveAttribute('data-cycle', 'true');
  await expect(page.getByTestId('graph-cycles')).toContainText('graph-a → graph-b');
  // Dependencies sit left of what needs them.
  const net = await graph.getByTestId('graph-node-graph-net').boundingBox();
  const app = await graph.getByTestId('graph-node-graph-app').boundingBox();
  expect(net && app && net.x < app.x).toBe(true);
  await screenshot(page, 'inputs-stack-graph');
});
