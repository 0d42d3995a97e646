// Issue 17 in the browser, against the real stack: shared links survive sign-in, not-found pages
// (unknown URLs, deleted objects, mistyped namespaces), page titles with the screen-reader
// announcement and focus, condition colours, the theme switch and the primary button's contrast.
import { expect, test, signOut } from './fixtures.ts';
import { apply, kubectl, serveRepo, waitFor } from './cluster.ts';
import { readEnv } from './env.ts';
import { ExecutionPage, OwnerPage, screenshot, SignInPage } from './pages/pages.ts';
import { firstPaintTheme, NotFoundPage, PrimaryButton, ThemeSwitch } from './pages/shell.ts';

test.describe.configure({ mode: 'serial' });

const MODULE = 'nav-quiet';
/** Nothing to create: the plan says "No changes." and the module is healthy at once. */
const MAIN_TF = `output "greeting" {
  value = "hello from issue 17"
}
`;

let run = '';

test.beforeAll(async () => {
  const { namespace: ns } = readEnv();
  const repo = serveRepo('dash-nav', { [`${MODULE}/main.tf`]: MAIN_TF });
  apply({
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuModule',
    metadata: { name: MODULE, namespace: ns },
    spec: { source: { repository: repo, revision: 'main', workdir: MODULE }, executionTemplate: { activeDeadlineSeconds: 600 } },
  });
  // A created module plans by itself; its run is the "shared link" of these tests.
  run = await waitFor(
    'the module to finish its first plan',
    () => {
      const m = JSON.parse(kubectl(['get', 'tofumodule', MODULE, '-n', ns, '-o', 'json'])) as {
        status?: { phase?: string; lastExecution?: { name?: string } };
      };
      return m.status?.phase === 'Succeeded' ? m.status.lastExecution?.name : undefined;
    },
    170_000,
    1000,
  );
});

test('a shared link to a run survives sign-in; unsafe return paths open the picker instead', async ({ page, env }) => {
  const target = `/ns/${env.namespace}/executions/${run}`;
  await page.goto(`${target}?tab=log`);
  await expect(page).toHaveURL((u) => u.pathname === '/sign-in' && u.searchParams.get('next') === `${target}?tab=log`);
  const signIn = new SignInPage(page);
  await signIn.signIn(env.editorToken);
  await page.waitForURL((u) => u.pathname === target && u.search === '?tab=log');
  await expect(new ExecutionPage(page).name()).toHaveText(run);
  await expect(new ExecutionPage(page).phase()).toContainText('Succeeded');

  const origin = new URL(env.baseURL).origin;
  for (const next of ['https://example.com/ns/x', '//example.com/ns/x', '/\\example.com', '/.//example.com', 'javascript:alert(1)']) {
    await signOut(page);
    await page.goto(`/sign-in?next=${encodeURIComponent(next)}`);
    await signIn.signIn(env.editorToken);
    await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
    // The picker: it opens the only namespace this token may see.
    await expect(page, `next=${next}`).toHaveURL((u) => u.origin === origin && u.pathname === `/ns/${env.namespace}`);
  }
});

test('a session that ends on an open page returns to it after signing in again', async ({ page, env, signIn }) => {
  await signIn(page, env.editorToken);
  const target = `/ns/${env.namespace}/modules/${MODULE}`;
  await page.goto(target);
  await expect(new OwnerPage(page, env.namespace, 'modules', MODULE).title()).toHaveText(MODULE);
  // A token the cluster does not accept (as after expiry): the next API answer is 401.
  const [session] = (await page.context().cookies()).filter((c) => c.name === 'tofu_session');
  expect(session).toBeDefined();
  // Left first: the open page's own next request would answer 401 and go to sign-in by itself, which
  // aborts this navigation when the two cross (signOut).
  await page.goto('about:blank');
  await page.context().addCookies([{ ...session!, value: 'expired-token' }]);
  await page.goto(`/ns/${env.namespace}/stacks`);
  await expect(page).toHaveURL(
    (u) =>
      u.pathname === '/sign-in' && u.searchParams.get('expired') === '1' && u.searchParams.get('next') === `/ns/${env.namespace}/stacks`,
  );
  await new SignInPage(page).signIn(env.editorToken);
  await page.waitForURL((u) => u.pathname === `/ns/${env.namespace}/stacks`);
  await screenshot(page, '40-returned-after-sign-in');
});

test('not found: unknown URLs, missing objects and a mistyped namespace are branded 404s with a way back', async ({
  page,
  env,
  signIn,
}) => {
  const ns = env.namespace;
  await signIn(page, env.editorToken);
  const notFound = new NotFoundPage(page);

  const unknown = await page.goto('/no/such/page');
  expect(unknown?.status()).toBe(404);
  await expect(notFound.title()).toHaveText('Page not found');
  await expect(page.getByRole('banner').getByRole('link', { name: 'tofu-operator' })).toBeVisible();
  await expect(page).toHaveTitle('Page not found — tofu-operator');
  await notFound.back().click();
  await expect(page).toHaveURL((u) => u.pathname === `/ns/${ns}`);

  // An address inside the namespace that is no page keeps the namespace's header.
  const widgets = await page.goto(`/ns/${ns}/widgets`);
  expect(widgets?.status()).toBe(404);
  await expect(notFound.title()).toHaveText('Page not found');
  await expect(page.getByRole('navigation', { name: 'Sections' })).toBeVisible();

  const missing = await page.goto(`/ns/${ns}/executions/no-such-run`);
  expect(missing?.status()).toBe(404);
  await expect(notFound.title()).toHaveText('TofuExecution no-such-run not found');
  await expect(notFound.state()).toContainText(`in namespace ${ns}`);
  await expect(page.getByRole('button', { name: 'Try again' })).toHaveCount(0);
  await expect(page).toHaveTitle(`Not found: no-such-run · TofuExecution · ${ns} — tofu-operator`);
  await screenshot(page, '41-object-not-found');
  await notFound.back().click();
  await expect(page).toHaveURL((u) => u.pathname === `/ns/${ns}/executions`);

  const typo = `${ns}-typo`;
  const mistyped = await page.goto(`/ns/${typo}`);
  expect(mistyped?.status()).toBe(404);
  await expect(notFound.title()).toHaveText(`Namespace ${typo} not found`);
  await expect(page.getByTestId('count-modules')).toHaveCount(0);
  // Not remembered: the picker still opens the real namespace.
  expect(await page.evaluate(() => localStorage.getItem('tofu-operator.namespace'))).toBe(ns);
  await screenshot(page, '42-namespace-not-found');
  await notFound.back().click();
  await expect(page).toHaveURL((u) => u.pathname === `/ns/${ns}`);
});

test('titles name the object, kind and namespace; client navigation is announced and focuses the heading', async ({
  page,
  env,
  signIn,
}) => {
  const ns = env.namespace;
  await signIn(page, env.editorToken);
  await page.goto(`/ns/${ns}/executions/${run}`);
  await expect(page).toHaveTitle(`${run} · TofuExecution · ${ns} — tofu-operator`);

  const announcer = page.getByTestId('route-announcer');
  await expect(announcer).toHaveAttribute('aria-live', 'polite');
  const sections = page.getByRole('navigation', { name: 'Sections' });
  await sections.getByRole('link', { name: 'Modules' }).click();
  await expect(page).toHaveTitle(`Modules · ${ns} — tofu-operator`);
  await expect(announcer).toHaveText(`Modules · ${ns} — tofu-operator`);
  await expect(page.getByRole('heading', { level: 1, name: 'Modules' })).toBeFocused();

  await page.getByTestId('modules-rows').getByRole('link', { name: MODULE, exact: true }).click();
  await expect(page).toHaveTitle(`${MODULE} · TofuModule · ${ns} — tofu-operator`);
  await expect(announcer).toHaveText(`${MODULE} · TofuModule · ${ns} — tofu-operator`);
  // The object's heading appears once it is loaded; focus waits for it.
  await expect(page.locator('main h1')).toContainText(MODULE);
  await expect(page.locator('main h1')).toBeFocused();

  await sections.getByRole('link', { name: 'Overview' }).click();
  await expect(page).toHaveTitle(`Overview · ${ns} — tofu-operator`);
  await expect(page.locator('main h1')).toBeFocused();
});

test("colours: a healthy module's Reconciling False is not red; the primary button meets 4.5:1 in dark mode; the theme switch sticks without a flash", async ({
  page,
  env,
  signIn,
}) => {
  const ns = env.namespace;
  await signIn(page, env.editorToken);
  const module = new OwnerPage(page, ns, 'modules', MODULE);
  await module.goto();
  await expect(module.phase()).toContainText('Succeeded');
  const reconciling = page.getByTestId('condition-Reconciling').locator('.cond');
  await expect(reconciling).toHaveText('False');
  await expect(reconciling).toHaveAttribute('data-tone', 'neutral');
  const colours = await reconciling.evaluate((el) => {
    const probe = document.createElement('span');
    probe.style.color = 'var(--bad)';
    document.body.append(probe);
    const bad = getComputedStyle(probe).color;
    probe.remove();
    return { shown: getComputedStyle(el).color, bad };
  });
  expect(colours.shown).not.toBe(colours.bad);
  await expect(page.getByTestId('condition-Ready').locator('.cond')).toHaveAttribute('data-tone', 'good');

  const theme = new ThemeSwitch(page);
  await theme.choose('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  // Measured on the page: the primary button's text on its background.
  const ratio = await new PrimaryButton(page).contrast();
  expect(ratio).toBeGreaterThanOrEqual(4.5);
  await screenshot(page, '43-module-dark');

  // Kept across loads, and applied before the body is painted (no light flash).
  await page.goto(`/ns/${ns}/modules`, { waitUntil: 'commit' });
  expect(await firstPaintTheme(page)).toEqual({ theme: 'dark', background: 'rgb(13, 17, 23)' });
  await expect(theme.select()).toHaveValue('dark');

  await theme.choose('light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.reload({ waitUntil: 'commit' });
  expect((await firstPaintTheme(page)).theme).toBe('light');

  // "System" follows the browser's setting, also when it changes.
  await theme.choose('system');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  expect(await page.evaluate(() => localStorage.getItem('tofu-operator.theme'))).toBeNull();
});

test('a module deleted while its page is open shows the not-found state with the way back', async ({ page, env, signIn }) => {
  const ns = env.namespace;
  await signIn(page, env.editorToken);
  const module = new OwnerPage(page, ns, 'modules', MODULE);
  await module.goto();
  await expect(module.title()).toHaveText(MODULE);
  kubectl(['delete', 'tofumodule', MODULE, '-n', ns, '--wait=true', '--timeout=120s']);
  const notFound = new NotFoundPage(page);
  await expect(notFound.title()).toHaveText(`TofuModule ${MODULE} not found`, { timeout: 30_000 });
  await expect(page.getByRole('button', { name: 'Try again' })).toHaveCount(0);
  await notFound.back().click();
  await expect(page).toHaveURL((u) => u.pathname === `/ns/${ns}/modules`);
});

test('security headers: each page has its own script nonce and runs with no policy violation; proxied /api answers carry the headers too', async ({
  page,
  env,
  signIn,
}) => {
  const ns = env.namespace;
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      console.error(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  await signIn(page, env.editorToken);
  const nonces: string[] = [];
  for (let i = 0; i < 2; i++) {
    const res = await page.goto(`/ns/${ns}/modules/${MODULE}`);
    const csp = res?.headers()['content-security-policy'] ?? '';
    const nonce = /script-src 'self' 'nonce-([A-Za-z0-9+/=]+)'(;|$)/.exec(csp)?.[1];
    expect(nonce, csp).toBeTruthy();
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res?.headers()['x-frame-options']).toBe('DENY');
    nonces.push(nonce ?? '');
  }
  expect(nonces[0]).not.toBe(nonces[1]);
  // Hydrated under the policy: a client-side control works (the theme switch runs React's handler
  // and the inline theme script's listener).
  const theme = new ThemeSwitch(page);
  await theme.choose('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await theme.choose('system');

  const signInPage = await page.request.get('/sign-in');
  expect(signInPage.headers()['content-security-policy']).toMatch(/script-src 'self' 'nonce-/);
  const api = await page.request.get(`/api/v1/namespaces/${ns}/modules`);
  expect(api.status()).toBe(200);
  expect(api.headers()['x-frame-options']).toBe('DENY');
  expect(api.headers()['x-content-type-options']).toBe('nosniff');
  expect(api.headers()['content-security-policy']).toContain("default-src 'none'");
  expect(violations).toEqual([]);
});
