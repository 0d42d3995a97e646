// Continuous reconciliation (issue 13) in the browser, against the real stack: a module created
// through the form with drift detection and a poll interval (the CRD's rules checked as the user
// types), its Source and Drift sections, "Check drift now" (the annotation it sets, read back from the
// API server), the Drift badge of the lists, and the Queue page and a run's place in the queue (the
// status.queue of a run is written here through the status subresource, as the operator writes it).
import { expect, test } from './fixtures.ts';
import { apply, kubectl, SAMPLES_REPO, serveRepo, waitFor } from './cluster.ts';
import { readEnv } from './env.ts';
import { ListPage, OwnerPage, ResourceFormPage, screenshot } from './pages/pages.ts';

test.describe.configure({ mode: 'serial' });

const MODULE = 'drift-watch';
const PLAIN = 'no-drift-detection';
const QUEUED = 'queued-run';
/** No resources: the plan has no changes, so nothing waits for approval and a drift check runs at once. */
const WORKDIR = 'drift';
let repoUrl = '';

interface Owner {
  metadata: { annotations?: Record<string, string> };
  spec: { driftDetection?: { interval?: string; mode?: string }; source: { pollInterval?: string } };
}

const owner = (ns: string, name: string): Owner => JSON.parse(kubectl(['get', 'tofumodule', name, '-n', ns, '-o', 'json'])) as Owner;

test.beforeAll(() => {
  const { namespace: ns } = readEnv();
  repoUrl = serveRepo('dash-drift', { [`${WORKDIR}/main.tf`]: 'terraform {}\n' });
  // A module without drift detection, never run (no node matches its pods): the lists show no badge for it.
  apply({
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuModule',
    metadata: { name: PLAIN, namespace: ns },
    spec: {
      source: { repository: SAMPLES_REPO, revision: 'main', workdir: 'hello', pollInterval: '0' },
      executionTemplate: { nodeSelector: { 'tofu-operator.io/test-no-node': 'true' } },
    },
  });
});

test.afterAll(() => {
  const { namespace: ns } = readEnv();
  kubectl(['delete', 'tofuexecution', QUEUED, '-n', ns, '--ignore-not-found', '--wait=false']);
  kubectl(['delete', 'tofumodule', MODULE, PLAIN, '-n', ns, '--ignore-not-found', '--wait=false']);
});

test('a module with drift detection from the form: Source and Drift sections, Check drift now', async ({ page, env, signIn }) => {
  const ns = env.namespace;
  await signIn(page, env.editorToken);
  await page.goto(`/ns/${ns}/modules/new`);
  const form = new ResourceFormPage(page);
  await form.fill({ Name: MODULE, 'Git repository': repoUrl, Revision: 'main', 'Working directory': WORKDIR, 'Poll interval': '5s' });
  await page.getByLabel(/Check for drift on an interval/).check();
  await form.fill({ 'Drift check interval': '30s' });
  await form.submit();
  // The CRD's duration rules, checked in the browser before any request.
  await expect(form.error('spec.source.pollInterval')).toContainText('between 10s and 24h');
  await expect(form.error('spec.driftDetection.interval')).toContainText('between 1m and 720h');
  await expect(page.getByRole('link', { name: /Poll interval/ })).toBeVisible();
  await screenshot(page, 'continuous-01-form-errors');

  await form.fill({ 'Poll interval': '10m', 'Drift check interval': '2h' });
  await expect(form.field('When drift is found')).toHaveValue('');
  await form.submit();
  await expect(page).toHaveURL(new RegExp(`/modules/${MODULE}$`));
  const stored = owner(ns, MODULE);
  // The mode left at its default is not written: the operator's default (Detect) applies.
  expect(stored.spec.driftDetection).toEqual({ interval: '2h' });
  expect(stored.spec.source.pollInterval).toBe('10m');

  const module = new OwnerPage(page, ns, 'modules', MODULE);
  await expect(module.title()).toHaveText(MODULE);
  const source = page.getByTestId('source-section');
  await expect(source.getByRole('heading', { name: 'Source' })).toBeVisible();
  await expect(source.getByTestId('source-poll-interval')).toHaveText('every 10m');
  await expect(source.getByTestId('source-revision')).toContainText('main');
  // The first plan records the commit it planned (status.source.commit): a short SHA, the full one in its title.
  await expect(source.getByTestId('source-commit-sha')).toHaveText(/^[0-9a-f]{7}$/, { timeout: 150_000 });
  expect(await source.getByTestId('source-commit-sha').getAttribute('title')).toMatch(/^[0-9a-f]{40}$/);

  const drift = page.getByTestId('drift-section');
  await expect(drift.getByTestId('drift-mode')).toHaveText('Detect');
  await expect(drift.getByTestId('drift-interval')).toHaveText('every 2h');
  await expect(drift.getByTestId('drift-badge')).toBeVisible();

  const button = drift.getByTestId('check-drift');
  await expect(button).toHaveText('Check drift now');
  await button.click();
  const status = drift.getByTestId('drift-check-status');
  await expect(status).toContainText('Drift check requested');
  await expect(button).toBeEnabled();
  // The request is the annotation on the module, set to the time the API answered.
  const requested = await waitFor(
    'the drift-check-requested-at annotation',
    () => owner(ns, MODULE).metadata.annotations?.['tofu-operator.io/drift-check-requested-at'],
    10_000,
  );
  expect(Date.parse(requested)).toBeGreaterThan(Date.now() - 120_000);
  expect(await status.locator('time').getAttribute('datetime')).toBe(requested);
  // Its effect: the operator runs a drift check (a plan with purpose DriftCheck) and reports it live.
  const checkRun = drift.getByTestId('drift-execution').getByRole('link');
  await expect(checkRun).toBeVisible({ timeout: 150_000 });
  await expect(drift.getByTestId('drift-badge')).toHaveAttribute('data-state', 'clean', { timeout: 150_000 });
  await expect(drift.getByTestId('drift-badge')).toHaveText(/No drift/);
  await expect(drift.getByTestId('drift-last').locator('time')).toHaveAttribute('title', /UTC$/);
  await screenshot(page, 'continuous-02-module');
  await checkRun.click();
  await expect(page.locator('h1').getByTestId('execution-purpose')).toHaveText('Drift check');
});

test('the module list shows the drift badge and the commit, and nothing for a module without drift detection', async ({
  page,
  env,
  signIn,
}) => {
  await signIn(page, env.viewerToken);
  const list = new ListPage(page, env.namespace, 'modules');
  await list.goto();
  const badge = list.row(MODULE).getByTestId('drift-badge');
  await expect(badge).toBeVisible();
  await expect(badge).toHaveAttribute('data-state', /^(unchecked|clean|drifted)$/);
  await expect(list.row(MODULE).getByTestId('commit')).toHaveText(/^[0-9a-f]{7}$/);
  await expect(list.row(PLAIN)).toBeVisible();
  await expect(list.row(PLAIN).getByTestId('drift-badge')).toHaveCount(0);

  // A viewer may not patch: the page explains instead of offering the button.
  await new OwnerPage(page, env.namespace, 'modules', MODULE).goto();
  await expect(page.getByTestId('drift-check-denied')).toContainText('may not patch tofumodules');
  await expect(page.getByTestId('check-drift')).toHaveCount(0);
});

test('the Queue page lists a waiting run with its place, and its page says Queued instead of Pending', async ({ page, env, signIn }) => {
  const ns = env.namespace;
  // A plan of a module that does not exist stays Pending (ModuleNotFound) and never gets a Job; its
  // place in the queue is written through the status subresource like the operator's run queue does.
  apply({
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuExecution',
    metadata: { name: QUEUED, namespace: ns },
    spec: { action: 'plan', moduleRef: { name: 'not-created-yet' }, purpose: 'DriftCheck' },
  });
  await waitFor(
    'the run to be Pending',
    () =>
      (JSON.parse(kubectl(['get', 'tofuexecution', QUEUED, '-n', ns, '-o', 'json'])) as { status?: { phase?: string } }).status?.phase ===
      'Pending',
    30_000,
  );
  const since = new Date(Date.now() - 90_000).toISOString();
  const queue = { queue: { position: 3, length: 12, limit: 'Operator', since } };
  kubectl(['patch', 'tofuexecution', QUEUED, '-n', ns, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: queue })]);

  await signIn(page, env.viewerToken);
  await page.goto(`/ns/${ns}`);
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Queue' }).click();
  await expect(page).toHaveURL(new RegExp(`/ns/${ns}/queue$`));
  await expect(page.getByRole('link', { name: 'Queue', exact: true })).toHaveAttribute('aria-current', 'page');
  await expect(page).toHaveTitle(`Queue · ${ns} — tofu-operator`);
  const row = page.getByTestId(`queue-${QUEUED}`);
  await expect(row.getByTestId('queue-place')).toHaveText('3rd of 12');
  await expect(row).toContainText('plan (drift check)');
  await expect(row).toContainText('operator cap');
  await expect(row.getByRole('link', { name: 'module not-created-yet' })).toHaveAttribute('href', `/ns/${ns}/modules/not-created-yet`);
  await expect(row.locator('time')).toHaveAttribute('title', `${since.slice(0, 19).replace('T', ' ')} UTC`);
  await screenshot(page, 'continuous-03-queue');

  await row.getByRole('link', { name: QUEUED }).click();
  await expect(page.locator('h1').getByTestId('queue-position')).toHaveText(/Queued: 3rd of 12 \(operator cap\)/);
  await expect(page.locator('h1').getByTestId('execution-purpose')).toHaveText('Drift check');

  // It leaves the queue the moment status.queue goes (live over the socket, no reload).
  await page.goto(`/ns/${ns}/queue`);
  await expect(page.getByTestId(`queue-${QUEUED}`)).toBeVisible();
  kubectl([
    'patch',
    'tofuexecution',
    QUEUED,
    '-n',
    ns,
    '--subresource=status',
    '--type=json',
    '-p',
    '[{"op":"remove","path":"/status/queue"}]',
  ]);
  await expect(page.getByTestId(`queue-${QUEUED}`)).toHaveCount(0);
  await expect(page.getByText(`No run is waiting in ${ns}`)).toBeVisible();
});
