// Helpers of the reconcile benchmark (reconcile-bench.ts): a round's figures, request tallies from the
// operator's /metrics, the operator's node arguments as deployed, and the raw files.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as rt from '@tofu-operator/reconcile-runtime';

export interface Round {
  total: number;
  /** Per stack: ms from just before its create call to its Job's ADDED event (NaN: no Job). */
  latencies: Map<string, number>;
  /** Requests per stack on the measured client (the operator: until the last Job). */
  requestsPerStack: number;
  /**
   * Operator rounds, per stack: ms from its create to the later of its own status naming its
   * execution and the execution's status naming the Job (the writes that waited behind the creates).
   */
  statusLatencies?: Map<string, number>;
  /** Operator rounds: requests per stack once every status is written and the operator went quiet (events too). */
  settledRequestsPerStack?: number;
  /** Operator rounds: the requests until settled, by "METHOD resource/subresource code". */
  settledRequests?: Map<string, number>;
  /** The measured client's requests during the round, by "METHOD resource/subresource code". */
  requests: Map<string, number>;
  peakRss?: number;
  cpu?: number;
  /** Operator rounds: /readyz probes (every second) that did not answer 200, of all probes. */
  notReady?: { failed: number; probes: number };
  /** Operator rounds: the longest time between two renewals of its Lease seen (checked every second), ms. */
  leaseGapMs?: number;
  /** The share of all the machine's cores busy from the first create to the last Job (API server, operator, everything). */
  machineBusy: number;
}

/** The machine's CPU time so far (all cores, /proc/stat): busy and total, in clock ticks. */
export interface MachineCpu {
  busy: number;
  total: number;
}

/** Reads the first line of /proc/stat: busy is everything but idle and iowait. */
export function machineCpu(stat = readFileSync('/proc/stat', 'utf8')): MachineCpu {
  const fields = (stat.split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const total = fields.slice(0, 8).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  return { busy: total - (fields[3] ?? 0) - (fields[4] ?? 0), total };
}

/** The share of the cores busy between two readings (0 to 1; NaN when no time passed). */
export function busyShare(from: MachineCpu, to: MachineCpu): number {
  const total = to.total - from.total;
  return total > 0 ? (to.busy - from.busy) / total : NaN;
}

/** A request's key in the tallies: "METHOD resource/subresource code". */
export const requestKey = (c: { method?: string; resource?: string; subresource?: string; code?: number | string }) =>
  `${c.method} ${c.resource}${c.subresource ? `/${c.subresource}` : ''} ${c.code}`;

export const tally = (counts: rt.RequestCount[]) => new Map(counts.map((c) => [requestKey(c), c.count]));

/** The difference of two request tallies, by "METHOD resource/subresource code". */
export function requestDelta(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const d = new Map<string, number>();
  for (const [k, v] of after) if (v - (before.get(k) ?? 0) > 0) d.set(k, v - (before.get(k) ?? 0));
  return d;
}

export const sumMap = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
/** A tally without the Lease's requests (the leader renews it whatever the load). */
export const withoutLeases = (m: Map<string, number>) => new Map([...m].filter(([k]) => !/ leases /.test(k)));

/**
 * node's arguments and MALLOC_ARENA_MAX for the operator as deployed: the flags of the image's
 * ENTRYPOINT (docker/operator.Dockerfile, between node and the script: --optimize-for-size) and the
 * NODE_OPTIONS of deploy/base/operator.yaml, unless BENCH_OPERATOR_NODE_ARGS says otherwise.
 */
export function deployedOperatorNode(root: string): { nodeArgs: string[]; mallocArenas: string } {
  const deployment = readFileSync(join(root, 'deploy/base/operator.yaml'), 'utf8');
  /** A variable of the operator's container as deployed, or ''. */
  const deployedEnv = (name: string) => new RegExp(`name: ${name}, value: ["']?([^}"']+?)["']? \\}`).exec(deployment)?.[1] ?? '';
  const entry = /^ENTRYPOINT (\[.*\])$/m.exec(readFileSync(join(root, 'docker/operator.Dockerfile'), 'utf8'))?.[1];
  if (!entry) throw new Error('docker/operator.Dockerfile has no ENTRYPOINT JSON array');
  const imageFlags = (JSON.parse(entry) as string[]).slice(1, -1).join(' ');
  const args = process.env.BENCH_OPERATOR_NODE_ARGS ?? `${imageFlags} ${deployedEnv('NODE_OPTIONS')}`;
  // glibc's malloc arenas as deployed (fewer arenas, less memory held by freed blocks).
  return { nodeArgs: args.split(' ').filter(Boolean), mallocArenas: deployedEnv('MALLOC_ARENA_MAX') };
}

/** A token allowed to read the operator's /metrics (the tofu-operator-metrics-reader ClusterRole). */
export async function metricsToken(admin: rt.KubeClient, ns: string): Promise<string> {
  const name = 'bench-metrics';
  await admin.create(rt.manifestKinds['ServiceAccount']!, ns, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } });
  await admin.create(rt.manifestKinds['ClusterRoleBinding']!, undefined, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: `${ns}-metrics`, labels: { 'tofu-operator.io/bench': 'true' } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'tofu-operator-metrics-reader' },
    subjects: [{ kind: 'ServiceAccount', name, namespace: ns }],
  });
  const tr = await admin.request<{ status: { token: string } }>('POST', `/api/v1/namespaces/${ns}/serviceaccounts/${name}/token`, {
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
  });
  return tr.status.token;
}

/** The operator's /metrics text (retried while the token's binding is not yet seen by its access review). */
export async function scrape(port: number, token: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    if (res.ok) return res.text();
    if (attempt >= 50) throw new Error(`GET /metrics answered ${res.status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The operator's reconcile-client requests so far, from its /metrics text, by "METHOD resource/subresource code". */
export function operatorRequests(metrics: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of metrics.split('\n')) {
    const m = /^tofu_operator_kube_requests_total\{(.*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const l: Record<string, string> = Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1]!, x[2]!]));
    if (l['client'] !== 'reconcile') continue;
    out.set(requestKey(l), Number(m[2]));
  }
  return out;
}

/** Writes a round's per-stack latencies and request breakdown (raw data behind the table). */
export function writeRaw(file: string, r: Round): string {
  const ms = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '' : v.toFixed(1));
  const rows = [
    `stack,latency_ms${r.statusLatencies ? ',status_latency_ms' : ''}`,
    ...[...r.latencies].map(([k, v]) => `${k},${ms(v)}${r.statusLatencies ? `,${ms(r.statusLatencies.get(k))}` : ''}`),
  ];
  const all = r.settledRequests ?? r.requests;
  rows.push(
    '',
    `request,count${r.settledRequests ? ',settled' : ''}`,
    ...[...all].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k},${r.requests.get(k) ?? 0}${r.settledRequests ? `,${v}` : ''}`),
  );
  writeFileSync(file, rows.join('\n') + '\n');
  return file;
}

const Leases = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease', namespaced: true };

/**
 * Samples the operator process (pid) while a round runs: its peak RSS (VmHWM) and CPU time every
 * 200 ms from /proc, and every second whether its /readyz answers and when its Lease (bench) was
 * last renewed. stop() ends the sampling and returns the round's figures.
 */
export function observeOperator(
  pid: number,
  port: number,
  admin: rt.KubeClient,
): { stop: () => Required<Pick<Round, 'peakRss' | 'cpu' | 'notReady' | 'leaseGapMs'>> } {
  let peakRss = 0;
  const cpuSeconds = () => {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(f[11]) + Number(f[12])) / 100;
  };
  const cpuStart = cpuSeconds();
  let cpuEnd = cpuStart;
  const sampler = setInterval(() => {
    try {
      cpuEnd = cpuSeconds();
    } catch {
      /* exited */
    }
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) peakRss = Math.max(peakRss, Number(m[1]) * 1024);
    } catch {
      /* exited */
    }
  }, 200);
  // Ready and leading throughout: /readyz and the Lease's renewTime, every second.
  const health = { failed: 0, probes: 0, lastRenew: '', lastRenewAt: performance.now(), leaseGapMs: 0 };
  const prober = setInterval(() => {
    void (async () => {
      health.probes++;
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`)
        .then((r) => r.ok)
        .catch(() => false);
      if (!ok) health.failed++;
      const lease = await admin
        .get<rt.KubeObject & { spec?: { renewTime?: string } }>(Leases, 'tofu-operator-system', 'bench')
        .catch(() => undefined);
      const renew = lease?.spec?.renewTime ?? '';
      const now = performance.now();
      if (renew !== health.lastRenew) {
        health.lastRenew = renew;
        health.lastRenewAt = now;
      }
      health.leaseGapMs = Math.max(health.leaseGapMs, now - health.lastRenewAt);
    })();
  }, 1000);
  return {
    stop: () => {
      clearInterval(sampler);
      clearInterval(prober);
      return {
        peakRss,
        cpu: cpuEnd - cpuStart,
        notReady: { failed: health.failed, probes: health.probes },
        leaseGapMs: health.leaseGapMs,
      };
    },
  };
}
