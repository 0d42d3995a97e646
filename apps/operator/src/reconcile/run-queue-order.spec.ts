import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { orderQueue, ordinal, placeShownIsStale, queueMessage, type QueueCandidate, type QueueInput } from './run-queue-order.js';

const run = (namespace: string, n: number, apply = false): QueueCandidate => ({
  uid: `${namespace}-${n}`,
  namespace,
  name: `${namespace}-${n}`,
  createdMs: 1_000 + n,
  apply,
});

const input = (over: Partial<QueueInput>): QueueInput => ({
  waiting: [],
  running: new Map(),
  maxRuns: 3,
  capOf: () => undefined,
  lastServed: new Map(),
  ...over,
});

const admitted = (q: QueueInput) =>
  orderQueue(q)
    .filter((p) => p.admit)
    .sort((a, b) => a.position - b.position)
    .map((p) => p.name);
const waitingOrder = (q: QueueInput) =>
  orderQueue(q)
    .filter((p) => !p.admit && p.limit === 'Operator')
    .sort((a, b) => a.position - b.position)
    .map((p) => p.name);

describe('orderQueue', () => {
  it('admits as many as there are free slots, oldest first within a namespace', () => {
    const q = input({ waiting: [run('a', 3), run('a', 1), run('a', 2), run('a', 4)], running: new Map([['a', 1]]) });
    assert.deepEqual(admitted(q), ['a-1', 'a-2']);
    assert.deepEqual(waitingOrder(q), ['a-3', 'a-4']);
    const third = orderQueue(q).find((p) => p.name === 'a-4');
    assert.deepEqual(
      { position: third?.position, length: third?.length, going: third?.going, cap: third?.cap },
      { position: 2, length: 2, going: 1, cap: 3 },
    );
  });

  it('admits nobody when the operator is full, however many wait', () => {
    const q = input({ waiting: [run('a', 1), run('b', 1)], running: new Map([['c', 3]]) });
    assert.deepEqual(admitted(q), []);
    assert.deepEqual(waitingOrder(q), ['a-1', 'b-1']);
  });

  it('interleaves namespaces: one with 20 waiting does not take every slot from one with 2', () => {
    const many = Array.from({ length: 20 }, (_, i) => run('big', i));
    const q = input({ waiting: [...many, run('small', 50), run('small', 51)], maxRuns: 4 });
    assert.deepEqual(admitted(q), ['big-0', 'small-50', 'big-1', 'small-51']);
  });

  it('puts the namespace with fewer runs going first', () => {
    const q = input({ waiting: [run('a', 1), run('b', 2), run('b', 3)], running: new Map([['a', 2]]), maxRuns: 4 });
    // a has 2 going: b's two runs (load 0 and 1) come before a's first (load 2).
    assert.deepEqual(admitted(q), ['b-2', 'b-3']);
    assert.deepEqual(waitingOrder(q), ['a-1']);
  });

  it('among equal namespaces serves the one served least recently (round-robin)', () => {
    const waiting = [run('a', 1), run('b', 2), run('c', 3)];
    const served = (order: string[]) => new Map(order.map((ns, i) => [ns, i]));
    assert.deepEqual(admitted(input({ waiting, maxRuns: 1, lastServed: served(['b', 'a', 'c']) })), ['b-2']);
    assert.deepEqual(admitted(input({ waiting, maxRuns: 1, lastServed: served(['c', 'b', 'a']) })), ['c-3']);
    // Never served before the others: first.
    assert.deepEqual(admitted(input({ waiting, maxRuns: 1, lastServed: served(['a', 'b']) })), ['c-3']);
  });

  it('lets applies go before plans, across namespaces', () => {
    const q = input({ waiting: [run('a', 1), run('a', 2), run('b', 3, true)], running: new Map([['b', 2]]), maxRuns: 3 });
    assert.deepEqual(admitted(q), ['b-3']);
    assert.deepEqual(waitingOrder(q), ['a-1', 'a-2']);
  });

  it('keeps a namespace at its cap in its own queue, and gives the free slots to others', () => {
    const q = input({
      waiting: [run('a', 1), run('a', 2), run('a', 3), run('b', 4)],
      running: new Map([['a', 0]]),
      maxRuns: 5,
      capOf: (ns) => (ns === 'a' ? { limit: 1, source: 'annotation' } : undefined),
    });
    assert.deepEqual(admitted(q), ['a-1', 'b-4']);
    const held = orderQueue(q).filter((p) => p.limit === 'Namespace');
    assert.deepEqual(
      held.map((p) => [p.name, p.position, p.length, p.going, p.cap, p.capSource]),
      [
        ['a-2', 1, 2, 0, 1, 'annotation'],
        ['a-3', 2, 2, 0, 1, 'annotation'],
      ],
    );
  });

  it('holds every run of a namespace with cap 0', () => {
    const q = input({ waiting: [run('a', 1)], capOf: () => ({ limit: 0, source: 'annotation' }) });
    assert.deepEqual(admitted(q), []);
    assert.equal(orderQueue(q)[0]?.limit, 'Namespace');
  });

  it('admits nobody above the cap after a restart that found more runs going than the cap', () => {
    const q = input({ waiting: [run('a', 1)], running: new Map([['a', 5]]), maxRuns: 3 });
    assert.deepEqual(admitted(q), []);
    assert.equal(orderQueue(q)[0]?.position, 1);
  });
});

describe('queueMessage', () => {
  it('gives the place and the cap that holds the run back', () => {
    const operator = { uid: 'u', namespace: 'team-a', name: 'x', admit: false, limit: 'Operator' as const, going: 16, cap: 16 };
    assert.equal(
      queueMessage({ ...operator, position: 3, length: 12 }),
      '3rd of 12 waiting: 16 of 16 runs going (TOFU_OPERATOR_MAX_CONCURRENT_RUNS)',
    );
    assert.equal(
      queueMessage({ ...operator, limit: 'Namespace', position: 1, length: 2, going: 1, cap: 1, capSource: 'annotation' }),
      '1st of 2 waiting in namespace team-a: 1 of 1 runs going (annotation tofu-operator.io/max-concurrent-runs of the namespace)',
    );
    assert.equal(
      queueMessage({ ...operator, limit: 'Namespace', position: 2, length: 2, going: 4, cap: 4, capSource: 'default' }),
      '2nd of 2 waiting in namespace team-a: 4 of 4 runs going (TOFU_OPERATOR_MAX_CONCURRENT_RUNS_PER_NAMESPACE)',
    );
    assert.equal(
      queueMessage({ ...operator, limit: 'Namespace', position: 1, length: 1, going: 0, cap: 1, capSource: 'annotation' }),
      '1st of 1 waiting in namespace team-a: 0 of 1 runs going and 1 next (annotation tofu-operator.io/max-concurrent-runs of the namespace)',
    );
  });

  it('spells ordinals', () => {
    assert.deepEqual([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111].map(ordinal), [
      '1st',
      '2nd',
      '3rd',
      '4th',
      '11th',
      '12th',
      '13th',
      '21st',
      '22nd',
      '23rd',
      '101st',
      '111th',
    ]);
  });
});

describe('placeShownIsStale', () => {
  it('keeps the first places exact and writes further places only after a real move', () => {
    const at = (position: number) => ({ position, limit: 'Operator' as const });
    assert.equal(placeShownIsStale(undefined, at(9)), true, 'never shown');
    assert.equal(placeShownIsStale(at(3), { position: 3, limit: 'Namespace' }), true, 'another cap');
    assert.equal(placeShownIsStale(at(4), at(4)), false);
    assert.equal(placeShownIsStale(at(6), at(5)), true, 'into the exact places');
    assert.equal(placeShownIsStale(at(40), at(39)), false);
    assert.equal(placeShownIsStale(at(40), at(31)), false);
    assert.equal(placeShownIsStale(at(40), at(30)), true, 'a quarter of the way');
    assert.equal(placeShownIsStale(at(12), at(16)), true, 'moved back (an apply went ahead)');
  });

  it('writes a run O(log n) times on its way from the back of 50 to the front', () => {
    let writes = 1;
    let shown = 50;
    for (let p = 49; p >= 1; p--) {
      if (placeShownIsStale({ position: shown, limit: 'Operator' }, { position: p, limit: 'Operator' })) {
        writes++;
        shown = p;
      }
    }
    assert.equal(shown, 1);
    assert.ok(writes <= 16, `${writes} writes`);
  });
});
