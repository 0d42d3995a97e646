// Issue 17: an accessibility scan of every page of the dashboard with axe-core, against the real stack
// and real data (a module with a finished plan waiting for approval, a stack of it, a failed plan), in
// the light and the dark theme and 390 px wide. Any serious or critical WCAG 2.0/2.1 A or AA violation
// fails, named with its page, rule, elements and help.
import type { Page } from '@playwright/test';
import { expect, test, signOut } from './fixtures.ts';
import { apply, kubectl, SAMPLES_REPO, serviceAccountToken, waitFor } from './cluster.ts';
import { readEnv } from './env.ts';
import { loaded, report, scan, type Finding } from './pages/a11y.ts';
import { ExecutionPage, ListPage, OwnerPage, ResourceFormPage, SignInPage } from './pages/pages.ts';
import { NotFoundPage, ThemeSwitch } from './pages/shell.ts';

test.describe.configure({ mode: 'serial' });

/** The samples' hello module: its plan adds two resources, so the run page has a diff to review. */
const MODULE = 'a11y-hello';
const STACK = 'a11y-dev';
/** Its workdir is missing: its plan fails, for the run page's failure card. */
const BROKEN = 'a11y-broken';
/** May sign in but sees no namespace: the picker's empty state. */
const NOBODY = 'a11y-nobody';

let run = '';
let failedRun = '';
let nobodyToken = '';
/** Everything the editor may, and approve: the run page offers Approve and Reject. */
let approverToken = '';

interface Owner {
  status?: { phase?: string; lastExecution?: { name?: string }; pendingPlan?: { name?: string } };
}

function module(name: string, workdir: string): void {
  apply({
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuModule',
    metadata: { name, namespace: readEnv().namespace },
    spec: { source: { repository: SAMPLES_REPO, revision: 'main', workdir }, executionTemplate: { activeDeadlineSeconds: 600 } },
  });
}

/** The last run of an owner once its phase is `phase`. */
function lastRun(kind: string, name: string, phase: string): Promise<string> {
  return waitFor(
    `${kind} ${name} to finish its first plan (${phase})`,
    () => {
      const o = owner(kind, name);
      return o.status?.phase === phase ? o.status.lastExecution?.name : undefined;
    },
    170_000,
    1000,
  );
}

function owner(kind: string, name: string): Owner {
  return JSON.parse(kubectl(['get', kind, name, '-n', readEnv().namespace, '-o', 'json'])) as Owner;
}

test.beforeAll(async () => {
  const { namespace: ns } = readEnv();
  module(MODULE, 'hello');
  module(BROKEN, 'no-such-dir');
  apply({
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuStack',
    metadata: { name: STACK, namespace: ns },
    spec: { moduleRef: { name: MODULE } },
  });
  apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: NOBODY, namespace: ns } });
  nobodyToken = kubectl(['create', 'token', NOBODY, '-n', ns, '--duration=1h']).trim();
  approverToken = serviceAccountToken(ns, 'a11y-approver', ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'approve']);
  run = await lastRun('tofumodule', MODULE, 'Succeeded');
  expect(owner('tofumodule', MODULE).status?.pendingPlan?.name, 'the plan waits for approval').toBe(run);
  failedRun = await lastRun('tofumodule', BROKEN, 'Failed');
  await lastRun('tofustack', STACK, 'Succeeded');
});

test.afterAll(() => {
  const { namespace: ns } = readEnv();
  kubectl(['delete', 'tofustack', STACK, '-n', ns, '--ignore-not-found', '--wait=false']);
  kubectl(['delete', 'tofumodule', MODULE, BROKEN, '-n', ns, '--ignore-not-found', '--wait=false']);
  kubectl(['delete', 'serviceaccount', NOBODY, '-n', ns, '--ignore-not-found', '--wait=false']);
});

/** A state of a page reached by a user's action on it (a tab, a dialog, a failed submit). */
interface State {
  what: string;
  show: (page: Page) => Promise<void>;
}

/** A page to scan: where it is, what shows that its data has loaded, and its other states. */
interface Visit {
  what: string;
  path: string;
  ready: (page: Page) => Promise<void>;
  states?: State[];
}

function signedInPages(ns: string): Visit[] {
  const list = (kind: 'modules' | 'stacks' | 'executions', name: string): Visit => ({
    what: `${kind} list`,
    path: `/ns/${ns}/${kind}`,
    ready: (page) => expect(new ListPage(page, ns, kind).row(name)).toBeVisible(),
  });
  const owner = (kind: 'modules' | 'stacks', name: string): Visit => ({
    what: `${kind === 'modules' ? 'module' : 'stack'} page`,
    path: `/ns/${ns}/${kind}/${name}`,
    ready: async (page) => {
      await expect(new OwnerPage(page, ns, kind, name).phase()).toContainText('Succeeded');
      await expect(new OwnerPage(page, ns, kind, name).history()).toBeVisible();
    },
    states: [
      {
        what: 'delete dialog',
        show: async (page) => {
          await page.getByTestId('del').click();
          await expect(page.getByTestId('del-dialog')).toBeVisible();
        },
      },
    ],
  });
  const form = (what: string, path: string, states: State[] = []): Visit => ({
    what,
    path,
    ready: (page) => expect(page.getByRole('button', { name: /^(Create|Save)$/ })).toBeVisible(),
    states,
  });
  const failedSubmit: State = {
    what: 'errors after an empty submit',
    show: async (page) => {
      await new ResourceFormPage(page).submit();
      await expect(page.getByTestId('error-summary')).toBeFocused();
    },
  };
  return [
    { what: 'overview', path: `/ns/${ns}`, ready: (page) => expect(page.getByTestId('count-modules')).toBeVisible() },
    list('modules', MODULE),
    list('stacks', STACK),
    list('executions', run),
    { what: 'queue', path: `/ns/${ns}/queue`, ready: (page) => expect(page.getByRole('heading', { level: 1 })).toBeVisible() },
    owner('modules', MODULE),
    owner('stacks', STACK),
    {
      what: 'run page (Changes tab)',
      path: `/ns/${ns}/executions/${run}`,
      ready: async (page) => {
        const exec = new ExecutionPage(page);
        await expect(exec.phase()).toContainText('Succeeded');
        await expect(exec.tab('Changes')).toHaveAttribute('aria-selected', 'true');
        await expect(exec.diff()).toBeVisible();
      },
      states: [
        {
          what: 'Log tab',
          show: async (page) => {
            const exec = new ExecutionPage(page);
            await exec.tab('Log').click();
            await expect(exec.logState()).toHaveAttribute('data-state', 'ended');
            await expect(exec.log()).toContainText('Plan: 2 to add');
          },
        },
        {
          what: 'Approve dialog',
          show: async (page) => {
            const exec = new ExecutionPage(page);
            await exec.approveButton().click();
            await expect(exec.approveDialog()).toBeVisible();
          },
        },
      ],
    },
    {
      what: 'failed run page',
      path: `/ns/${ns}/executions/${failedRun}`,
      ready: async (page) => {
        const exec = new ExecutionPage(page);
        await expect(exec.phase()).toContainText('Failed');
        await expect(exec.failureMessage()).toContainText('no-such-dir');
        await expect(exec.logState()).toHaveAttribute('data-state', 'ended');
      },
    },
    form('module create form', `/ns/${ns}/modules/new`, [failedSubmit]),
    form('stack create form', `/ns/${ns}/stacks/new`, [failedSubmit]),
    form('module edit form', `/ns/${ns}/modules/${MODULE}/edit`),
    form('stack edit form', `/ns/${ns}/stacks/${STACK}/edit`),
    { what: 'unknown page', path: '/no/such/page', ready: (page) => expect(new NotFoundPage(page).title()).toBeVisible() },
    {
      what: 'missing object',
      path: `/ns/${ns}/executions/no-such-run`,
      ready: (page) => expect(new NotFoundPage(page).title()).toBeVisible(),
    },
  ];
}

/** Scans every signed-in page in each of its states, and the namespace picker; returns what failed. */
async function scanSignedIn(page: Page, ns: string, theme: string): Promise<Finding[]> {
  const found: Finding[] = [];
  for (const visit of signedInPages(ns)) {
    await page.goto(visit.path);
    await visit.ready(page);
    await loaded(page);
    found.push(...(await scan(page, `${visit.what} ${visit.path} (${theme})`)));
    for (const state of visit.states ?? []) {
      await state.show(page);
      found.push(...(await scan(page, `${visit.what}, ${state.what} ${visit.path} (${theme})`)));
    }
  }
  // The e2e operator watches one namespace, which the picker opens by itself; the list with a choice
  // is the real answer plus one more name (the page under test is the same; only the API's list grows).
  await page.route('**/api/v1/namespaces', async (route) => {
    const real = await route.fetch();
    const body = (await real.json()) as { items: { name: string }[] };
    await route.fulfill({ response: real, json: { items: [...body.items, { name: `${ns}-second` }] } });
  });
  await page.evaluate(() => localStorage.removeItem('tofu-operator.namespace'));
  await page.goto('/');
  await expect(page.getByTestId('namespaces').getByRole('link')).toHaveCount(2);
  await loaded(page);
  found.push(...(await scan(page, `namespace picker / (${theme})`)));
  await page.unroute('**/api/v1/namespaces');
  return found;
}

/** The sign-in page as first shown, and with the error of a refused token. */
async function scanSignIn(page: Page, theme: string): Promise<Finding[]> {
  const signIn = new SignInPage(page);
  await signIn.goto();
  await expect(signIn.token()).toBeVisible();
  const found = await scan(page, `sign-in page (${theme})`);
  await signIn.signIn('not-a-token');
  await expect(signIn.error()).toContainText('did not accept');
  found.push(...(await scan(page, `sign-in page with an error (${theme})`)));
  return found;
}

/** The picker of a token that may see no namespace. */
async function scanEmptyPicker(page: Page, theme: string): Promise<Finding[]> {
  await new SignInPage(page).signIn(nobodyToken);
  await page.waitForURL((u) => u.pathname === '/');
  await expect(page.getByText('No namespace to show')).toBeVisible();
  await loaded(page);
  return scan(page, `namespace picker, no namespace (${theme})`);
}

const VIEWS = [
  { theme: 'light', width: 1360, height: 900 },
  { theme: 'dark', width: 1360, height: 900 },
  { theme: 'light', width: 390, height: 844 },
] as const;

for (const { theme, width, height } of VIEWS) {
  const view = width < 600 ? `${theme}, ${width} px` : theme;
  test(`every page has no serious or critical WCAG A/AA violation (${view})`, async ({ page, env, signIn }) => {
    test.setTimeout(300_000);
    await page.setViewportSize({ width, height });
    // The browser's own setting is the other theme: the switch, not the system, decides what is shown.
    await page.emulateMedia({ colorScheme: theme === 'light' ? 'dark' : 'light' });
    await signIn(page, approverToken);
    await page.goto(`/ns/${env.namespace}`);
    await new ThemeSwitch(page).choose(theme);
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);

    const found = await scanSignedIn(page, env.namespace, view);
    // Signed out, the choice stays (localStorage): the sign-in page and the empty picker in it.
    await signOut(page);
    found.push(...(await scanSignIn(page, view)));
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    found.push(...(await scanEmptyPicker(page, view)));

    expect(
      found.map((f) => `${f.page}: ${f.rule}`),
      `serious or critical accessibility violations:\n${report(found)}`,
    ).toEqual([]);
  });
}
