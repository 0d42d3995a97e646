import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import type { TofuExecution } from '@tofu-operator/api-types';
import type { Job, KubeObject, Logger } from '@tofu-operator/reconcile-runtime';
import type { OperatorConfig } from '../config/operator-config.js';
import type { ClusterCache } from '../kube/cluster-cache.js';
import { Leadership } from '../kube/leadership.js';
import { IDLE_PASS_EVERY_MS, RunQueue, type Admission } from './run-queue.js';
import type { Queues } from './watches.js';

const quiet = { info: () => undefined, warn: () => undefined, debug: () => undefined, error: () => undefined } as unknown as Logger;

const execution = (ns: string, name: string, n: number, status?: TofuExecution['status']): TofuExecution => ({
  apiVersion: 'tofu-operator.io/v1alpha1',
  kind: 'TofuExecution',
  metadata: {
    name,
    namespace: ns,
    uid: `uid-${ns}-${name}`,
    annotations: { 'tofu-operator.io/created-at': new Date(1_000 + n).toISOString() },
  },
  spec: { action: 'plan', source: { repository: 'https://git.example.com/x.git' } },
  ...(status ? { status } : {}),
});

/** A cache of executions (no owners), runner Jobs and Namespaces, as the queue reads it. */
function world(executions: TofuExecution[], namespaces: KubeObject[] = [], jobs: Job[] = []) {
  const handlers: (() => void)[] = [];
  const onEvent = (h: () => void) => handlers.push(h);
  const cache = {
    executions: {
      list: () => executions,
      get: (ns: string, name: string) => executions.find((x) => x.metadata.namespace === ns && x.metadata.name === name),
      byIndex: () => [],
      onEvent,
      hasSynced: true,
    },
    jobs: {
      get: (ns: string, name: string) => jobs.find((j) => j.metadata?.namespace === ns && j.metadata?.name === name),
      onEvent: () => undefined,
      hasSynced: true,
    },
    namespaces: { get: (_ns: undefined, name: string) => namespaces.find((n) => n.metadata?.name === name), onEvent: () => undefined },
  } as unknown as ClusterCache;
  /** What the informer does on a change: tell the handlers. */
  const changed = () => handlers.forEach((h) => h());
  return { cache, changed };
}

const config = (max: number, perNamespace?: number) =>
  ({ maxConcurrentRuns: max, maxConcurrentRunsPerNamespace: perNamespace }) as unknown as OperatorConfig;

/** An admission as text: `slot`, `ask again in N ms`, or the place (`position of length (going of cap)`). */
function shown(a: Admission): string {
  if (a.slot) return 'slot';
  if (!a.place) return `ask again in ${a.retryInMs} ms`;
  return `${a.place.position} of ${a.place.length} (${a.place.going} of ${a.place.cap})`;
}

/** A leading queue over the world, with the runs its pump woke. */
function leading(cache: ClusterCache, max: number, perNamespace?: number) {
  const leadership = new Leadership();
  leadership.set(true);
  const woken: string[] = [];
  const q = new RunQueue(cache, leadership, config(max, perNamespace), quiet);
  q.setupWatches({
    executions: { enqueue: (_ns: string, name: string) => woken.push(name), enqueueAfter: () => undefined },
  } as unknown as Queues);
  return { q, woken };
}

/** Counts the queue's passes over every execution. */
function countPasses(cache: ClusterCache) {
  const counted = { passes: 0 };
  const list = cache.executions.list.bind(cache.executions);
  (cache.executions as unknown as { list: () => TofuExecution[] }).list = () => {
    counted.passes++;
    return list();
  };
  return counted;
}

describe('RunQueue', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 }));
  afterEach(() => mock.timers.reset());

  it('grants slots up to the cap, to the head of the queue only, and again once a run ends', () => {
    const xs = ['a-1', 'a-2', 'a-3', 'a-4'].map((n, i) => execution('a', n, i));
    const { cache, changed } = world(xs);
    const q = new RunQueue(cache, new Leadership(), config(2), quiet);
    q.setupWatches({} as Queues);
    // The newest asks first: it is not at the head, so it waits.
    assert.equal(shown(q.acquire(xs[3]!)), '2 of 2 (0 of 2)');
    assert.equal(q.acquire(xs[0]!).slot, true);
    assert.equal(q.acquire(xs[1]!).slot, true);
    mock.timers.tick(50);
    assert.equal(shown(q.acquire(xs[2]!)), '1 of 2 (2 of 2)');
    // Asking again does not take a second slot.
    assert.equal(q.acquire(xs[0]!).slot, true);
    assert.equal(q.acquire(xs[2]!).slot, false);
    // a-1 ends: its grant is dropped and the next one goes (at the queue's next pass).
    xs[0] = { ...xs[0]!, status: { phase: 'Succeeded' } };
    changed();
    assert.equal(q.acquire(xs[2]!).slot, false, 'the places of the last pass hold until the next');
    mock.timers.tick(50);
    assert.equal(q.acquire(xs[2]!).slot, true);
    assert.equal(q.acquire(xs[3]!).slot, false);
  });

  /** A queue over a cache that grows one execution at a time (`stepMs` apart), counting the passes over every execution. */
  function burst(max: number, perNamespace: number, runs: number, stepMs = 0) {
    const xs: TofuExecution[] = [];
    const { cache, changed } = world(xs);
    const counted = countPasses(cache);
    const { q, woken } = leading(cache, max, perNamespace);
    const granted: Record<string, number> = { a: 0, b: 0 };
    const answers = new Map<string, number>();
    for (let i = 0; i < runs; i++) {
      const ns = i % 5 === 0 ? 'b' : 'a';
      const x = execution(ns, `r-${i}`, i);
      xs.push(x); // the cache shows it, then (stepMs later) it asks, as the reconciler does
      changed();
      mock.timers.tick(stepMs);
      const answer = q.acquire(x);
      if (answer.slot) granted[ns]!++;
      const kind = shown(answer).replace(/\d+/g, 'N');
      answers.set(kind, (answers.get(kind) ?? 0) + 1);
    }
    return { q, xs, changed, granted, counted, woken, answers };
  }

  it('grants a burst of new runs below the caps without a pass over every execution per run', () => {
    const { granted, counted } = burst(1000, 1000, 500);
    assert.deepEqual(granted, { a: 400, b: 100 });
    assert.ok(counted.passes <= 2, `${counted.passes} passes over the executions for 500 runs`);
  });

  it('passes over the executions only now and then while a burst below the caps keeps the queue changing', () => {
    // 500 runs, one every 50 ms (25 s): each one's grant and each cache event would wake the pump,
    // which sees the new run before it asks.
    const { granted, counted, woken } = burst(1000, 1000, 500, 50);
    assert.deepEqual(granted, { a: 400, b: 100 });
    const bound = Math.ceil(25_000 / IDLE_PASS_EVERY_MS) + 2;
    assert.ok(counted.passes <= bound, `${counted.passes} passes over the executions for 500 runs in 25 s (at most ${bound})`);
    // No run waited; a pass may wake the one new run it saw before that run asked (the same work-queue item).
    assert.ok(woken.length <= counted.passes, `woken: ${woken.join(', ')}`);
  });

  it('grants a run admitted by the last pass without another pass, though the queue changed since', () => {
    const xs = ['a-1', 'a-2', 'a-3'].map((n, i) => execution('a', n, i));
    const { cache, changed } = world(xs);
    const counted = countPasses(cache);
    const { q } = leading(cache, 2);
    assert.equal(shown(q.acquire(xs[2]!)), '1 of 1 (0 of 2)');
    assert.equal(counted.passes, 1);
    mock.timers.tick(1_000);
    xs.push(execution('b', 'b-1', 3));
    changed();
    // a-1 and a-2 were admitted by that pass (they had not asked yet): each gets its slot without a pass.
    assert.equal(q.acquire(xs[0]!).slot, true);
    assert.equal(q.acquire(xs[1]!).slot, true);
    assert.equal(counted.passes, 1);
  });

  it('orders a burst of runs above the caps in a pass per interval, not per run, and wakes them as slots free', () => {
    // 2,000 runs at once, 16 slots: the first pass admits up to the cap, later runs ask again at the next pass.
    const { q, xs, changed, granted, counted, woken, answers } = burst(16, 0, 2000);
    assert.equal(granted.a! + granted.b!, 16);
    assert.ok(counted.passes <= 3, `${counted.passes} passes over the executions for 2,000 runs`);
    assert.ok((answers.get('ask again in N ms') ?? 0) > 1900, JSON.stringify([...answers]));
    // The next pass orders all of them: each asks again and gets its place.
    mock.timers.tick(2_000);
    const last = q.acquire(xs[1999]!);
    assert.equal(shown(last), '1984 of 1984 (16 of 16)');
    // A run ends: its slot goes to the head of the queue at the next pass, woken by the pump.
    const first = xs.findIndex((x) => q.acquire(x).slot);
    xs[first] = { ...xs[first]!, status: { phase: 'Succeeded' } };
    changed();
    for (let i = 0; i < 1000; i++) q.acquire(xs[i]!); // asking again between passes costs no pass
    const before = counted.passes;
    mock.timers.tick(2_000);
    assert.ok(counted.passes - before <= 2, `${counted.passes - before} passes while 1,000 runs asked again`);
    assert.equal(woken.length, 1, `woken: ${woken.join(', ')}`);
    assert.equal(q.acquire(xs.find((x) => x.metadata.name === woken[0])!).slot, true);
  });

  it('wakes the next run when a slot frees while runs wait', () => {
    const xs = ['a-1', 'a-2'].map((n, i) => execution('a', n, i));
    const { cache, changed } = world(xs);
    const { q, woken } = leading(cache, 1);
    assert.equal(q.acquire(xs[0]!).slot, true);
    mock.timers.tick(100);
    assert.equal(q.acquire(xs[1]!).slot, false);
    mock.timers.tick(100);
    assert.deepEqual(woken, []);
    xs[0] = { ...xs[0]!, status: { phase: 'Succeeded' } };
    changed();
    mock.timers.tick(100);
    assert.deepEqual(woken, ['a-2']);
  });

  it('grants a burst up to the caps exactly, then queues the rest in order', () => {
    const { q, xs, granted } = burst(300, 200, 500);
    // Namespace a is held at its cap of 200; b gets its 100 below the operator's 300.
    assert.deepEqual(granted, { a: 200, b: 100 });
    mock.timers.tick(2_000);
    const held = q.acquire(xs[499]!);
    assert.equal(!held.slot && `${held.place?.limit} ${held.place?.position} of ${held.place?.length}`, 'Namespace 200 of 200');
  });

  it('after a restart counts the runs the cache shows (status.jobName or a Job) and grants nothing above the cap', () => {
    const running = execution('a', 'r-1', 0, { phase: 'Running', jobName: 'r-1' });
    const jobOnly = execution('b', 'r-2', 1);
    const job = { metadata: { name: 'r-2', namespace: 'b', ownerReferences: [{ controller: true, uid: jobOnly.metadata.uid }] } } as Job;
    const waiting = execution('a', 'w', 2);
    const q = new RunQueue(world([running, jobOnly, waiting], [], [job]).cache, new Leadership(), config(2), quiet);
    assert.equal(shown(q.acquire(waiting)), '1 of 1 (2 of 2)');
  });

  it('holds a namespace at its annotation, and at the default per namespace without one', () => {
    const xs = [execution('a', 'a-1', 0), execution('a', 'a-2', 1), execution('b', 'b-1', 2), execution('b', 'b-2', 3)];
    const ns = (name: string, cap?: string): KubeObject => ({
      metadata: { name, ...(cap ? { annotations: { 'tofu-operator.io/max-concurrent-runs': cap } } : {}) },
    });
    const q = new RunQueue(world(xs, [ns('a', '1'), ns('b')]).cache, new Leadership(), config(10, 2), quiet);
    assert.equal(q.acquire(xs[0]!).slot, true);
    const held = q.acquire(xs[1]!);
    assert.equal(!held.slot && `${held.place?.limit} ${held.place?.capSource}`, 'Namespace annotation');
    assert.equal(q.acquire(xs[2]!).slot, true);
    assert.equal(q.acquire(xs[3]!).slot, true, 'b: the default of 2');
  });

  it('gives a released slot to the next run and leaves the released one out until it asks again', () => {
    const xs = [execution('a', 'a-1', 0), execution('a', 'a-2', 1)];
    const q = new RunQueue(world(xs).cache, new Leadership(), config(1), quiet);
    assert.equal(q.acquire(xs[0]!).slot, true);
    q.release(xs[0]!, 60_000);
    mock.timers.tick(50);
    assert.equal(q.acquire(xs[1]!).slot, true);
  });
});
