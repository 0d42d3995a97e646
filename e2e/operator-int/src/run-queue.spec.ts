// The run queue on the local cluster (docs/guides/run-queue.md): the operator runs with
// TOFU_OPERATOR_MAX_CONCURRENT_RUNS=3, 50 modules in three namespaces ask for a plan at once, and
// real runner pods plan the served hello sample. Jobs are watched the whole time: never more than 3
// unfinished, every run once, the waiting ones showed their place, namespaces interleaved; an
// operator restart in the middle loses nothing and starts nothing twice. Then a namespace capped at
// 1 by its annotation.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TofuExecution, TofuModule } from '@tofu-operator/api-types';
import { Informer, type Job, type Logger } from '@tofu-operator/reconcile-runtime';
import {
  admin,
  deleteNamespace,
  installCrdsAndRbac,
  Jobs,
  Namespaces,
  newNamespace,
  operatorKubeconfig,
  OperatorProcess,
  TofuExecutions,
  TofuModules,
  waitFor,
} from './harness.js';

const CAP = 3;
const quiet = { info: () => undefined, warn: () => undefined, debug: () => undefined, error: () => undefined } as unknown as Logger;
const FINISHED = new Set(['Complete', 'Failed', 'SuccessCriteriaMet', 'FailureTarget']);
const unfinished = (j: Job) => !(j.status?.conditions ?? []).some((c) => c.status === 'True' && FINISHED.has(c.type));

const moduleObj = (ns: string, name: string): TofuModule => ({
  apiVersion: 'tofu-operator.io/v1alpha1',
  kind: 'TofuModule',
  metadata: { name, namespace: ns },
  spec: { source: { repository: 'git://10.88.0.1/tofu-samples', workdir: 'hello' } },
});

/**
 * Watches the runner Jobs and the executions of some namespaces: the most Jobs unfinished at any
 * event (overall and per namespace), the order Jobs appeared in, and what each execution showed.
 */
class Observer {
  private readonly jobs = new Informer<Job>(admin, Jobs, quiet, {
    labelSelector: 'app.kubernetes.io/managed-by=tofu-operator,app.kubernetes.io/component=runner',
  });
  private readonly executions = new Informer<TofuExecution>(admin, TofuExecutions, quiet);
  maxUnfinished = 0;
  readonly maxUnfinishedIn = new Map<string, number>();
  /** "namespace/name" of each Job, in the order they appeared. */
  readonly started: string[] = [];
  /** Per execution: the places (status.queue) it showed, and the Queued messages. */
  readonly places = new Map<string, { position: number; length?: number; limit: string }[]>();
  readonly messages = new Map<string, string[]>();
  queueWrites = 0;

  constructor(private readonly namespaces: Set<string>) {
    this.jobs.onEvent((e, j) => {
      const ns = j.metadata?.namespace ?? '';
      if (!this.namespaces.has(ns)) return;
      const key = `${ns}/${j.metadata?.name}`;
      if (e === 'add' && !this.started.includes(key)) this.started.push(key);
      const going = this.jobs.list().filter((x) => this.namespaces.has(x.metadata?.namespace ?? '') && unfinished(x));
      this.maxUnfinished = Math.max(this.maxUnfinished, going.length);
      const inNs = going.filter((x) => x.metadata?.namespace === ns).length;
      this.maxUnfinishedIn.set(ns, Math.max(this.maxUnfinishedIn.get(ns) ?? 0, inNs));
    });
    this.executions.onEvent((_e, x, old) => {
      if (!this.namespaces.has(x.metadata.namespace ?? '')) return;
      const key = `${x.metadata.namespace}/${x.metadata.name}`;
      const q = x.status?.queue;
      if (q && JSON.stringify(q) !== JSON.stringify(old?.status?.queue)) {
        this.queueWrites++;
        this.places.set(key, [...(this.places.get(key) ?? []), q]);
      }
      const queued = x.status?.conditions?.find((c) => c.type === 'Queued' && c.status === 'True');
      if (queued) this.messages.set(key, [...(this.messages.get(key) ?? []), queued.message ?? '']);
    });
  }

  async start(): Promise<void> {
    this.jobs.start();
    this.executions.start();
    await Promise.all([this.jobs.waitForSync(), this.executions.waitForSync()]);
  }

  async stop(): Promise<void> {
    await Promise.all([this.jobs.stop(), this.executions.stop()]);
  }

  executionsIn(ns: string): TofuExecution[] {
    return this.executions.list(ns);
  }
}

/**
 * Waits until every module of the namespaces has a Succeeded execution and no execution there is
 * unfinished. An owner may have replaced a queued plan by a newer one (tofu-operator.io/superseded-by,
 * e.g. once its source poll resolved the commit): the replaced one ends Failed/Superseded.
 */
async function allFinished(namespaces: string[], modules: number, timeoutMs: number): Promise<TofuExecution[]> {
  return waitFor(
    `a Succeeded plan for each of ${modules} modules in ${namespaces.join(', ')}`,
    async () => {
      const xs = (await Promise.all(namespaces.map((ns) => admin.list<TofuExecution>(TofuExecutions, ns)))).flatMap((l) => l.items);
      const open = xs.filter((x) => x.status?.phase !== 'Succeeded' && x.status?.phase !== 'Failed');
      const done = new Set(xs.filter((x) => x.status?.phase === 'Succeeded').map((x) => `${x.metadata.namespace}/${ownerOf(x)}`));
      return open.length === 0 && done.size >= modules ? xs : undefined;
    },
    timeoutMs,
    2_000,
  );
}

const ownerOf = (x: TofuExecution) => x.metadata.ownerReferences?.find((r) => r.controller)?.name ?? '';

/**
 * Every execution either ran once (Succeeded, its Job named after it, seen created once) or was
 * superseded before it had a Job (Failed, Superseded, never a Job). The runs that went.
 */
function ranOnceOrSuperseded(xs: TofuExecution[], observer: Observer): TofuExecution[] {
  const ran = xs.filter((x) => x.status?.failureCategory !== 'Superseded');
  for (const x of xs) {
    const key = `${x.metadata.namespace}/${x.metadata.name}`;
    assert.equal(x.status?.queue, undefined, `${key} left the queue`);
    if (x.status?.failureCategory === 'Superseded') {
      assert.equal(x.status.jobName, undefined, `${key} was superseded before it had a Job`);
      assert.ok(!observer.started.includes(key), `${key} never had a Job`);
    } else {
      assert.equal(x.status?.phase, 'Succeeded', `${key}: ${x.status?.message}`);
      assert.equal(x.status?.jobName, x.metadata.name);
      assert.ok(observer.started.includes(key), `${key} had its Job`);
    }
  }
  assert.equal(observer.started.length, ran.length, 'one Job per run');
  assert.equal(new Set(observer.started).size, observer.started.length, 'no Job created twice');
  return ran;
}

describe('run queue', () => {
  let operator: OperatorProcess;
  let kubeconfig: string;
  const env = { TOFU_OPERATOR_MAX_CONCURRENT_RUNS: String(CAP), LOG_LEVEL: 'info' };
  const namespaces: string[] = [];

  before(async () => {
    await installCrdsAndRbac();
    kubeconfig = await operatorKubeconfig();
    operator = new OperatorProcess(kubeconfig, env);
    operator.start();
    await operator.waitUntilLeading();
  });

  after(async () => {
    await operator?.stop();
    await Promise.all(namespaces.map((ns) => deleteNamespace(ns)));
  });

  it('runs 50 plans at most 3 at a time, fair between namespaces, each once, through a restart', async () => {
    const [a, b, c] = [await newNamespace('queue-a'), await newNamespace('queue-b'), await newNamespace('queue-c')];
    namespaces.push(a, b, c);
    const observer = new Observer(new Set([a, b, c]));
    await observer.start();
    try {
      // Namespace a asks first and for most: FIFO would give it every early slot; the fair order must not.
      const counts: [string, number][] = [
        [a, 26],
        [b, 14],
        [c, 10],
      ];
      for (const [ns, n] of counts) {
        await Promise.all(Array.from({ length: n }, (_, i) => admin.create(TofuModules, ns, moduleObj(ns, `m${i}`))));
      }
      // Restart the operator once a third of the runs have started: the new one rebuilds the queue from the cache.
      await waitFor('17 Jobs started', () => observer.started.length >= 17, 240_000, 500);
      await operator.stop();
      // The same runner API port: the runner pods going were given it.
      operator = new OperatorProcess(kubeconfig, { ...env, TOFU_OPERATOR_RUNNER_PORT: operator.runnerPort });
      operator.start();
      await operator.waitUntilLeading();

      const xs = await allFinished([a, b, c], 50, 420_000);
      const ran = ranOnceOrSuperseded(xs, observer);
      assert.ok(ran.length >= 50, `${ran.length} runs`);
      const superseded = xs.length - ran.length;
      assert.ok(observer.maxUnfinished <= CAP, `at most ${CAP} unfinished Jobs at once, saw ${observer.maxUnfinished}`);
      assert.equal(observer.maxUnfinished, CAP, 'the cap was used');

      // Fairness: b and c got slots among the first nine although a asked first and for more.
      const first9 = observer.started.slice(0, 9).map((k) => k.split('/')[0] ?? '');
      assert.ok(first9.includes(b) && first9.includes(c), `first nine Jobs by namespace: ${first9.join(' ')}`);
      assert.ok(first9.filter((ns) => ns === a).length <= 5, `first nine Jobs by namespace: ${first9.join(' ')}`);

      // The waiting ones showed their place, and the place moved.
      const queued = [...observer.places.keys()];
      assert.ok(queued.length >= 35, `${queued.length} executions showed status.queue`);
      const positions = [...observer.places.values()].flat();
      assert.ok(
        positions.some((p) => p.position >= 20),
        'some waited far back',
      );
      assert.ok(
        positions.every((p) => p.limit === 'Operator'),
        'the operator cap held them',
      );
      const moved = [...observer.places.values()].filter((ps) => ps.length >= 2 && ps[ps.length - 1]!.position < ps[0]!.position);
      assert.ok(moved.length >= 10, `${moved.length} executions saw their place move forward`);
      const message = /^\d+(st|nd|rd|th) of \d+ waiting: \d+ of 3 runs going \(TOFU_OPERATOR_MAX_CONCURRENT_RUNS\)$/;
      for (const [key, ms] of observer.messages) for (const m of ms) assert.match(m, message, key);
      // Coalesced: about half or less of one write per waiting run per start (50²/2 = 1250).
      console.log(
        `run queue: ${observer.queueWrites} status.queue writes for ${queued.length} waiting runs; at most ${observer.maxUnfinished} Jobs unfinished; first nine by namespace: ${first9.map((ns) => ns.slice(0, 7)).join(' ')}; ${superseded} superseded before they ran`,
      );
      assert.ok(observer.queueWrites <= 700, `${observer.queueWrites} status.queue writes`);
      const left = xs.find((x) => observer.places.has(`${x.metadata.namespace}/${x.metadata.name}`));
      const cond = left?.status?.conditions?.find((x) => x.type === 'Queued');
      assert.equal(cond?.status, 'False');
      assert.match(cond?.message ?? '', /^left the queue: /);
    } finally {
      await observer.stop();
    }
  });

  it('holds a namespace to its annotation tofu-operator.io/max-concurrent-runs', async () => {
    const [capped, free] = [await newNamespace('queue-one'), await newNamespace('queue-free')];
    namespaces.push(capped, free);
    await admin.mergePatch(Namespaces, undefined, capped, { metadata: { annotations: { 'tofu-operator.io/max-concurrent-runs': '1' } } });
    const observer = new Observer(new Set([capped, free]));
    await observer.start();
    try {
      // Let the operator's Namespace watch see the annotation before any run asks.
      await new Promise((r) => setTimeout(r, 1_000));
      await Promise.all([
        ...Array.from({ length: 4 }, (_, i) => admin.create(TofuModules, capped, moduleObj(capped, `one${i}`))),
        ...Array.from({ length: 4 }, (_, i) => admin.create(TofuModules, free, moduleObj(free, `free${i}`))),
      ]);
      const xs = await allFinished([capped, free], 8, 300_000);
      ranOnceOrSuperseded(xs, observer);
      assert.equal(observer.maxUnfinishedIn.get(capped), 1, 'one run at a time in the capped namespace');
      assert.ok(observer.maxUnfinished <= CAP, `at most ${CAP} overall, saw ${observer.maxUnfinished}`);
      assert.ok((observer.maxUnfinishedIn.get(free) ?? 0) >= 2, 'the other namespace used the slots the capped one could not');
      // Its runs beyond the first waited for the namespace's cap (those at the head of the operator's queue may show that one).
      const held = [...observer.places].filter(([k]) => k.startsWith(`${capped}/`)).flatMap(([, ps]) => ps);
      assert.ok(held.filter((p) => p.limit === 'Namespace').length >= 2, `places shown in the capped namespace: ${JSON.stringify(held)}`);
      const messages = [...observer.messages]
        .filter(([k]) => k.startsWith(`${capped}/`))
        .flatMap(([, ms]) => ms)
        .filter((m) => m.includes(' in namespace '));
      assert.ok(messages.length >= 2);
      for (const m of messages)
        assert.match(
          m,
          new RegExp(
            `^\\d+(st|nd|rd|th) of \\d+ waiting in namespace ${capped}: [01] of 1 runs going( and 1 next)? \\(annotation tofu-operator\\.io/max-concurrent-runs of the namespace\\)$`,
          ),
        );
    } finally {
      await observer.stop();
    }
  });
});
