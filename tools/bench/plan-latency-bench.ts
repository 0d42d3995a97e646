// Benchmark (not a test): from creating a stack to its first runner log line and to Succeeded, on
// the local cluster with the real node, split into phases. The clock starts just before the stack's
// create call. Each phase time is when this script first saw the change by polling the API server
// every 50 ms (a list or get per poll, so a time is late by up to 50 ms plus one request), except the
// first log line: the first chunk of a pods/log?follow=true stream opened once the container started.
//
//   npm run bench:plan -- [runs]      (default 5; needs `npm run build` and `npm run cluster -- up`)
import { spawn } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as api from '@tofu-operator/api-types';
import * as rt from '@tofu-operator/reconcile-runtime';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const kubeconfig = process.env.KUBECONFIG || join(root, '.cluster/kubeconfig');
const runs = Number(process.argv[2] ?? 5);
const admin = rt.KubeClient.fromFile(kubeconfig, { qps: 100, burst: 200, fieldManager: 'bench' });
const Namespaces = rt.manifestKinds['Namespace']!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const f of ['tofumodules', 'tofustacks', 'tofuexecutions'])
  await rt.applyManifestFile(admin, join(root, 'crds', `${f}.tofu-operator.io.yaml`));
await rt.applyManifestFile(admin, join(root, 'deploy/rbac/operator.yaml'));

const ns = `bench-plan-${Date.now() % 100000}`;
await admin.create(Namespaces, undefined, {
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: ns, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
});
const source = { repository: 'git://10.88.0.1/tofu-samples', revision: 'main', workdir: 'hello' };
await admin.create(api.TofuModules, ns, {
  apiVersion: api.API_GROUP_VERSION,
  kind: 'TofuModule',
  metadata: { name: 'hello', namespace: ns },
  spec: { source },
});

const operator = spawn(process.execPath, [join(root, 'apps/operator/dist/main.js')], {
  env: {
    ...process.env,
    KUBECONFIG: kubeconfig,
    PORT: '0',
    LOG_LEVEL: 'warn',
    TOFU_OPERATOR_LEASE_NAMESPACE: 'tofu-operator-system',
    TOFU_OPERATOR_LEASE_NAME: 'bench-plan',
    TOFU_OPERATOR_WATCH_NAMESPACE: ns,
  },
  stdio: 'ignore',
});

/** Polls fast (50 ms) for a condition; returns when it was first seen. */
async function seen(what: string, check: () => Promise<boolean>, timeoutMs = 180_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (await check().catch(() => false)) return performance.now();
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** What the benchmark reads of an execution (a stored object always has a name). */
type Exec = rt.KubeObject & {
  metadata: { name: string };
  spec: { stackRef?: { name: string } };
  status?: { phase?: string; podName?: string; summary?: { text?: string } };
};
type PodT = rt.KubeObject & {
  metadata: { name: string };
  spec?: { nodeName?: string };
  status?: { containerStatuses?: { state?: { running?: unknown; terminated?: unknown } }[] };
};

const rows: number[][] = [];
// Warm-up: the module's own plan (first pod on a fresh node pulls nothing but warms caches).
await seen('the module plan', async () =>
  (await admin.list<Exec>(api.TofuExecutions, ns)).items.some((e: Exec) => e.status?.phase === 'Succeeded'),
);
for (let i = 0; i < runs; i++) {
  const name = `s${i}`;
  const t0 = performance.now();
  await admin.create(api.TofuStacks, ns, {
    apiVersion: api.API_GROUP_VERSION,
    kind: 'TofuStack',
    metadata: { name, namespace: ns },
    spec: { moduleRef: { name: 'hello' } },
  });
  let exec: Exec | undefined;
  const tExec = await seen('the execution', async () => {
    exec = (await admin.list<Exec>(api.TofuExecutions, ns)).items.find((e: Exec) => e.spec.stackRef?.name === name);
    return exec !== undefined;
  });
  const execName = exec!.metadata.name;
  const tJob = await seen('the Job', async () => (await admin.list<rt.Job>(rt.Jobs, ns)).items.some((j) => j.metadata?.name === execName));
  let pod: PodT | undefined;
  const podsRt = rt.Pods;
  const tScheduled = await seen('the Pod scheduled', async () => {
    pod = (await admin.list<PodT>(podsRt, ns, { labelSelector: `tofu-operator.io/execution=${execName}` })).items[0];
    return Boolean(pod?.spec?.nodeName);
  });
  const tStarted = await seen('the container started', async () => {
    const p = await admin.get<PodT>(podsRt, ns, pod!.metadata.name);
    const s = p.status?.containerStatuses?.[0]?.state;
    return Boolean(s?.running || s?.terminated);
  });
  const abort = new AbortController();
  const stream = await admin.stream(`/api/v1/namespaces/${ns}/pods/${pod!.metadata.name}/log`, { follow: true }, abort.signal);
  const tFirstLog = await new Promise<number>((resolve, reject) => {
    stream.once('data', () => resolve(performance.now()));
    stream.once('error', reject);
  });
  abort.abort();
  stream.destroy();
  const tDone = await seen(
    'Succeeded',
    async () => (await admin.get<Exec>(api.TofuExecutions, ns, execName)).status?.phase === 'Succeeded',
  );
  rows.push([tExec - t0, tJob - t0, tScheduled - t0, tStarted - t0, tFirstLog - t0, tDone - t0]);
}

operator.kill('SIGTERM');
await admin.delete(Namespaces, undefined, ns).catch(() => undefined);
const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`.padStart(9);
console.log(
  `plan latency on the local cluster, ${runs} runs (seconds from just before the stack's create call to when a 50 ms poll saw each phase)`,
);
console.log('run | execution | Job       | scheduled | started   | 1st log   | Succeeded');
rows.forEach((r, i) => console.log(`${String(i + 1).padStart(3)} | ${r.map(fmt).join(' | ')}`));
const median = (k: number) => [...rows.map((r) => r[k] ?? 0)].sort((a, b) => a - b)[Math.floor(rows.length / 2)] ?? 0;
console.log(`med | ${[0, 1, 2, 3, 4, 5].map((k) => fmt(median(k))).join(' | ')}`);
await admin.close();
