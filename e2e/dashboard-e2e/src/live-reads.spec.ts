// A REST read and a live event of the same object cross: the page must keep the event's (newer)
// object, not the read's answer from before it. Here the run page's read of a run is held in the
// browser while the run changes (an annotation, shown in the page's YAML view), then let go with its
// older answer. Before the fix the page went back to the older object for good (no further event
// came): a stack's DependencyNotApplied written just after its page read the stack never showed.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { apply, kubectl } from './cluster.ts';
import { readEnv } from './env.ts';

const RUN = 'live-read-run';
const NOTE = 'e2e.tofu-operator.io/live-read';

const annotate = (ns: string, value: string) => kubectl(['annotate', 'tofuexecution', RUN, '-n', ns, `${NOTE}=${value}`, '--overwrite']);

test.beforeAll(() => {
  // A plan of a module that does not exist stays Pending and never gets a Job.
  apply({
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuExecution',
    metadata: { name: RUN, namespace: readEnv().namespace },
    spec: { action: 'plan', moduleRef: { name: 'live-read-none' } },
  });
});

test.afterAll(() => {
  kubectl(['delete', 'tofuexecution', RUN, '-n', readEnv().namespace, '--ignore-not-found', '--wait=false']);
});

/**
 * Watches the page's next socket (socket.io frames): `subscribed` resolves once its namespace
 * subscription is acknowledged, `received(text)` once a frame holding `text` arrived.
 */
function watchSocket(page: Page): { subscribed: Promise<void>; received: (text: string) => Promise<void> } {
  const frames: string[] = [];
  const waiters: { text: string; resolve: () => void }[] = [];
  let subscribed!: () => void;
  const isSubscribed = new Promise<void>((r) => (subscribed = r));
  page.on('websocket', (ws) => {
    const ids = new Set<string>();
    ws.on('framesent', (f) => {
      const m = /^42(\d+)\["namespace:subscribe"/.exec(String(f.payload));
      if (m) ids.add(m[1]!);
    });
    ws.on('framereceived', (f) => {
      const payload = String(f.payload);
      const m = /^43(\d+)\[\{"ok":true/.exec(payload);
      if (m && ids.has(m[1]!)) subscribed();
      frames.push(payload);
      for (const w of waiters) if (payload.includes(w.text)) w.resolve();
    });
  });
  const received = (text: string) =>
    frames.some((f) => f.includes(text)) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ text, resolve }));
  return { subscribed: isSubscribed, received };
}

test("an object's read that answers after a newer live event of it does not bring the older object back", async ({ page, env, signIn }) => {
  const ns = env.namespace;
  annotate(ns, 'first');
  await signIn(page, env.viewerToken);
  await page.goto(`/ns/${ns}/executions/${RUN}`);
  const yaml = page.getByTestId('yaml-text');
  await page.getByTestId('yaml').locator('summary').click();
  await expect(yaml).toContainText(`${NOTE}: first`);
  // Live: a change shows without a reload.
  annotate(ns, 'second');
  await expect(yaml).toContainText(`${NOTE}: second`);

  // Reloaded, the page reads the run again; that read is held until the page is subscribed and the
  // run has changed once more.
  let held!: () => void;
  const isHeld = new Promise<void>((r) => (held = r));
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const itemPath = `/api/v1/namespaces/${ns}/executions/${RUN}`;
  const isItem = (u: URL) => u.pathname === itemPath;
  await page.route(isItem, async (route) => {
    const older = await route.fetch();
    held();
    await released;
    await route.fulfill({ response: older });
  });
  const socket = watchSocket(page);
  await page.reload();
  await isHeld;
  await socket.subscribed;
  annotate(ns, 'third');
  // The event is in the page before the read is let go.
  await socket.received(`"${NOTE}":"third"`);

  const answered = page.waitForResponse((r) => isItem(new URL(r.url())));
  release();
  const older = (await (await answered).json()) as { metadata: { annotations: Record<string, string> } };
  expect(older.metadata.annotations[NOTE], 'the held answer is the older object').toBe('second');
  await page.getByTestId('yaml').locator('summary').click();
  await expect(yaml).toContainText(`${NOTE}: third`);
  await page.unroute(isItem);
});
