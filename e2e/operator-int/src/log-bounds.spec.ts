// Bounds of the log archive against real runs (issue 14, items 3, 7, 8): a real runner pod whose plan
// prints hundreds of MB, read by the real operator process with a heap limit like the deployed
// container's, through the real API server's pods/log; and a leader change in the middle of a run.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Labels, nameOf, TofuLogChunks, type TofuExecution, type TofuLogChunk, type TofuModule } from '@tofu-operator/api-types';
import {
  admin,
  deleteNamespace,
  freePort,
  installCrdsAndRbac,
  listExecutions,
  listPods,
  newNamespace,
  operatorKubeconfig,
  OperatorProcess,
  serveRepo,
  serviceAccountWithRole,
  sleep,
  TofuModules,
  waitFor,
  manyResources as manyTerraformData,
} from './harness.js';

/** The deployed operator's memory limit (deploy/base/operator.yaml). */
const LIMIT_BYTES = 512 * 2 ** 20;
/** The deployed operator's V8 settings (deploy/base/operator.yaml NODE_OPTIONS): heap about half the limit, small young generation. */
const NODE_OPTIONS = '--max-old-space-size=256 --max-semi-space-size=4';
/** Size of the log the big plan prints, in MB (LOG_BOUNDS_MB; the issue asks for 300). */
const VOLUME_MB = Number(process.env['LOG_BOUNDS_MB'] || '300');
/** The per-run cap of the first operator in MiB (LOG_BOUNDS_CAP_MIB): small by default, so the test stays fast; 64 is the default of the operator. */
const CAP_MIB = Number(process.env['LOG_BOUNDS_CAP_MIB'] || '4');
const SMALL_CAP = CAP_MIB * 2 ** 20;
/** The marker line that ends a log cut at the per-run cap (apps/operator/src/logs/log-chunks.ts). */
const TRUNCATED = new RegExp(
  `^\\[tofu-operator\\] log truncated: only the first ${CAP_MIB} MiB of a run's log are kept \\(TOFU_OPERATOR_LOG_MAX_BYTES\\)`,
);
const PAD = '0123456789'.repeat(27);
/** One printed line of the big output is about this long ("      + "line i-j <pad>","). */
const LINE_BYTES = PAD.length + 30;
const OUTER = Math.min(1024, Math.ceil((VOLUME_MB * 1e6) / (1000 * LINE_BYTES)));

/** A module whose plan prints OUTER * 1000 lines: an output with that many strings (range() stops at 1024). */
const bigOutput = `locals {\n  pad = "${PAD}"\n}\noutput "big" {\n  value = flatten([for i in range(${OUTER}) : [for j in range(1000) : "line \${i}-\${j} \${local.pad}"]])\n}\n`;
/** A module with many resources: a plan log of thousands of lines written over many seconds with TF_LOG=trace. */
const manyResources = (n: number) => manyTerraformData(n, '{ index = count.index, name = "resource-${count.index}" }');

function moduleObj(ns: string, name: string, repository: string, workdir: string, env: { name: string; value: string }[] = []): TofuModule {
  return {
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuModule',
    metadata: { name, namespace: ns },
    spec: { source: { repository, revision: 'main', workdir }, ...(env.length ? { executionTemplate: { env } } : {}) },
  };
}

/** The pid of the operator process started for `ns` (its environment names the watched namespace). */
function operatorPid(ns: string): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!cmd.includes('apps/operator/dist/main.js')) continue;
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(`TOFU_OPERATOR_WATCH_NAMESPACE=${ns}`)) return Number(entry);
    } catch {
      // gone, or not ours to read
    }
  }
  throw new Error(`no operator process for namespace ${ns}`);
}

/** A field of /proc/<pid>/status in bytes (VmRSS, VmHWM). */
function statusBytes(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(m[1]) * 1024;
}

/** Samples a process's RSS every 250 ms until stopped. */
function sampleRss(pid: number) {
  const samples: number[] = [];
  const timer = setInterval(() => samples.push(statusBytes(pid, 'VmRSS')), 250);
  return {
    samples,
    stop: () => clearInterval(timer),
    max: () => Math.max(...samples),
  };
}

const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

async function executionOf(ns: string, module: string): Promise<TofuExecution> {
  return waitFor(
    `the execution of ${module}`,
    async () => (await listExecutions(ns)).find((e) => e.spec.moduleRef?.name === module),
    60_000,
  );
}

async function chunksOf(ns: string, execution: string): Promise<TofuLogChunk[]> {
  return (await admin.list<TofuLogChunk>(TofuLogChunks, ns, { labelSelector: `${Labels.execution}=${execution}` })).items;
}

/** The stored log when its final chunk is stored: every chunk in order, consecutive, decoded by the test itself. */
async function storedLog(ns: string, execution: string): Promise<{ lines: string[]; incomplete?: string } | undefined> {
  const chunks = (await chunksOf(ns, execution)).sort((a, b) => a.spec.index - b.spec.index);
  if (!chunks.at(-1)?.spec.final) return undefined;
  const lines: string[] = [];
  for (const [i, c] of chunks.entries()) {
    assert.equal(c.spec.index, i, 'no chunk missing');
    assert.equal(c.spec.firstLine, lines.length, `chunk ${i} starts where the one before ended`);
    const text = gunzipSync(Buffer.from(c.spec.data, 'base64')).toString('utf8');
    lines.push(...text.replace(/\n$/, '').split('\n').slice(0, c.spec.lineCount));
  }
  return { lines, ...(chunks.at(-1)?.spec.incomplete ? { incomplete: chunks.at(-1)?.spec.incomplete } : {}) };
}

/**
 * Bytes the runner pod printed, from the kubelet's log files of its container on the local node
 * (rotated ones included; a compressed one counts its uncompressed size, the last 4 bytes of a gzip
 * file). `pods/log` cannot tell: it serves the current file only.
 */
function printedBytes(ns: string, pod: string): number {
  const root = '/var/log/pods';
  const dir = existsSync(root) ? readdirSync(root).find((d) => d.startsWith(`${ns}_${pod}_`)) : undefined;
  if (!dir) throw new Error(`no kubelet log directory for ${ns}/${pod} under ${root}`);
  let total = 0;
  for (const f of readdirSync(join(root, dir, 'runner'))) {
    const path = join(root, dir, 'runner', f);
    total += f.endsWith('.gz') ? readFileSync(path).readUInt32LE(statSync(path).size - 4) : statSync(path).size;
  }
  return total;
}

/** The runner pod's current log, read whole by the test (not through the operator). */
async function podLog(ns: string, pod: string): Promise<string[]> {
  let text = '';
  const body = await admin.stream(`/api/v1/namespaces/${ns}/pods/${pod}/log`, { container: 'runner' }, new AbortController().signal);
  for await (const chunk of body as AsyncIterable<Buffer>) text += chunk.toString('utf8');
  return text.replace(/\n$/, '').split('\n');
}

describe('log bounds', () => {
  let repo: string;
  let kubeconfig: string;
  const namespaces: string[] = [];
  const operators: OperatorProcess[] = [];

  before(async () => {
    await installCrdsAndRbac();
    kubeconfig = await operatorKubeconfig();
    repo = serveRepo('e2e-log-bounds', { 'big/main.tf': bigOutput, 'many/main.tf': manyResources(400) });
  });

  after(async () => {
    await Promise.all(operators.map((o) => o.stop('SIGKILL')));
    await Promise.all(namespaces.map(deleteNamespace));
  });

  it(`a plan printing ~${VOLUME_MB} MB: the operator's RSS stays under 512 MiB, the log stored and served ends with the marker at the cap, no restart`, async () => {
    const ns = await newNamespace('logbig');
    namespaces.push(ns);
    const viewer = await serviceAccountWithRole(ns, 'viewer', ['get', 'list', 'watch']);
    const port = await freePort();
    const operator = new OperatorProcess(kubeconfig, {
      PORT: String(port),
      TOFU_OPERATOR_WATCH_NAMESPACE: ns,
      TOFU_OPERATOR_LOG_MAX_BYTES: String(SMALL_CAP),
      NODE_OPTIONS,
    });
    operators.push(operator);
    operator.start();
    await operator.waitUntilLeading();
    const pid = operatorPid(ns);
    const baseline = statusBytes(pid, 'VmRSS');
    const rss = sampleRss(pid);
    const started = Date.now();
    try {
      await admin.create(TofuModules, ns, moduleObj(ns, 'big', repo, 'big'));
      const exec = await executionOf(ns, 'big');
      const name = nameOf(exec);
      // The plan prints its output in one burst at the end; the run then ends (the plan file is also big).
      const done = await waitFor(
        'the big run to end',
        async () => {
          const e = (await listExecutions(ns)).find((x) => x.metadata.name === name);
          return e && ['Succeeded', 'Failed'].includes(e.status?.phase ?? '') ? e : undefined;
        },
        540_000,
        1000,
      );
      const ranMs = Date.now() - started;

      // The stored log: the first SMALL_CAP bytes of lines, then the marker, in a final chunk.
      const stored = await waitFor('the final chunk', () => storedLog(ns, name));
      assert.match(stored.lines.at(-1) ?? '', TRUNCATED);
      const storedBytes = stored.lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
      assert.ok(storedBytes <= SMALL_CAP + 1024, `stored ${storedBytes} bytes for a cap of ${SMALL_CAP}`);
      assert.ok(storedBytes > SMALL_CAP - 64 * 1024, `the log was stored up to the cap (${storedBytes} bytes)`);
      assert.ok(
        stored.lines.some((l) => l.includes('line 0-0 ')),
        'the stored log has the start of the big output',
      );
      assert.equal(stored.incomplete, `the log was truncated at ${CAP_MIB} MiB`);

      // The pod printed the whole output (the kubelet's files, with their timestamps), and still exists.
      const pod = (await listPods(ns)).find((p) => p.metadata?.labels?.['job-name'] === done.status?.jobName);
      assert.ok(pod?.metadata?.name, 'the runner pod still exists');
      const printed = printedBytes(ns, pod.metadata.name);
      assert.ok(printed > OUTER * 1000 * LINE_BYTES, `the pod printed ${printed} bytes`);

      const beforeRest = rss.max();
      // REST serves the same capped log, from the pod while it exists, ending with the marker.
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/namespaces/${ns}/executions/${name}/logs`, {
        headers: { authorization: `Bearer ${viewer}` },
      });
      assert.equal(res.status, 200);
      const served = (await res.text()).replace(/\n$/, '').split('\n');
      assert.match(served.at(-1) ?? '', TRUNCATED);
      assert.deepEqual(served, stored.lines, 'REST and the store agree line for line');

      await sleep(1000);
      rss.stop();
      const peak = statusBytes(pid, 'VmHWM');
      console.log(
        `log-bounds: ${(printed / 1e6).toFixed(0)} MB printed (kubelet files); run ${(ranMs / 1000).toFixed(0)} s (${done.status?.phase}); ` +
          `operator RSS before ${mib(baseline)}, max sampled before the REST read ${mib(beforeRest)}, max sampled ${mib(rss.max())}, peak (VmHWM) ${mib(peak)}, ${rss.samples.length} samples`,
      );
      // Under the limit with room to spare (the process also takes the plan and its diff from the runner, within their own limits).
      assert.ok(peak < LIMIT_BYTES - 64 * 2 ** 20, `peak RSS ${mib(peak)} stays under the 512 MiB limit with 64 MiB to spare`);
      // No restart: the same process still runs and never ran out of heap.
      assert.equal(operatorPid(ns), pid);
      assert.doesNotMatch(operator.log(), /heap out of memory|Allocation failed/);
    } finally {
      rss.stop();
      await operator.stop();
    }
  });

  it('a new leader resumes after the stored chunks: the stored log is the pod log exactly, with no gap and nothing rewritten', async () => {
    const ns = await newNamespace('logresume');
    namespaces.push(ns);
    const env = { TOFU_OPERATOR_WATCH_NAMESPACE: ns, NODE_OPTIONS };
    // The first leader writes slowly (a low request rate), so it is stopped with part of the log stored.
    const first = new OperatorProcess(kubeconfig, { ...env, TOFU_OPERATOR_KUBE_QPS: '4', TOFU_OPERATOR_KUBE_BURST: '4' });
    // The second one takes the runner API's port over, as a Service would.
    const second = new OperatorProcess(kubeconfig, { ...env, TOFU_OPERATOR_RUNNER_PORT: first.runnerPort });
    operators.push(first, second);
    first.start();
    await first.waitUntilLeading();

    await admin.create(TofuModules, ns, moduleObj(ns, 'many', repo, 'many', [{ name: 'TF_LOG', value: 'trace' }]));
    const exec = await executionOf(ns, 'many');
    const name = nameOf(exec);
    // The first leader has stored part of the log (at least one sealed chunk) while the run goes on.
    const before = await waitFor(
      'stored chunks while the run goes on',
      async () => {
        const chunks = await chunksOf(ns, name);
        return chunks.length >= 2 && !chunks.some((c) => c.spec.final) ? chunks : undefined;
      },
      240_000,
      100,
    );
    await first.stop('SIGKILL');
    second.start();
    await second.waitUntilLeading(60_000);

    const done = await waitFor(
      'the run to end',
      async () => {
        const e = (await listExecutions(ns)).find((x) => x.metadata.name === name);
        return e && ['Succeeded', 'Failed'].includes(e.status?.phase ?? '') ? e : undefined;
      },
      300_000,
      1000,
    );
    assert.equal(done.status?.phase, 'Succeeded');
    const stored = await waitFor('the final chunk', () => storedLog(ns, name), 60_000);
    const pod = (await listPods(ns)).find((p) => p.metadata?.labels?.['job-name'] === done.status?.jobName);
    assert.ok(pod?.metadata?.name);
    const fromPod = await podLog(ns, pod.metadata.name);
    assert.ok(fromPod.length > 5000, `a long log (${fromPod.length} lines)`);
    assert.equal(
      stored.lines.find((l) => l.includes('[tofu-operator] gap')),
      undefined,
      'no gap: the pod log was not rotated',
    );
    assert.equal(stored.lines.length, fromPod.length, 'no line stored twice or missing');
    assert.deepEqual(stored.lines, fromPod);
    // The chunks the first leader sealed are the same objects with the same text.
    const after = await chunksOf(ns, name);
    for (const c of before.filter((b) => before.some((o) => o.spec.index > b.spec.index))) {
      const now = after.find((a) => a.metadata.name === c.metadata.name);
      assert.equal(now?.spec.data, c.spec.data, `${c.metadata.name} unchanged`);
      assert.equal(now?.spec.lineCount, c.spec.lineCount);
    }
    assert.equal(done.status?.phase, 'Succeeded');
  });
});
