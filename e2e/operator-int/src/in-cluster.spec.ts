// The operator installed in the cluster from its own manifests (kubectl apply -k of
// deploy/overlays/local, with the images `cluster up` imports): two replicas roll out, one leads by
// the Lease, the API answers through its Service, and a real plan survives the leader pod being
// killed mid-run: the standby takes over and the execution ends Succeeded with exactly one Job.
//
// Other specs run the operator as a host process watching every namespace under their own Lease
// names; this install watches only its test namespace (TOFU_OPERATOR_WATCH_NAMESPACE) under its own
// Lease, so neither reconciles the other's objects. It removes what it installed, and leaves what
// existed before (the CRDs and the RBAC the other specs install) as it was.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { TofuExecution, TofuModule } from '@tofu-operator/api-types';
import type { Job, KubeObject, Pod } from '@tofu-operator/reconcile-runtime';
import {
  admin,
  deleteNamespace,
  isAlreadyExists,
  listExecutions,
  listJobs,
  newNamespace,
  outputDir,
  repoRoot,
  serveRepo,
  serviceAccountWithRole,
  sleep,
  TofuModules,
  waitFor,
} from './harness.js';

const SYSTEM_NS = 'tofu-operator-system';
const LEASE = 'tofu-operator-in-cluster-e2e';
const OPERATOR = 'tofu-operator';
const DASHBOARD = 'tofu-operator-dashboard';
const IMAGES = ['tofu-operator:0.1.0', 'tofu-operator-dashboard:0.1.0', 'tofu-operator-runner:0.1.0'];

const kubeconfig = process.env['KUBECONFIG'] || join(repoRoot, '.cluster', 'kubeconfig');
const overlayDir = join(outputDir, 'in-cluster-overlay');

/** The local cluster's own kubectl build (with its kustomize), against the suite's kubeconfig. */
function kubectl(args: string[]): string {
  return execFileSync('bash', [join(repoRoot, 'tools/cluster/cluster.sh'), 'kubectl', '--kubeconfig', kubeconfig, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

interface Lease extends KubeObject {
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number; renewTime?: string };
}
interface Deployment extends KubeObject {
  status?: { readyReplicas?: number; updatedReplicas?: number; replicas?: number };
}
interface Service extends KubeObject {
  spec?: { clusterIP?: string };
}
interface Node extends KubeObject {
  status?: { images?: { names?: string[] }[] };
}

const getLease = (): Promise<Lease> => admin.request<Lease>('GET', `/apis/coordination.k8s.io/v1/namespaces/${SYSTEM_NS}/leases/${LEASE}`);
const getDeployment = (name: string): Promise<Deployment> =>
  admin.request<Deployment>('GET', `/apis/apps/v1/namespaces/${SYSTEM_NS}/deployments/${name}`);
const getService = (name: string): Promise<Service> => admin.request<Service>('GET', `/api/v1/namespaces/${SYSTEM_NS}/services/${name}`);
const operatorPods = async (): Promise<Pod[]> =>
  (
    await admin.request<{ items: Pod[] }>('GET', `/api/v1/namespaces/${SYSTEM_NS}/pods`, {
      query: { labelSelector: 'app.kubernetes.io/name=tofu-operator,app.kubernetes.io/component=operator' },
    })
  ).items;
const isReady = (p: Pod): boolean =>
  !p.metadata?.deletionTimestamp && !!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

/** The pod a Lease holder identity names: `<POD_NAME>_<random>`. */
function holderPod(identity: string | undefined): string | undefined {
  const i = identity?.lastIndexOf('_') ?? -1;
  return identity && i > 0 ? identity.slice(0, i) : undefined;
}

/** The test's overlay: deploy/overlays/local, watching one namespace under its own Lease. */
function writeOverlay(watchNamespace: string): void {
  mkdirSync(overlayDir, { recursive: true });
  const base = relative(overlayDir, join(repoRoot, 'deploy', 'overlays', 'local'));
  const env = [
    { name: 'TOFU_OPERATOR_WATCH_NAMESPACE', value: watchNamespace },
    { name: 'TOFU_OPERATOR_LEASE_NAME', value: LEASE },
    { name: 'LOG_LEVEL', value: 'debug' },
  ];
  const patch = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: OPERATOR },
    spec: { template: { spec: { containers: [{ name: 'operator', env }] } } },
  };
  writeFileSync(
    join(overlayDir, 'kustomization.yaml'),
    JSON.stringify({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: [base],
      patches: [{ target: { kind: 'Deployment', name: OPERATOR }, patch: JSON.stringify(patch) }],
    }),
  );
}

interface Ref {
  kind: string;
  name: string;
  namespace?: string;
}
const refKey = (r: Ref): string => `${r.kind}/${r.namespace ?? ''}/${r.name}`;

/** Every object the overlay renders, as kind, name and namespace. */
function renderedObjects(): Ref[] {
  return parseAllDocuments(kubectl(['kustomize', overlayDir]))
    .map((d) => d.toJS() as { kind: string; metadata: { name: string; namespace?: string } } | null)
    .filter((o): o is { kind: string; metadata: { name: string; namespace?: string } } => !!o?.kind)
    .map((o) => ({ kind: o.kind, name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) }));
}

/** Which of `refs` exist now (kubectl get of each kind). */
function existing(refs: Ref[]): Set<string> {
  const found = new Set<string>();
  for (const r of refs) {
    const out = kubectl(['get', r.kind, r.name, ...(r.namespace ? ['-n', r.namespace] : []), '--ignore-not-found', '-o', 'name']);
    if (out.trim()) found.add(refKey(r));
  }
  return found;
}

/** Runs a pod in `ns` (restricted) with the operator image's Node.js and returns its log. */
async function runProbePod(ns: string, name: string, script: string): Promise<string> {
  await admin.request('POST', `/api/v1/namespaces/${ns}/pods`, {
    body: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name },
      spec: {
        restartPolicy: 'Never',
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [
          {
            name: 'probe',
            image: 'tofu-operator:0.1.0',
            imagePullPolicy: 'Never',
            command: ['/usr/local/bin/node', '--input-type=module', '-e', script],
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
          },
        ],
      },
    },
  });
  const phase = await waitFor(
    `probe pod ${ns}/${name} to finish`,
    async () => {
      const p = await admin.request<Pod>('GET', `/api/v1/namespaces/${ns}/pods/${name}`);
      return p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed' ? p.status.phase : undefined;
    },
    60_000,
    250,
  );
  const text = kubectl(['logs', '-n', ns, name]);
  assert.equal(phase, 'Succeeded', `probe pod ${name} failed:\n${text}`);
  return text;
}

describe('the operator installed in the cluster (deploy/overlays/local)', () => {
  let ns: string;
  let objects: Ref[] = [];
  let preexisting = new Set<string>();
  let installed = false;
  const timings: Record<string, number> = {};

  before(async () => {
    const nodes = await admin.request<{ items: Node[] }>('GET', '/api/v1/nodes');
    const have = new Set(nodes.items.flatMap((n) => n.status?.images?.flatMap((i) => i.names ?? []) ?? []));
    const missing = IMAGES.filter((i) => !have.has(`docker.io/library/${i}`));
    assert.deepEqual(missing, [], `the node lacks ${missing.join(', ')}: run \`npm run cluster -- up\` (it builds and imports them)`);

    ns = await newNamespace('incluster');
    writeOverlay(ns);
    objects = renderedObjects();
    preexisting = existing(objects);
    // Someone's own install of the operator is not this test's to replace (or to delete after).
    assert.ok(
      !preexisting.has(refKey({ kind: 'Deployment', name: OPERATOR, namespace: SYSTEM_NS })),
      `an operator Deployment already runs in ${SYSTEM_NS}: remove it first (kubectl delete -k deploy/overlays/local)`,
    );
    const started = Date.now();
    kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager=tofu-operator-in-cluster-e2e', '-k', overlayDir]);
    installed = true;
    timings['apply'] = Date.now() - started;
  });

  after(async () => {
    if (existsSync(overlayDir) && installed) {
      // Delete what this test created, newest kinds first; keep what existed before (CRDs and RBAC
      // the other specs installed: deleting the CRDs would delete every module in the cluster).
      const mine = objects.filter((r) => !preexisting.has(refKey(r))).reverse();
      for (const r of mine) {
        kubectl(['delete', r.kind, r.name, ...(r.namespace ? ['-n', r.namespace] : []), '--ignore-not-found', '--wait=false']);
      }
      for (const r of preexisting.has(refKey({ kind: 'Namespace', name: SYSTEM_NS })) ? [] : [SYSTEM_NS]) {
        await waitFor(
          `namespace ${r} gone`,
          () => !kubectl(['get', 'namespace', r, '--ignore-not-found', '-o', 'name']).trim(),
          120_000,
          500,
        );
      }
      // Nothing of the install runs any more, whichever objects were kept.
      await waitFor('the operator pods gone', async () => (await operatorPods()).length === 0, 120_000, 500);
      await admin.request('DELETE', `/apis/coordination.k8s.io/v1/namespaces/${SYSTEM_NS}/leases/${LEASE}`).catch(() => undefined);
    }
    if (ns) await deleteNamespace(ns);
    console.log(`in-cluster timings (ms): ${JSON.stringify(timings)}`);
  });

  it('rolls out two Ready operator replicas, one of them holding the Lease, and the dashboard', async () => {
    const started = Date.now();
    await waitFor(
      'the operator Deployment: 2 replicas Ready',
      async () => {
        const d = await getDeployment(OPERATOR);
        return d.status?.readyReplicas === 2 && d.status.updatedReplicas === 2;
      },
      180_000,
      500,
    );
    timings['rollout'] = Date.now() - started;
    const pods = (await operatorPods()).filter(isReady);
    assert.equal(pods.length, 2);
    const holder = await waitFor('a leader', async () => holderPod((await getLease()).spec?.holderIdentity), 60_000, 250);
    assert.ok(
      pods.some((p) => p.metadata?.name === holder),
      `the Lease holder ${holder} is one of the replicas`,
    );
    timings['leader'] = Date.now() - started;
    await waitFor('the dashboard Ready', async () => (await getDeployment(DASHBOARD)).status?.readyReplicas === 1, 120_000, 500);
  });

  it('answers through its Service: via the API server proxy, and from a pod by ClusterIP, also through the dashboard', async () => {
    const viaProxy = await admin.request<{ status: string }>(
      'GET',
      `/api/v1/namespaces/${SYSTEM_NS}/services/${OPERATOR}:8080/proxy/readyz`,
    );
    assert.deepEqual(viaProxy, { status: 'ok' });

    // From a pod, through kube-proxy's rules: the operator's ClusterIP, the dashboard's, and the
    // dashboard's /api proxy to the operator (which reaches it by the Service's variables).
    const operatorIp = (await getService(OPERATOR)).spec?.clusterIP;
    const dashboardIp = (await getService(DASHBOARD)).spec?.clusterIP;
    assert.ok(operatorIp && dashboardIp);
    const token = await serviceAccountWithRole(ns, 'reader', ['get', 'list', 'watch']);
    const script = `
      // kube-proxy writes a Service's rules within a second or two of its endpoints becoming Ready.
      const get = async (url, headers = {}) => {
        for (let i = 0; ; i++) {
          try {
            const r = await fetch(url, { headers, redirect: 'manual' });
            return { status: r.status, body: (await r.text()).slice(0, 300), attempts: i + 1 };
          } catch (err) {
            if (i >= 60) return { status: 0, body: String(err.cause ?? err), attempts: i + 1 };
            await new Promise((r) => setTimeout(r, 500));
          }
        }
      };
      console.log(JSON.stringify({
        readyz: await get('http://${operatorIp}:8080/readyz'),
        signIn: await get('http://${dashboardIp}:3000/sign-in'),
        modules: await get('http://${dashboardIp}:3000/api/v1/namespaces/${ns}/modules', { cookie: 'tofu_session=${token}' }),
      }));`;
    const out = JSON.parse((await runProbePod(ns, 'service-probe', script)).trim().split('\n').pop() ?? '{}') as Record<
      string,
      { status: number; body: string }
    >;
    assert.equal(out['readyz']?.status, 200, JSON.stringify(out));
    assert.equal(out['signIn']?.status, 200, JSON.stringify(out));
    assert.equal(out['modules']?.status, 200, `the dashboard reaches the operator with the user's token: ${JSON.stringify(out)}`);
  });

  it('finishes a real plan with exactly one Job when the leader pod is killed mid-run', async () => {
    const repo = serveRepo('e2e-in-cluster', {
      'two/main.tf': 'resource "terraform_data" "a" { input = "a" }\nresource "terraform_data" "b" { input = "b" }\n',
    });
    const leaderBefore = holderPod((await getLease()).spec?.holderIdentity);
    assert.ok(leaderBefore, 'a leader before the run');
    const standby = (await operatorPods()).find((p) => p.metadata?.name !== leaderBefore)?.metadata?.name;
    assert.ok(standby, 'a standby replica');

    const module: TofuModule = {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuModule',
      metadata: { name: 'failover', namespace: ns },
      spec: { source: { repository: repo, workdir: 'two' } },
    };
    const started = Date.now();
    await admin.create(TofuModules, ns, module).catch((err: unknown) => {
      if (!isAlreadyExists(err)) throw err;
    });
    // Mid-run: as soon as the leader has created the Job, before it can have seen the pod finish.
    await waitFor('the Job of the plan', async () => (await listJobs(ns)).length > 0, 60_000, 50);
    timings['job-created'] = Date.now() - started;
    await admin.request('DELETE', `/api/v1/namespaces/${SYSTEM_NS}/pods/${leaderBefore}`, {
      body: { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0 },
    });
    const killedAt = Date.now();

    // A grace-0 delete removes the pod object at once, but the kubelet still stops the container
    // with SIGTERM, so the leader usually releases the Lease as it goes (takeover well under a
    // second); were it gone without that, the Lease would expire after 15 s. Either way the standby,
    // which has been watching the Lease, takes it: a replacement pod must watch it a full term first.
    // (The next test crashes the leader with SIGKILL: then the Lease must expire.)
    const leaderAfter = await waitFor(
      'a new Lease holder',
      async () => {
        const h = holderPod((await getLease()).spec?.holderIdentity);
        return h && h !== leaderBefore ? h : undefined;
      },
      60_000,
      250,
    );
    timings['takeover'] = Date.now() - killedAt;
    assert.equal(leaderAfter, standby, 'the standby replica took over');

    const execution = await waitFor(
      'the execution to finish',
      async () => {
        const e = (await listExecutions(ns)).find((x) => x.spec.moduleRef?.name === 'failover');
        return e?.status?.phase === 'Succeeded' || e?.status?.phase === 'Failed' ? e : undefined;
      },
      180_000,
      500,
    );
    timings['plan-succeeded'] = Date.now() - started;
    assert.equal(execution.status?.phase, 'Succeeded', `${execution.status?.message ?? ''}`);
    assert.equal(execution.status?.summary?.text, 'Plan: 2 to add, 0 to change, 0 to destroy.');

    await sleep(3000); // long enough for a duplicate to show up if the new leader were to make one
    const executions: TofuExecution[] = await listExecutions(ns);
    const jobs: Job[] = await listJobs(ns);
    assert.equal(executions.length, 1, 'one execution');
    assert.equal(jobs.length, 1, 'exactly one Job');
    assert.equal(jobs[0]?.metadata?.ownerReferences?.find((r) => r.controller)?.uid, executions[0]?.metadata.uid);

    // The Deployment replaces the killed pod; two replicas again, one leader.
    await waitFor(
      'two Ready replicas again',
      async () => (await operatorPods()).filter(isReady).length === 2 && (await getDeployment(OPERATOR)).status?.readyReplicas === 2,
      120_000,
      500,
    );
    assert.equal(holderPod((await getLease()).spec?.holderIdentity), standby);
  });

  it('survives a crash of the leader (SIGKILL, no Lease release): the Lease expires, a replica takes over, the run ends with one Job', async () => {
    const lease = await getLease();
    const identity = lease.spec?.holderIdentity;
    const leaderPod = holderPod(identity);
    assert.ok(identity && leaderPod, 'a leader');
    const repo = serveRepo('e2e-in-cluster', {
      'two/main.tf': 'resource "terraform_data" "a" { input = "a" }\nresource "terraform_data" "b" { input = "b" }\n',
    });
    await admin.create<TofuModule>(TofuModules, ns, {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuModule',
      metadata: { name: 'crash', namespace: ns },
      spec: { source: { repository: repo, workdir: 'two' } },
    });
    const ownJobs = async () => (await listJobs(ns)).filter((j) => j.metadata?.labels?.['tofu-operator.io/module'] === 'crash');
    await waitFor('the Job of the plan', async () => (await ownJobs()).length > 0, 60_000, 50);
    // The leader's node process, found on this host (the node is this machine) by its POD_NAME.
    const pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
    const leaderPid = pids.find((pid) => {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
        return cmd.includes('apps/operator/dist/main.js') && env.includes(`POD_NAME=${leaderPod}`);
      } catch {
        return false; // gone, or not ours to read
      }
    });
    assert.ok(leaderPid, `the leader's process (pod ${leaderPod}) on this node`);
    process.kill(Number(leaderPid), 'SIGKILL');
    const killedAt = Date.now();

    const next = await waitFor(
      'a new Lease holder after the crashed one expired',
      async () => {
        const h = (await getLease()).spec?.holderIdentity;
        return h && h !== identity ? h : undefined;
      },
      90_000,
      250,
    );
    timings['crash-takeover'] = Date.now() - killedAt;
    // Nobody released the Lease: it changed hands only after its term (15 s) ran out.
    assert.ok(timings['crash-takeover'] >= 10_000, `takeover after ${timings['crash-takeover']} ms: the dead leader's Lease was honoured`);
    assert.ok(holderPod(next), 'the new holder is one of the operator pods');

    const execution = await waitFor(
      'the execution to finish',
      async () => {
        const e = (await listExecutions(ns)).find((x) => x.spec.moduleRef?.name === 'crash');
        return e?.status?.phase === 'Succeeded' || e?.status?.phase === 'Failed' ? e : undefined;
      },
      180_000,
      500,
    );
    assert.equal(execution.status?.phase, 'Succeeded', execution.status?.message ?? '');
    await sleep(3000);
    assert.equal((await listExecutions(ns)).filter((x) => x.spec.moduleRef?.name === 'crash').length, 1, 'one execution');
    assert.equal((await ownJobs()).length, 1, 'exactly one Job');
    // The kubelet restarts the killed container in place; two Ready replicas again.
    await waitFor('two Ready replicas again', async () => (await operatorPods()).filter(isReady).length === 2, 120_000, 500);
  });
});
