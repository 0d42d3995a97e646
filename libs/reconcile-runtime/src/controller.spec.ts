import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { Controller, type ReconcileContext, type ReconcileRequest, type ReconcileResult, type Reconciler } from './controller.js';
import { FakeClock, flush, track } from './testing/fake-clock.js';

const log = pino({ level: 'silent' });

/** What one reconcile of a key does: wait for a gate, then return a result or throw. */
interface Step {
  gate?: Promise<void>;
  result?: ReconcileResult;
  error?: Error;
}

/** A reconciler that plays a script per key and records every call with the time it started. */
class ScriptedReconciler implements Reconciler {
  readonly kind = 'Thing';
  readonly calls: { key: string; at: number; req: ReconcileRequest; ctx: ReconcileContext }[] = [];
  readonly script = new Map<string, Step[]>();
  inFlight = new Map<string, number>();
  maxInFlight = 0;
  maxSameKey = 0;

  private readonly start: number;

  constructor(private readonly clock: FakeClock) {
    this.start = clock.now();
  }

  async reconcile(req: ReconcileRequest, ctx: ReconcileContext): Promise<ReconcileResult> {
    const key = req.namespace ? `${req.namespace}/${req.name}` : req.name;
    this.calls.push({ key, at: this.clock.now(), req, ctx });
    this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
    this.maxSameKey = Math.max(this.maxSameKey, this.inFlight.get(key) ?? 0);
    this.maxInFlight = Math.max(
      this.maxInFlight,
      [...this.inFlight.values()].reduce((a, b) => a + b, 0),
    );
    try {
      const step = this.script.get(key)?.shift() ?? {};
      await step.gate;
      if (step.error) throw step.error;
      return step.result;
    } finally {
      this.inFlight.set(key, (this.inFlight.get(key) ?? 1) - 1);
    }
  }

  startsOf(key: string): number[] {
    return this.calls.filter((c) => c.key === key).map((c) => c.at - this.start);
  }
}

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

/** A started controller on a manual clock; retries back off 5 ms, 10 ms, 20 ms, … (the defaults). */
function setup(concurrency = 4) {
  const clock = new FakeClock();
  const reconciler = new ScriptedReconciler(clock);
  const outcomes: string[] = [];
  const waits: number[] = [];
  const controller = new Controller(reconciler, log, {
    concurrency,
    observer: { reconciled: (_kind, outcome) => outcomes.push(outcome), queueWait: (_kind, waited) => waits.push(waited) },
    workQueue: { clock },
  });
  controller.start();
  return { clock, reconciler, controller, outcomes, waits };
}

const fail = new Error('boom');

describe('Controller', () => {
  it('runs `concurrency` workers, never one key twice at once, and reconciles a key changed meanwhile once more', async () => {
    const { controller, reconciler, clock, waits } = setup(2);
    const gates = [gate(), gate(), gate()];
    reconciler.script.set('ns/a', [{ gate: gates[0]?.promise }]);
    reconciler.script.set('ns/b', [{ gate: gates[1]?.promise }]);
    reconciler.script.set('ns/c', [{ gate: gates[2]?.promise }]);
    for (const n of ['a', 'b', 'c']) controller.enqueue('ns', n);
    controller.enqueue('ns', 'a');
    await flush();
    assert.deepEqual(
      reconciler.calls.map((c) => c.key),
      ['ns/a', 'ns/b'],
    );
    await clock.advance(30);
    gates[0]?.open();
    await flush();
    assert.deepEqual(
      reconciler.calls.map((c) => c.key),
      ['ns/a', 'ns/b', 'ns/c'],
      '"c" took the freed worker',
    );
    assert.equal(waits.at(2), 30, 'queue wait of "c" on the queue clock');
    gates[1]?.open();
    await flush();
    assert.deepEqual(
      reconciler.calls.map((c) => c.key),
      ['ns/a', 'ns/b', 'ns/c', 'ns/a'],
      '"a", enqueued while it ran, runs once more when a worker is free',
    );
    gates.forEach((g) => g.open());
    await flush();
    assert.equal(reconciler.maxInFlight, 2);
    assert.equal(reconciler.maxSameKey, 1);
    await controller.stop();
  });

  it('stop() drops queued keys and refuses new ones, and resolves once in-flight reconciles end', async () => {
    const { controller, reconciler, clock } = setup(1);
    const g = gate();
    reconciler.script.set('ns/a', [{ gate: g.promise, result: { requeueAfterMs: 10 } }]);
    controller.enqueue('ns', 'a');
    controller.enqueue('ns', 'b');
    await flush();
    const stopped = track(controller.stop());
    controller.enqueue('ns', 'c');
    controller.enqueueAfter('ns', 'd', 5);
    await flush();
    assert.equal(stopped.settled, false, 'waits for the reconcile of "a"');
    g.open();
    await flush();
    assert.equal(stopped.settled, true);
    await clock.advance(1_000);
    assert.deepEqual(
      reconciler.calls.map((c) => c.key),
      ['ns/a'],
    );
    assert.deepEqual(clock.pending(), [], 'the requeue asked for during shutdown is dropped');
  });

  it('reconciles again after the delay a reconcile asks for, and counts it as no failure', async () => {
    const { controller, reconciler, clock, outcomes } = setup();
    reconciler.script.set('ns/a', [{ result: { requeueAfterMs: 1_000 } }]);
    controller.enqueue('ns', 'a');
    await clock.advance(999);
    assert.deepEqual(reconciler.startsOf('ns/a'), [0]);
    assert.equal(controller.queue.numRequeues('ns/a'), 0);
    await clock.advance(1);
    assert.deepEqual(reconciler.startsOf('ns/a'), [0, 1_000]);
    assert.deepEqual(outcomes, ['requeue', 'success']);
    await controller.stop();
  });

  it('retries a failing key with exponential backoff (5, 10, 20 ms) and starts over after a success', async () => {
    const { controller, reconciler, clock, outcomes } = setup();
    reconciler.script.set('ns/a', [{ error: fail }, { error: fail }, { error: fail }, {}, { error: fail }]);
    controller.enqueue('ns', 'a');
    await clock.advance(100);
    assert.deepEqual(reconciler.startsOf('ns/a'), [0, 5, 15, 35]);
    assert.deepEqual(outcomes, ['error', 'error', 'error', 'success']);
    assert.equal(controller.queue.numRequeues('ns/a'), 0, 'forgotten after the success');
    controller.enqueue('ns', 'a');
    await clock.advance(100);
    assert.deepEqual(reconciler.startsOf('ns/a').slice(4), [100, 105], 'the next failure waits 5 ms again');
    await controller.stop();
  });

  it('never both: a requeue-after is not also retried with backoff, an error is not also requeued after a delay', async () => {
    const { controller, reconciler, clock } = setup();
    reconciler.script.set('ns/a', [{ result: { requeueAfterMs: 1_000 } }, { error: fail }, {}]);
    controller.enqueue('ns', 'a');
    await flush();
    assert.deepEqual(clock.pending(), [1_000], 'one delayed add, no backoff retry');
    await clock.advance(1_000);
    assert.deepEqual(clock.pending(), [5], 'one backoff retry, nothing else');
    await clock.advance(10_000);
    assert.deepEqual(reconciler.startsOf('ns/a'), [0, 1_000, 1_005]);
    assert.deepEqual(clock.pending(), []);
    await controller.stop();
  });

  it('hands over namespace and name (cluster-scoped: no namespace), a context per reconcile, and ignores nameless enqueues', async () => {
    const { controller, reconciler, clock } = setup();
    controller.enqueue('ns', 'a');
    controller.enqueue(undefined, 'cluster-wide');
    controller.enqueue('ns', undefined);
    controller.enqueueAfter('ns', undefined, 1);
    await clock.advance(10);
    assert.deepEqual(
      reconciler.calls.map((c) => c.req),
      [
        { namespace: 'ns', name: 'a' },
        { namespace: '', name: 'cluster-wide' },
      ],
    );
    const ids = reconciler.calls.map((c) => c.ctx.reconcileId);
    assert.ok(ids.every((id) => /^[0-9a-f]{8}$/.test(id)));
    assert.notEqual(ids[0], ids[1]);
    await controller.stop();
  });

  it('enqueueAfter: enqueues within the delay collapse into one reconcile, at the earliest time asked', async () => {
    const { controller, reconciler, clock } = setup();
    controller.enqueueAfter('ns', 'a', 100);
    controller.enqueueAfter('ns', 'a', 300);
    controller.enqueueAfter('ns', 'a', 50);
    await clock.advance(1_000);
    assert.deepEqual(reconciler.startsOf('ns/a'), [50]);
    await controller.stop();
  });
});
