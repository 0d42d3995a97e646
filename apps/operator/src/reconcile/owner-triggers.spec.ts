import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Annotations, type TofuExecution, type TofuModule, type TofuModuleStatus } from '@tofu-operator/api-types';
import { executionNameFor } from '../execution/naming.js';
import { destroyRequestTriggerOf, planTriggerOf, triggerStateOf } from './owner-triggers.js';

const D = '2026-11-30T07:00:00.000Z';
const R = '2026-11-30T06:00:00.000Z';

function moduleWith(annotations: Record<string, string>, status: TofuModuleStatus = {}): TofuModule {
  return {
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuModule',
    metadata: { name: 'web', namespace: 'ns', uid: 'web-uid', generation: 2, annotations },
    spec: { source: { repository: 'https://git.example.com/web.git' } },
    status,
  };
}
const named = (name: string) => ({ metadata: { name } }) as TofuExecution;
const nameOf = (trigger: string) => executionNameFor('web', 'web-uid', trigger);

describe('destroyRequestTriggerOf', () => {
  it('is destroy/d<value> with the annotation, never a deletion trigger, and undefined without it', () => {
    assert.equal(destroyRequestTriggerOf(moduleWith({ [Annotations.destroyRequestedAt]: D })), `destroy/d${D}`);
    assert.equal(destroyRequestTriggerOf(moduleWith({ [Annotations.requestedAt]: R })), undefined);
    assert.equal(destroyRequestTriggerOf(moduleWith({ [Annotations.destroyRequestedAt]: '' })), undefined);
  });
});

describe('triggerStateOf', () => {
  const destroyName = nameOf(`destroy/d${D}`);
  const cases: { name: string; owner: TofuModule; executions: string[]; want: ReturnType<typeof triggerStateOf> }[] = [
    {
      name: 'a new generation is due',
      owner: moduleWith({}),
      executions: [],
      want: { due: { trigger: 'g2', name: nameOf('g2'), destroy: false } },
    },
    {
      name: 'a handled generation (its execution exists) is reported for the status',
      owner: moduleWith({ [Annotations.requestedAt]: R }),
      executions: [nameOf(`g2/r${R}`)],
      want: { handledTrigger: `g2/r${R}`, handledRequestedAt: R },
    },
    {
      name: 'a destroy request is due once the plan trigger is handled',
      owner: moduleWith({ [Annotations.destroyRequestedAt]: D }, { lastTrigger: 'g2' }),
      executions: [],
      want: { due: { trigger: `destroy/d${D}`, name: destroyName, destroy: true } },
    },
    {
      name: 'the plan trigger goes before a destroy request',
      owner: moduleWith({ [Annotations.destroyRequestedAt]: D }),
      executions: [],
      want: { due: { trigger: 'g2', name: nameOf('g2'), destroy: false } },
    },
    {
      name: 'a destroy request whose plan exists is handled',
      owner: moduleWith({ [Annotations.destroyRequestedAt]: D }),
      executions: [nameOf('g2'), destroyName],
      want: { handledTrigger: 'g2', handledDestroyRequestedAt: D },
    },
    {
      name: 'a destroy request the status records is not made again (its plan was pruned)',
      owner: moduleWith({ [Annotations.destroyRequestedAt]: D }, { lastTrigger: 'g2', lastHandledDestroyRequestedAt: D }),
      executions: [],
      want: {},
    },
    {
      name: 'a new destroy request value is due again',
      owner: moduleWith({ [Annotations.destroyRequestedAt]: D }, { lastTrigger: 'g2', lastHandledDestroyRequestedAt: R }),
      executions: [],
      want: { due: { trigger: `destroy/d${D}`, name: destroyName, destroy: true } },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(triggerStateOf(c.owner, undefined, c.executions.map(named)), c.want);
    });
  }

  it('for a stack, the module generation is part of the plan trigger only', () => {
    const owner = moduleWith({ [Annotations.destroyRequestedAt]: D }, { lastTrigger: 'g2/m5' });
    assert.deepEqual(triggerStateOf(owner, 5, []).due, { trigger: `destroy/d${D}`, name: destroyName, destroy: true });
  });
});

describe('planTriggerOf with inputs', () => {
  it('is the generation trigger alone without inputs (as before variables existed)', () => {
    assert.equal(planTriggerOf(moduleWith({}), undefined, undefined), 'g2');
  });

  it('adds an inputs part; the recorded digest keeps the handled trigger; a new digest, or one back to an earlier value, makes a new one', () => {
    const first = planTriggerOf(moduleWith({}), undefined, 'sha256:a');
    assert.match(first, /^g2\/i[a-z2-7]{10}$/);
    assert.equal(planTriggerOf(moduleWith({}), undefined, 'sha256:a'), first, 'the same state computes the same trigger');
    const handled = moduleWith({}, { lastTrigger: first, inputsDigest: 'sha256:a' });
    assert.equal(planTriggerOf(handled, undefined, 'sha256:a'), first);
    const second = planTriggerOf(handled, undefined, 'sha256:b');
    assert.notEqual(second, first);
    const back = planTriggerOf(moduleWith({}, { lastTrigger: second, inputsDigest: 'sha256:b' }), undefined, 'sha256:a');
    assert.notEqual(back, first, 'values back to earlier ones plan again under a new name');
    assert.notEqual(back, second);
  });

  it('triggerStateOf: due with the inputs trigger, handled once its execution exists (with the digest for the status)', () => {
    const owner = moduleWith({});
    const trigger = planTriggerOf(owner, undefined, 'sha256:a');
    assert.deepEqual(triggerStateOf(owner, undefined, [], 'sha256:a'), { due: { trigger, name: nameOf(trigger), destroy: false } });
    assert.deepEqual(triggerStateOf(owner, undefined, [named(nameOf(trigger))], 'sha256:a'), {
      handledTrigger: trigger,
      handledInputsDigest: 'sha256:a',
    });
  });
});

describe('planTriggerOf with the source commit', () => {
  const X = 'a'.repeat(40);
  const Y = 'b'.repeat(40);
  it('adds /c<12> when the poll saw a commit other than the one planned, and the due plan checks it out', () => {
    const owner = moduleWith({}, { lastTrigger: 'g2' });
    assert.equal(planTriggerOf(owner, undefined, undefined, { planned: X, latest: Y }), `g2/c${Y.slice(0, 12)}`);
    const due = triggerStateOf(owner, undefined, [], undefined, { planned: X, latest: Y }).due;
    assert.deepEqual(due, { trigger: `g2/c${Y.slice(0, 12)}`, name: nameOf(`g2/c${Y.slice(0, 12)}`), destroy: false, commit: Y });
  });

  it('keeps the last trigger once its commit is planned, and without a poll (no plan loop)', () => {
    const owner = moduleWith({}, { lastTrigger: `g2/c${Y.slice(0, 12)}` });
    assert.equal(planTriggerOf(owner, undefined, undefined, { planned: Y, latest: Y }), `g2/c${Y.slice(0, 12)}`);
    assert.equal(planTriggerOf(owner, undefined, undefined, { planned: Y }), `g2/c${Y.slice(0, 12)}`);
    assert.deepEqual(triggerStateOf(owner, undefined, [], undefined, { planned: Y, latest: Y }), {});
    // The first plan of a new module resolved the branch itself: the poll seeing that commit changes nothing.
    assert.equal(planTriggerOf(moduleWith({}, { lastTrigger: 'g2' }), undefined, undefined, { planned: X, latest: X }), 'g2');
  });

  it('a plan made with a commit part is the handled trigger before the status records it (no second plan of the same base)', () => {
    const withCommit = `g2/c${Y.slice(0, 12)}`;
    const made = { metadata: { name: nameOf(withCommit), annotations: { [Annotations.trigger]: withCommit } } } as unknown as TofuExecution;
    const fresh = moduleWith({});
    assert.deepEqual(triggerStateOf(fresh, undefined, [], undefined, { latest: Y }).due?.trigger, withCommit);
    // The next reconcile: the plan is newer than the poll (no latest), and status.lastTrigger is not written yet.
    assert.deepEqual(triggerStateOf(fresh, undefined, [made], undefined, {}), { handledTrigger: withCommit });
    // A spec change after it is a new base: due at once.
    const changed = { ...fresh, metadata: { ...fresh.metadata, generation: 3 } };
    assert.equal(triggerStateOf(changed, undefined, [made], undefined, {}).due?.trigger, 'g3');
  });

  it('a spec change plans at once without a commit part; a new commit at the same time names it', () => {
    const owner = moduleWith({}, { lastTrigger: `g1/c${Y.slice(0, 12)}` });
    assert.equal(planTriggerOf(owner, undefined, undefined, { planned: Y, latest: Y }), 'g2');
    assert.equal(planTriggerOf(owner, undefined, undefined, { planned: Y, latest: X }), `g2/c${X.slice(0, 12)}`);
  });

  it('composes with the inputs part: the digest keeps it, the commit part follows it', () => {
    const first = planTriggerOf(moduleWith({}), undefined, 'sha256:a');
    const handled = moduleWith({}, { lastTrigger: `${first}/c${X.slice(0, 12)}`, inputsDigest: 'sha256:a' });
    assert.equal(planTriggerOf(handled, undefined, 'sha256:a', { planned: X, latest: X }), `${first}/c${X.slice(0, 12)}`);
    assert.equal(planTriggerOf(handled, undefined, 'sha256:a', { planned: X, latest: Y }), `${first}/c${Y.slice(0, 12)}`);
    const changed = planTriggerOf(handled, undefined, 'sha256:b', { planned: X, latest: X });
    assert.match(changed, /^g2\/i[a-z2-7]{10}$/);
  });
});
