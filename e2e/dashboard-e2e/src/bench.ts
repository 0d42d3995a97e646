// Dashboard benchmark (npm run bench:dashboard [runs]): in Debian's Chromium, against the whole
// stack on the local cluster, prints the medians of
//   - LCP (largest contentful paint) of the overview, a list and an execution page: the startTime of
//     the last largest-contentful-paint entry the browser recorded for a fresh tab's load, in the
//     page's clock from navigation start. A load with no entry is reported as missing (counted, and
//     left out of the median), never as 0 s; and
//   - click-to-first-log: from the click on Plan to the first log line shown on the execution page.
// Needs `npm run build` (dashboard and operator) and the local cluster (`npm run cluster -- up`).
// `npm run bench:dashboard -- --stacks N …` is the big-list benchmark instead (bench-stacks.ts).
import { chromium, type Page } from '@playwright/test';
import {
  deleteNamespace,
  freePort,
  installCrdsAndRbac,
  newNamespace,
  operatorKubeconfig,
  SAMPLES_REPO,
  serviceAccountToken,
  waitFor,
} from './cluster.ts';
import { dashboardProcess, operatorProcess } from './processes.ts';
import { stacksBench } from './bench-stacks.ts';

const runs = Number(process.argv[2] ?? 5);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** The LCP of a page load, from the browser's own PerformanceObserver; undefined when it recorded none. */
async function lcp(page: Page, url: string, ready: string): Promise<number | undefined> {
  await page.goto(url, { waitUntil: 'load' });
  await page.locator(ready).first().waitFor();
  const ms = await page.evaluate(
    () =>
      new Promise<number | null>((resolve) => {
        let last: number | null = null;
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) last = e.startTime;
        }).observe({ type: 'largest-contentful-paint', buffered: true });
        // LCP entries stop at the first input; give late paints a moment.
        setTimeout(() => resolve(last), 500);
      }),
  );
  return ms ?? undefined;
}

/** Median, min and max of the loads that have a figure, and how many have none. */
function lcpLine(values: (number | undefined)[]): string {
  const got = values.filter((v): v is number => v !== undefined);
  const missing = values.length - got.length;
  const note = missing > 0 ? `   ${missing} of ${values.length} loads recorded no LCP entry` : '';
  if (got.length === 0) return `missing (no LCP entry in ${values.length} loads)`;
  return `${fmt(median(got))}   (min ${fmt(Math.min(...got))}, max ${fmt(Math.max(...got))})${note}`;
}

async function main(): Promise<void> {
  installCrdsAndRbac();
  const ns = newNamespace('dash-bench');
  const token = serviceAccountToken(ns, 'bench', ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']);
  const apiPort = await freePort();
  const operator = operatorProcess(operatorKubeconfig(), apiPort, { TOFU_OPERATOR_WATCH_NAMESPACE: ns, LOG_LEVEL: 'info' });
  const dashPort = await freePort();
  const dashboard = dashboardProcess(dashPort, `http://127.0.0.1:${apiPort}`);
  const base = `http://127.0.0.1:${dashPort}`;
  const browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', headless: true });
  try {
    operator.start();
    await operator.waitHealthy(`http://127.0.0.1:${apiPort}/readyz`);
    dashboard.start();
    await dashboard.waitHealthy(`${base}/sign-in`);

    const context = await browser.newContext({ baseURL: base });
    const page = await context.newPage();
    await page.goto('/sign-in');
    await page.getByLabel('Bearer token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`**/ns/${ns}`);
    const res = await page.request.post(`/api/v1/namespaces/${ns}/modules`, {
      headers: { origin: base },
      data: { metadata: { name: 'bench' }, spec: { source: { repository: SAMPLES_REPO, revision: 'main', workdir: 'hello' } } },
    });
    if (res.status() !== 201) throw new Error(`creating the module answered ${res.status()}: ${await res.text()}`);
    const finished = async () => {
      const r = await page.request.get(`/api/v1/namespaces/${ns}/modules/bench`);
      const m = (await r.json()) as { status?: { phase?: string; lastExecution?: { name: string } } };
      return (m.status?.phase === 'Succeeded' || m.status?.phase === 'Failed') && m.status.lastExecution
        ? m.status.lastExecution.name
        : undefined;
    };
    let execution = await waitFor('the first plan', finished, 180_000, 500);

    const clickToLog: number[] = [];
    for (let i = 0; i < runs; i++) {
      await page.goto(`/ns/${ns}/modules/bench`);
      await page.getByTestId('plan').waitFor();
      // Time both ends in the page's own clock: the click, and the first log line added to the DOM.
      await page.evaluate(() => {
        const w = window as unknown as { __click?: number; __firstLog?: number };
        document.addEventListener('click', () => (w.__click ??= performance.now()), { capture: true, once: true });
        new MutationObserver((_, obs) => {
          if (document.querySelector('[data-testid="log"] .log-line')) {
            w.__firstLog = performance.now();
            obs.disconnect();
          }
        }).observe(document.body, { childList: true, subtree: true });
      });
      await page.getByTestId('plan').click();
      await page.locator('[data-testid="log"] .log-line').first().waitFor({ timeout: 120_000 });
      clickToLog.push(
        await page.evaluate(() => {
          const w = window as unknown as { __click: number; __firstLog: number };
          return w.__firstLog - w.__click;
        }),
      );
      await page.getByTestId('log-state').and(page.locator('[data-state="ended"]')).waitFor({ timeout: 180_000 });
      execution = await waitFor('the run to finish', finished, 180_000, 300);
    }

    const pages = [
      ['overview', `/ns/${ns}`, '[data-testid="count-modules"]'],
      ['modules list', `/ns/${ns}/modules`, '[data-name="bench"]'],
      ['execution', `/ns/${ns}/executions/${execution}`, '[data-testid="log"] .log-line'],
    ] as const;
    const lcps: Record<string, (number | undefined)[]> = {};
    for (let i = 0; i < runs; i++) {
      for (const [name, url, ready] of pages) {
        // A new page each time: no client cache, the server's as a user's second visit finds it.
        const p = await context.newPage();
        (lcps[name] ??= []).push(await lcp(p, url, ready));
        await p.close();
      }
    }
    console.log(`dashboard benchmark, ${runs} runs each, medians (Chromium ${browser.version()}, local cluster)`);
    for (const [name] of pages) console.log(`  LCP ${name.padEnd(14)} ${lcpLine(lcps[name] ?? [])}`);
    console.log(
      `  click Plan -> first log line ${fmt(median(clickToLog))}   (min ${fmt(Math.min(...clickToLog))}, max ${fmt(Math.max(...clickToLog))})`,
    );
  } finally {
    await browser.close();
    await Promise.all([dashboard.stop(), operator.stop()]);
    deleteNamespace(ns);
  }
}

if (process.argv.includes('--stacks')) await stacksBench();
else await main();
