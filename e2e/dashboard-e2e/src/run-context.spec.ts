// Issue 17 item 4 in the browser, against the real stack: a run's page tells where it came from (the
// trigger, the commit it checked out, the revision, repository and workdir, its Job and Pod) and the
// steps the runner went through; a re-plan from the module's page is shown as a re-plan request; a
// running plan is cancelled from its page (a real stop: its Job and pod are gone).
import { createServer, type Server, type Socket } from 'node:net';
import type { Locator, Page } from '@playwright/test';
import { expect, test, signOut } from './fixtures.ts';
import { apply, kubectl, serveRepo, waitFor } from './cluster.ts';
import { readEnv } from './env.ts';
import { ExecutionPage, OwnerPage, screenshot } from './pages/pages.ts';

test.describe.configure({ mode: 'serial' });

const MODULE = 'context';
const WORKDIR = 'stacks/context';
/** No resources, no outputs: the plan has no changes and the run ends by itself. */
const MAIN_TF = 'terraform {}\n';
const SLOW = 'slow-context';
/**
 * A plan that runs until it is stopped: its module comes from an https git server that accepts the
 * connection and never answers (a server of this test on the node's bridge), so `tofu init` waits.
 * A plan that only takes long (thousands of resources) can end before the page is ready to cancel it.
 */
const slowTf = (port: number) => `module "stalled" {\n  source = "git::https://10.88.0.1:${port}/never.git"\n}\n`;

interface Execution {
  metadata: { name: string; annotations?: Record<string, string> };
  status?: { phase?: string; jobName?: string; podName?: string; plan?: { commit?: string } };
}

/** The Context card of a run page. */
class RunContextCard {
  constructor(private readonly page: Page) {}
  item(name: 'trigger' | 'commit' | 'revision' | 'repository' | 'workdir' | 'job' | 'pod'): Locator {
    return this.page.getByTestId(`run-${name}`);
  }
  step(name: 'clone' | 'init' | 'plan'): Locator {
    return this.page.getByTestId(`run-step-${name}`);
  }
  steps(): Locator {
    return this.page.getByTestId('run-steps').locator('li');
  }
}

let repoUrl = '';

function execution(ns: string, name: string): Execution {
  return JSON.parse(kubectl(['get', 'tofuexecution', name, '-n', ns, '-o', 'json'])) as Execution;
}

function executionsOf(ns: string, module = MODULE): Execution[] {
  const list = JSON.parse(kubectl(['get', 'tofuexecution', '-n', ns, '-l', `tofu-operator.io/module=${module}`, '-o', 'json'])) as {
    items: Execution[];
  };
  return list.items;
}

test.beforeAll(() => {
  const { namespace: ns } = readEnv();
  repoUrl = serveRepo('dash-context', { [`${WORKDIR}/main.tf`]: MAIN_TF });
  apply({
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuModule',
    metadata: { name: MODULE, namespace: ns },
    spec: { source: { repository: repoUrl, revision: 'main', workdir: WORKDIR }, executionTemplate: { activeDeadlineSeconds: 600 } },
  });
});

test('the first run of a module names its trigger, commit, source, Job, Pod and steps', async ({ page, env, signIn }) => {
  const ns = env.namespace;
  const first = await waitFor(
    'the module to finish its first plan',
    () => executionsOf(ns).find((e) => e.status?.phase === 'Succeeded'),
    170_000,
    1000,
  );
  const commit = first.status?.plan?.commit ?? '';
  expect(commit).toMatch(/^[0-9a-f]{40}$/);
  expect(first.status?.jobName).toBeTruthy();
  expect(first.status?.podName).toBeTruthy();

  await signIn(page, env.viewerToken);
  await page.goto(`/ns/${ns}/executions/${first.metadata.name}`);
  const exec = new ExecutionPage(page);
  await exec.waitForPhase('Succeeded');
  const card = new RunContextCard(page);
  await expect(card.item('trigger')).toContainText('Created');
  await expect(card.item('trigger')).toContainText(first.metadata.annotations?.['tofu-operator.io/trigger'] ?? 'no trigger annotation');
  // Shown short, the whole SHA on hover; a git:// repository has no web page, so no link.
  await expect(card.item('commit')).toHaveText(commit.slice(0, 7));
  await expect(card.item('commit').locator('[title]')).toHaveAttribute('title', commit);
  await expect(card.item('commit').locator('a')).toHaveCount(0);
  await expect(card.item('revision')).toHaveText('main');
  await expect(card.item('repository')).toHaveText(repoUrl);
  await expect(card.item('workdir')).toHaveText(WORKDIR);
  await expect(card.item('job')).toHaveText(first.status!.jobName!);
  await expect(card.item('pod')).toHaveText(first.status!.podName!);
  // The runner's markers, in order, every one done.
  await expect(card.steps()).toHaveCount(3);
  for (const step of ['clone', 'init', 'plan'] as const) await expect(card.step(step)).toHaveAttribute('data-state', 'done');
  await expect(card.step('clone')).toContainText(`cloning ${repoUrl} at main`);
  await expect(card.step('plan')).toContainText('tofu plan');
  await screenshot(page, '40-run-context');
});

test('a re-plan from the module page is shown as a re-plan request', async ({ page, env, signIn }) => {
  const ns = env.namespace;
  await signIn(page, env.editorToken);
  const module = new OwnerPage(page, ns, 'modules', MODULE);
  await module.goto();
  await module.plan();
  await expect(page).toHaveURL(new RegExp(`/ns/${ns}/executions/${MODULE}-`));
  const name = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
  const exec = new ExecutionPage(page);
  await exec.waitForPhase('Succeeded');
  const trigger = execution(ns, name).metadata.annotations?.['tofu-operator.io/trigger'] ?? '';
  const requestedAt = /\/r([^/]+)/.exec(trigger)?.[1];
  expect(requestedAt, `trigger ${trigger} carries the request`).toBeTruthy();
  const card = new RunContextCard(page);
  await expect(card.item('trigger')).toContainText('Re-plan request');
  await expect(card.item('trigger')).toContainText(`requested at ${requestedAt}`);
  await expect(card.item('job')).toHaveText(execution(ns, name).status!.jobName!);
  await expect(card.steps()).toHaveCount(3);
});

test('a running plan is cancelled from its page: Failed (Cancelled), its Job and pod gone', async ({ page, env, signIn }) => {
  const ns = env.namespace;
  const held: Socket[] = [];
  const stall: Server = createServer((socket) => held.push(socket));
  await new Promise<void>((resolve) => stall.listen(0, '0.0.0.0', resolve));
  const port = (stall.address() as { port: number }).port;
  await test.info().attach('stalling server', { body: `0.0.0.0:${port}` });
  const slowRepo = serveRepo('dash-context-slow', { 'slow/main.tf': slowTf(port) });
  apply({
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuModule',
    metadata: { name: SLOW, namespace: ns },
    spec: { source: { repository: slowRepo, revision: 'main', workdir: 'slow' }, executionTemplate: { activeDeadlineSeconds: 600 } },
  });
  try {
    await cancelFromPage();
  } finally {
    for (const socket of held) socket.destroy();
    stall.close();
  }

  async function cancelFromPage(): Promise<void> {
    const running = await waitFor(
      'the slow plan to run in its pod',
      () => executionsOf(ns, SLOW).find((e) => e.status?.phase === 'Running' && e.status.podName),
      120_000,
      1000,
    );
    const name = running.metadata.name;
    const exec = new ExecutionPage(page);

    // A reader sees the button disabled with the reason.
    await signIn(page, env.viewerToken);
    await page.goto(`/ns/${ns}/executions/${name}`);
    await expect(page.getByTestId('cancel-run')).toBeDisabled();
    await expect(page.getByTestId('cancel-run')).toHaveAttribute('title', `Your token may not patch tofuexecutions in ${ns}`);

    await signOut(page);
    await signIn(page, env.editorToken);
    await page.goto(`/ns/${ns}/executions/${name}`);
    await expect(exec.phase()).toContainText('Running');
    await page.getByTestId('cancel-run').click();
    const dialog = page.getByTestId('cancel-dialog');
    await expect(dialog).toBeVisible();
    await dialog.getByTestId('cancel-confirm').click();
    await exec.waitForPhase('Failed', 60_000);
    await expect(exec.failure()).toContainText('Failed (Cancelled)');
    await expect(exec.failureMessage()).toContainText('cancelled (requested at');
    await expect(page.getByTestId('cancel-run')).toHaveCount(0);
    const card = new RunContextCard(page);
    await expect(card.item('job')).toHaveText(running.status!.jobName!);
    await expect(card.item('pod')).toHaveText(running.status!.podName!);
    await screenshot(page, '41-run-cancelled');

    const cancelled = execution(ns, name);
    expect(cancelled.status?.phase).toBe('Failed');
    expect(cancelled.metadata.annotations?.['tofu-operator.io/cancel-requested-at']).toBeTruthy();
    await waitFor(
      'the Job and its pod to be gone',
      () =>
        !kubectl(['get', 'jobs,pods', '-n', ns, '-o', 'name'])
          .split('\n')
          .some((l) => l === `job.batch/${running.status!.jobName!}` || l === `pod/${running.status!.podName!}`),
      60_000,
      1000,
    );
  }
});
