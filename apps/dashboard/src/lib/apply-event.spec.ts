import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ResourceEvent } from '@tofu-operator/api-contracts';
import type { TofuExecution, TofuModule } from '@tofu-operator/api-types';
import { applyEvent, applyEvents, eventsFor, mergeByName } from './apply-event.ts';

const mod = (name: string, phase?: 'Running' | 'Succeeded'): TofuModule => ({
  apiVersion: 'tofu-operator.io/v1alpha1',
  kind: 'TofuModule',
  metadata: { name, namespace: 'ns' },
  spec: { source: { repository: 'git://h/r' } },
  ...(phase ? { status: { phase } } : {}),
});
const ev = (type: ResourceEvent['type'], o: TofuModule, namespace = 'ns'): ResourceEvent => ({
  kind: 'modules',
  type,
  namespace,
  name: o.metadata.name!,
  object: o,
});
const names = (l: TofuModule[]) => l.map((m) => m.metadata.name);

describe('applyEvent', () => {
  const list = [mod('b'), mod('d')];
  const cases: { what: string; event: ResourceEvent; want: (string | undefined)[] }[] = [
    { what: 'ADDED before the first', event: ev('ADDED', mod('a')), want: ['a', 'b', 'd'] },
    { what: 'ADDED in the middle', event: ev('ADDED', mod('c')), want: ['b', 'c', 'd'] },
    { what: 'ADDED after the last', event: ev('ADDED', mod('e')), want: ['b', 'd', 'e'] },
    { what: 'MODIFIED replaces in place', event: ev('MODIFIED', mod('d', 'Running')), want: ['b', 'd'] },
    { what: 'MODIFIED of an unknown object inserts it', event: ev('MODIFIED', mod('c')), want: ['b', 'c', 'd'] },
    { what: 'ADDED twice (replayed) does not duplicate', event: ev('ADDED', mod('b')), want: ['b', 'd'] },
    { what: 'DELETED removes', event: ev('DELETED', mod('b')), want: ['d'] },
  ];
  for (const c of cases) {
    it(c.what, () => {
      const out = applyEvent(list, c.event);
      assert.deepEqual(names(out), c.want);
      assert.deepEqual(names(list), ['b', 'd'], 'the input is not mutated');
    });
  }

  it('MODIFIED carries the new object', () => {
    const out = applyEvent(list, ev('MODIFIED', mod('d', 'Running')));
    assert.equal(out[1]?.status?.phase, 'Running');
  });

  it('DELETED of an unknown object returns the same array (no render)', () => {
    assert.equal(applyEvent(list, ev('DELETED', mod('zz'))), list);
  });

  it('a burst applies in order: added, modified, deleted', () => {
    const out = applyEvents(list, [ev('ADDED', mod('c')), ev('MODIFIED', mod('c', 'Succeeded')), ev('DELETED', mod('b'))]);
    assert.deepEqual(names(out), ['c', 'd']);
    assert.equal(out[0]?.status?.phase, 'Succeeded');
  });

  it('keeps a thousand-item list sorted under random events', () => {
    let l: TofuModule[] = [];
    const want = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      const n = `m-${(i * 7919) % 1000}`;
      if (i % 5 === 4) {
        l = applyEvent(l, ev('DELETED', mod(n)));
        want.delete(n);
      } else {
        l = applyEvent(l, ev('ADDED', mod(n)));
        want.add(n);
      }
    }
    assert.deepEqual(names(l), [...want].sort());
  });
});

describe('applyEvent with the fields of apply (issue 11)', () => {
  const DIGEST = `sha256:${'b'.repeat(64)}`;
  const exec = (name: string, status: TofuExecution['status'], spec: Partial<TofuExecution['spec']> = {}): TofuExecution => ({
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuExecution',
    metadata: { name, namespace: 'ns' },
    spec: { action: 'plan', moduleRef: { name: 'web' }, ...spec },
    ...(status ? { status } : {}),
  });

  it("an owner's pendingPlan arrives, then goes when the plan is decided", () => {
    const waiting: TofuModule = {
      ...mod('web', 'Succeeded'),
      status: { phase: 'Succeeded', pendingPlan: { name: 'p1', digest: DIGEST, summary: { add: 1 } } },
    };
    let l = applyEvent([mod('web', 'Succeeded')], ev('MODIFIED', waiting));
    assert.deepEqual(l[0]?.status?.pendingPlan, { name: 'p1', digest: DIGEST, summary: { add: 1 } });
    l = applyEvent(l, ev('MODIFIED', mod('web', 'Succeeded')));
    assert.equal(l[0]?.status?.pendingPlan, undefined);
  });

  it("a plan's approval and an apply's planRef and result replace the held objects", () => {
    const execEv = (type: ResourceEvent['type'], o: TofuExecution): ResourceEvent => ({
      kind: 'executions',
      type,
      namespace: 'ns',
      name: o.metadata.name!,
      object: o,
    });
    const plan = exec('p1', { phase: 'Succeeded', plan: { digest: DIGEST, commit: 'c1', hasChanges: true, add: 1 } });
    let l: TofuExecution[] = [plan];
    l = applyEvents(l, [
      execEv('MODIFIED', exec('p1', { ...plan.status, approval: { state: 'Approved', by: 'alice', at: 't', digest: DIGEST } })),
      execEv('ADDED', exec('p1-apply', { phase: 'Running' }, { action: 'apply', planRef: { name: 'p1', digest: DIGEST } })),
      execEv(
        'MODIFIED',
        exec(
          'p1-apply',
          { phase: 'Succeeded', apply: { add: 1, text: 'Apply complete! Resources: 1 added, 0 changed, 0 destroyed.' } },
          { action: 'apply', planRef: { name: 'p1', digest: DIGEST } },
        ),
      ),
    ]);
    assert.deepEqual(
      l.map((e) => e.metadata.name),
      ['p1', 'p1-apply'],
    );
    assert.equal(l[0]?.status?.approval?.state, 'Approved');
    assert.equal(l[0]?.status?.plan?.digest, DIGEST);
    assert.deepEqual(l[1]?.spec.planRef, { name: 'p1', digest: DIGEST });
    assert.equal(l[1]?.status?.apply?.add, 1);
  });
});

describe('eventsFor', () => {
  it('keeps the events of one namespace and kind', () => {
    const stack: ResourceEvent = { kind: 'stacks', type: 'ADDED', namespace: 'ns', name: 's', object: {} as never };
    const out = eventsFor([ev('ADDED', mod('a')), ev('ADDED', mod('b'), 'other'), stack], 'ns', 'modules');
    assert.deepEqual(
      out.map((e) => e.name),
      ['a'],
    );
  });
});

describe('mergeByName', () => {
  it('appends the next page of a list loading in pages', () =>
    assert.deepEqual(names(mergeByName([mod('a'), mod('b')], [mod('c'), mod('d')])), ['a', 'b', 'c', 'd']));
  it('keeps an object a live event added before its page came, replaced by the page', () => {
    const page = [mod('c', 'Succeeded'), mod('d'), mod('f')];
    const merged = mergeByName([mod('a'), mod('b'), mod('d', 'Running'), mod('z')], page);
    assert.deepEqual(names(merged), ['a', 'b', 'c', 'd', 'f', 'z']);
    assert.equal(merged[3], page[1]);
  });
  it('an empty page changes nothing', () => assert.deepEqual(names(mergeByName([mod('a')], [])), ['a']));
  it('into an empty list', () => assert.deepEqual(names(mergeByName([], [mod('a'), mod('b')])), ['a', 'b']));
});
