// One namespace with N stacks (issue 15): `npm run bench:dashboard -- --stacks 10000 [--runs 5]
// [--pages 100,500] [--passes 5]`. Creates N stacks in a fresh namespace with a client of its own
// (HTTPS with the admin kubeconfig's certificate, 32 requests at a time), waits until the operator
// has written every stack's status, then prints
//   (a) the REST list of all of them through the operator's API (GET …/stacks?limit=<page>,
//       following `continue`): p50 / p99 / max per page over `passes` full passes, per page size;
//   (b) the stacks list page in Chromium: LCP (median of `runs` fresh tabs), and the time from
//       navigation until search covers every stack (the list's "Loading stacks" line gone and
//       "N stacks" shown), then the time from typing the last stack's name to its row alone.
// The stacks' module does not exist: the operator marks each one Ready=False ModuleNotFound (one
// status write) and plans none of them, so no execution, Job or pod is made for 10,000 stacks.
// Needs `npm run build` (dashboard and operator) and the local cluster.
import { request, Agent } from 'node:https';
import { chromium, type Page } from '@playwright/test';
import {
  deleteNamespace,
  freePort,
  installCrdsAndRbac,
  kubectl,
  newNamespace,
  operatorKubeconfig,
  serviceAccountToken,
  waitFor,
} from './cluster.ts';
import { dashboardProcess, operatorProcess } from './processes.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const n = Number(option('stacks', '10000'));
const runs = Number(option('runs', '5'));
const passes = Number(option('passes', '5'));
const pageSizes = option('pages', '100,500').split(',').map(Number);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};
const ms = (v: number) => `${v.toFixed(1)} ms`;
const name = (i: number) => `stack-${String(i).padStart(5, '0')}`;

/** Creates the stacks straight at the API server, `parallel` requests at a time. */
async function createStacks(ns: string): Promise<number> {
  const cfg = JSON.parse(kubectl(['config', 'view', '--raw', '--minify', '-o', 'json'])) as {
    clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
    users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[];
  };
  const b64 = (s: string) => Buffer.from(s, 'base64');
  const url = new URL(`${cfg.clusters[0]!.cluster.server}/apis/tofu-operator.io/v1alpha1/namespaces/${ns}/tofustacks`);
  const agent = new Agent({
    keepAlive: true,
    maxSockets: 32,
    ca: b64(cfg.clusters[0]!.cluster['certificate-authority-data']),
    cert: b64(cfg.users[0]!.user['client-certificate-data']),
    key: b64(cfg.users[0]!.user['client-key-data']),
  });
  const create = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const body = JSON.stringify({
        apiVersion: 'tofu-operator.io/v1alpha1',
        kind: 'TofuStack',
        metadata: { name: name(i), namespace: ns, labels: { team: `team-${i % 20}` } },
        spec: { moduleRef: { name: 'no-such-module' }, variables: { index: String(i) } },
      });
      const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`creating ${name(i)} answered ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(body);
    });
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < n) await create(next++);
    }),
  );
  agent.destroy();
  return performance.now() - t0;
}

interface ListPage {
  items: { status?: { conditions?: unknown[] } }[];
  metadata: { continue?: string };
}

/** One full pass over the list: the time of each page, and how many stacks have a status. */
async function pass(
  api: string,
  ns: string,
  token: string,
  limit: number,
): Promise<{ times: number[]; count: number; withStatus: number }> {
  const times: number[] = [];
  let cont: string | undefined;
  let count = 0;
  let withStatus = 0;
  do {
    const q = new URLSearchParams({ limit: String(limit) });
    if (cont) q.set('continue', cont);
    const t0 = performance.now();
    const res = await fetch(`${api}/api/v1/namespaces/${ns}/stacks?${q.toString()}`, { headers: { authorization: `Bearer ${token}` } });
    const page = (await res.json()) as ListPage;
    times.push(performance.now() - t0);
    if (!res.ok) throw new Error(`the list answered ${res.status}`);
    count += page.items.length;
    withStatus += page.items.filter((s) => (s.status?.conditions?.length ?? 0) > 0).length;
    cont = page.metadata.continue || undefined;
  } while (cont);
  return { times, count, withStatus };
}

/** LCP of a fresh load of the list, and when search covers every stack (both in the page's clock). */
interface Load {
  lcp: number | undefined;
  /** What the LCP entry painted ("DIV.td td-name stack-00001"). */
  lcpElement: string;
  /** When the first list request's answer ended, and the first contentful paint (page clock). */
  firstPage: number;
  fcp: number;
  complete: number;
  search: number;
}

async function loadList(page: Page, url: string): Promise<Load> {
  await page.goto(url, { waitUntil: 'commit' });
  await page.locator(`[data-name="${name(0)}"]`).waitFor({ timeout: 60_000 });
  await page
    .getByTestId('shown-count')
    .and(page.getByText(`${n} stacks`, { exact: true }))
    .waitFor({ timeout: 120_000 });
  await page.getByTestId('list-loading').waitFor({ state: 'detached' });
  const complete = await page.evaluate(() => performance.now());
  const found = await page.evaluate(
    () =>
      new Promise<{ lcp: number | null; element: string; firstPage: number; fcp: number }>((resolve) => {
        let last: { startTime: number; element?: Element | null } | null = null;
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) last = e;
        }).observe({ type: 'largest-contentful-paint', buffered: true });
        const lists = performance
          .getEntriesByType('resource')
          .filter((r) => /\/stacks\?limit=/.test(r.name) && !r.name.includes('continue')) as PerformanceResourceTiming[];
        const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1;
        setTimeout(() => {
          const el = last?.element;
          const element = el ? `${el.tagName}.${el.className} ${(el.textContent ?? '').slice(0, 30)}` : 'none';
          resolve({ lcp: last?.startTime ?? null, element, firstPage: lists[0]?.responseEnd ?? -1, fcp });
        }, 500);
      }),
  );
  const t0 = performance.now();
  await page.getByRole('searchbox').fill(name(n - 1));
  await page
    .getByTestId('shown-count')
    .and(page.getByText(`1 of ${n} stacks`, { exact: true }))
    .waitFor();
  await page.locator(`[data-name="${name(n - 1)}"]`).waitFor();
  return {
    lcp: found.lcp ?? undefined,
    lcpElement: found.element,
    firstPage: found.firstPage,
    fcp: found.fcp,
    complete,
    search: performance.now() - t0,
  };
}

export async function stacksBench(): Promise<void> {
  installCrdsAndRbac();
  const ns = newNamespace('dash-stacks');
  const token = serviceAccountToken(ns, 'bench', ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']);
  const apiPort = await freePort();
  const api = `http://127.0.0.1:${apiPort}`;
  const operator = operatorProcess(operatorKubeconfig(), apiPort, {
    TOFU_OPERATOR_WATCH_NAMESPACE: ns,
    LOG_LEVEL: 'warn',
    // The status writes of N stacks settle in N / 200 s instead of N / 50 s.
    TOFU_OPERATOR_KUBE_QPS: '200',
    TOFU_OPERATOR_KUBE_BURST: '400',
  });
  const dashPort = await freePort();
  const dashboard = dashboardProcess(dashPort, api);
  const base = `http://127.0.0.1:${dashPort}`;
  const browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', headless: true });
  try {
    operator.start();
    await operator.waitHealthy(`${api}/readyz`);
    dashboard.start();
    await dashboard.waitHealthy(`${base}/sign-in`);
    const createdMs = await createStacks(ns);
    console.log(`created ${n} stacks in ${(createdMs / 1000).toFixed(1)} s; waiting for the operator to write their status`);
    const t0 = performance.now();
    await waitFor(
      `the operator to write the status of ${n} stacks`,
      async () => {
        const p = await pass(api, ns, token, 500);
        return p.count === n && p.withStatus === n;
      },
      900_000,
      2000,
    );
    console.log(`settled ${((performance.now() - t0) / 1000).toFixed(1)} s after the last create`);

    const rest: string[] = [];
    for (const limit of pageSizes) {
      const times: number[] = [];
      for (let i = 0; i < passes; i++) times.push(...(await pass(api, ns, token, limit)).times);
      const full = times.reduce((a, b) => a + b, 0) / passes;
      rest.push(
        `  limit ${String(limit).padStart(4)}: ${times.length / passes} pages a pass; per page p50 ${ms(pct(times, 50))}, p99 ${ms(pct(times, 99))}, max ${ms(Math.max(...times))}; a full pass ${ms(full)}`,
      );
    }

    const context = await browser.newContext({ baseURL: base, viewport: { width: 1360, height: 900 } });
    const signIn = await context.newPage();
    await signIn.goto('/sign-in');
    await signIn.getByLabel('Bearer token').fill(token);
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    await signIn.waitForURL(`**/ns/${ns}`);
    await signIn.close();
    const loads: Load[] = [];
    for (let i = 0; i < runs; i++) {
      // A new tab each time: no client cache.
      const p = await context.newPage();
      loads.push(await loadList(p, `/ns/${ns}/stacks`));
      await p.close();
    }
    const lcps = loads.flatMap((l) => (l.lcp === undefined ? [] : [l.lcp]));
    console.log(`\n${n} stacks in one namespace (Chromium ${browser.version()}, local cluster, ${new Date().toISOString()})`);
    console.log(`REST list through the operator's API, ${passes} full passes per page size:`);
    for (const line of rest) console.log(line);
    console.log(`stacks list page, ${runs} fresh tabs, medians (min..max):`);
    const line = (xs: number[]) => `${ms(pct(xs, 50))} (${ms(Math.min(...xs))}..${ms(Math.max(...xs))})`;
    console.log(
      `  LCP                               ${lcps.length ? line(lcps) : 'missing'}${lcps.length < runs ? ` (${runs - lcps.length} loads without an LCP entry)` : ''}`,
    );
    console.log(`  first contentful paint            ${line(loads.map((l) => l.fcp))}`);
    console.log(`  first list page's answer ended    ${line(loads.map((l) => l.firstPage))}`);
    console.log(`  LCP elements: ${[...new Set(loads.map((l) => l.lcpElement))].join(' | ')}`);
    console.log(`  navigation -> all ${n} loaded      ${line(loads.map((l) => l.complete))}`);
    console.log(`  typing the last name -> its row   ${line(loads.map((l) => l.search))}`);
  } finally {
    await browser.close();
    await Promise.all([dashboard.stop(), operator.stop()]);
    deleteNamespace(ns);
  }
}
