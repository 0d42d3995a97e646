// Issue 14, item 2: a flood of bad bearer tokens at the API port must not stall the operator. The
// real operator process serves the flood (thousands of requests with random tokens, from loopback
// only, bounded concurrency) while a module is created: its Job must appear within the latency
// measured without the flood (≤ 2× + 3 s), and the leader Lease must keep being renewed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { TofuModule } from '@tofu-operator/api-types';
import type { KubeObject } from '@tofu-operator/reconcile-runtime';
import {
  admin,
  deleteNamespace,
  freePort,
  installCrdsAndRbac,
  listExecutions,
  listJobs,
  newNamespace,
  operatorKubeconfig,
  OperatorProcess,
  sleep,
  TofuModules,
  UNSCHEDULABLE,
  waitFor,
} from './harness.js';

const REPO = 'git://10.88.0.1/samples.git';
/** Bad-token requests in flight at once, and at least how many the flood sends. */
const CONCURRENCY = 128;
const MIN_REQUESTS = 3_000;

interface Lease extends KubeObject {
  spec?: { holderIdentity?: string; renewTime?: string };
}

function moduleObj(ns: string, name: string): TofuModule {
  return {
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuModule',
    metadata: { name, namespace: ns },
    spec: { source: { repository: REPO, revision: 'main', workdir: 'examples/hello' }, executionTemplate: { ...UNSCHEDULABLE } },
  };
}

/** Creates a module and returns the milliseconds until the Job of its execution exists. */
async function jobLatency(ns: string, name: string): Promise<number> {
  const started = performance.now();
  await admin.create<TofuModule>(TofuModules, ns, moduleObj(ns, name));
  await waitFor(
    `the Job of module ${ns}/${name}`,
    async () => {
      const execs = (await listExecutions(ns)).filter((e) =>
        e.metadata.ownerReferences?.some((r) => r.kind === 'TofuModule' && r.name === name),
      );
      if (execs.length === 0) return false;
      const names = new Set(execs.map((e) => e.metadata.name));
      return (await listJobs(ns)).some((j) => j.metadata?.ownerReferences?.some((r) => names.has(r.name)));
    },
    120_000,
    100,
  );
  return performance.now() - started;
}

describe('a flood of bad bearer tokens at the API', () => {
  let operator: OperatorProcess;
  let base: string;
  let ns: string;
  const leasePath = `/apis/coordination.k8s.io/v1/namespaces/tofu-operator-system/leases/int-${process.pid}`;

  before(async () => {
    await installCrdsAndRbac();
    ns = await newNamespace('review-flood');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    operator = new OperatorProcess(await operatorKubeconfig(), {
      PORT: String(port),
      HOST: '127.0.0.1',
      TOFU_OPERATOR_WATCH_NAMESPACE: ns,
    });
    operator.start();
    await operator.waitUntilLeading();
    await waitFor('the API is ready', async () => (await fetch(`${base}/readyz`)).ok);
  });

  after(async () => {
    await operator?.stop();
    if (ns) await deleteNamespace(ns);
  });

  it('creates a Job within the normal latency and keeps renewing the Lease', async () => {
    const calm = await jobLatency(ns, 'calm');

    const statuses = new Map<number, number>();
    let sent = 0;
    let stop = false;
    const worker = async () => {
      while (!stop || sent < MIN_REQUESTS) {
        sent++;
        const token = randomBytes(24).toString('base64url');
        const res = await fetch(`${base}/api/v1/namespaces/${ns}/modules`, {
          headers: { authorization: `Bearer ${token}` },
          signal: AbortSignal.timeout(30_000),
        });
        await res.arrayBuffer();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status === 429 || res.status === 503)
          assert.ok(Number(res.headers.get('retry-after')) >= 1, `${res.status} without Retry-After`);
      }
    };
    const renewals = new Set<string>();
    let watching = true;
    const leaseWatch = (async () => {
      while (watching) {
        const lease = await admin.request<Lease>('GET', leasePath);
        if (lease.spec?.renewTime) renewals.add(lease.spec.renewTime);
        await sleep(250);
      }
    })();

    const flood = Promise.all(Array.from({ length: CONCURRENCY }, worker));
    // Let the flood build up before the module arrives.
    await sleep(2_000);
    const sentBefore = sent;
    const stormy = await jobLatency(ns, 'stormy');
    const sentDuring = sent - sentBefore;
    // Keep flooding a few more seconds so several renewals fall inside it.
    await sleep(5_000);
    stop = true;
    await flood;
    watching = false;
    await leaseWatch;

    const summary = `calm ${Math.round(calm)} ms, during the flood ${Math.round(stormy)} ms; ${sent} requests (${sentDuring} while waiting for the Job), statuses ${JSON.stringify(Object.fromEntries(statuses))}, ${renewals.size} distinct renewTimes`;
    console.log(summary);
    assert.ok(sent >= MIN_REQUESTS, summary);
    assert.ok(sentDuring >= 100, `the flood ran while the Job was awaited: ${summary}`);
    assert.deepEqual(
      [...statuses.keys()].filter((s) => ![401, 429, 503].includes(s)),
      [],
      `only refusals: ${summary}`,
    );
    assert.ok((statuses.get(429) ?? 0) > 0, `the address was limited: ${summary}`);
    assert.ok(stormy <= 2 * calm + 3_000, `Job latency under the flood: ${summary}`);
    // Renewals every retry period (0.5 s): over the ≥ 9 s of flood, many distinct renewTimes.
    assert.ok(renewals.size >= 5, `Lease renewals: ${summary}`);
    const times = [...renewals].map((t) => Date.parse(t)).sort((a, b) => a - b);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    assert.ok(Math.max(...gaps) < 4_000, `no gap between renewals reaches the 4 s lease duration: ${gaps.join(', ')} ms`);
    const lease = await admin.request<Lease>('GET', leasePath);
    assert.ok(lease.spec?.holderIdentity, 'the Lease is still held');
    assert.ok(Date.now() - Date.parse(lease.spec?.renewTime ?? '') < 4_000, `the Lease is fresh: ${lease.spec?.renewTime}`);
    assert.ok(!/lost leadership|leadership lost/i.test(operator.log()), 'the operator never lost the Lease');
  });
});
