import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Reason, type Phase, type TofuExecution, type TofuStack } from '@tofu-operator/api-types';
import { countOf, MODULE_NOT_FOUND, ownerProblem, planBlock, problemCounts, stacksUsing } from './owner-state.ts';

const ready = (status: string, reason: string, message = `${reason} message`) => ({
  status: { phase: 'Pending' as Phase, conditions: [{ type: 'Ready', status, reason, message }] },
});

function stack(name: string, module: string): TofuStack {
  return {
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuStack',
    metadata: { name, namespace: 'team-a' },
    spec: { moduleRef: { name: module } },
  };
}

function execution(name: string, phase: Phase | undefined, ref: { stack?: string; module?: string }, at: string): TofuExecution {
  return {
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuExecution',
    metadata: { name, namespace: 'team-a', creationTimestamp: at },
    spec: {
      action: 'plan',
      ...(ref.module ? { moduleRef: { name: ref.module } } : {}),
      ...(ref.stack ? { stackRef: { name: ref.stack } } : {}),
    },
    ...(phase ? { status: { phase } } : {}),
  };
}

describe('ownerProblem', () => {
  it('names the operator reason the same way api-types does', () => assert.equal(MODULE_NOT_FOUND, Reason.ModuleNotFound));

  it('is the Ready condition of a stack whose module is gone', () => {
    const o = ready('False', 'ModuleNotFound', 'TofuModule "web" not found in namespace team-a');
    assert.deepEqual(ownerProblem(o), { reason: 'ModuleNotFound', message: 'TofuModule "web" not found in namespace team-a' });
  });

  it('is nothing for a queued owner, other reasons, Ready True or no status', () => {
    assert.equal(ownerProblem(ready('False', 'ExecutionPending')), undefined);
    assert.equal(ownerProblem(ready('False', 'DependencyNotApplied')), undefined);
    assert.equal(ownerProblem(ready('True', 'ModuleNotFound')), undefined);
    assert.equal(ownerProblem(ready('Unknown', 'ModuleNotFound')), undefined);
    assert.equal(ownerProblem({}), undefined);
    assert.equal(ownerProblem(undefined), undefined);
  });

  it('falls back to the reason when the condition has no message', () => {
    const o = { status: { conditions: [{ type: 'Ready', status: 'False', reason: 'ModuleNotFound' }] } };
    assert.deepEqual(ownerProblem(o), { reason: 'ModuleNotFound', message: 'ModuleNotFound' });
  });
});

describe('problemCounts', () => {
  it('counts the stranded owners by reason and nothing else', () => {
    const gone = ready('False', 'ModuleNotFound');
    assert.deepEqual(problemCounts([gone, ready('False', 'ExecutionPending'), gone, {}, undefined]), [['ModuleNotFound', 2]]);
    assert.deepEqual(problemCounts([ready('True', 'ExecutionSucceeded')]), []);
  });
});

describe('stacksUsing', () => {
  it('lists the stacks naming the module, sorted', () => {
    const stacks = [stack('web-b', 'web'), stack('db', 'pg'), stack('web-a', 'web')];
    assert.deepEqual(stacksUsing(stacks, 'web'), ['web-a', 'web-b']);
    assert.deepEqual(stacksUsing(stacks, 'none'), []);
  });
});

describe('countOf', () => {
  it('says one without an s', () => {
    assert.equal(countOf(0, 'stack'), '0 stacks');
    assert.equal(countOf(1, 'stack'), '1 stack');
    assert.equal(countOf(2, 'stack'), '2 stacks');
  });
});

describe('planBlock', () => {
  const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

  it('refuses a stranded stack with the condition message and reason', () => {
    const o = ready('False', 'ModuleNotFound', 'TofuModule "web" not found in namespace team-a');
    assert.deepEqual(planBlock('stacks', 'app', o, []), {
      reason: 'Cannot plan: TofuModule "web" not found in namespace team-a (ModuleNotFound)',
    });
  });

  it('names the unfinished run of this owner, whatever its phase before it ends', () => {
    for (const phase of ['Pending', 'Running', undefined] as const) {
      const runs = [
        execution('app-old', 'Succeeded', { stack: 'app', module: 'web' }, t(1)),
        execution('app-new', phase, { stack: 'app', module: 'web' }, t(2)),
      ];
      assert.deepEqual(planBlock('stacks', 'app', {}, runs), { reason: 'A run is in progress: app-new', running: 'app-new' });
    }
  });

  it('lets a plan start when every run ended, or the running one belongs to someone else', () => {
    const runs = [
      execution('app-1', 'Failed', { stack: 'app', module: 'web' }, t(1)),
      execution('app-2', 'Succeeded', { stack: 'app', module: 'web' }, t(2)),
      execution('other-1', 'Running', { stack: 'other', module: 'web' }, t(3)),
    ];
    assert.equal(planBlock('stacks', 'app', {}, runs), undefined);
    // A module's own runs exclude its stacks' runs.
    assert.equal(planBlock('modules', 'web', {}, runs), undefined);
    assert.deepEqual(planBlock('modules', 'web', {}, [...runs, execution('web-1', 'Running', { module: 'web' }, t(4))]), {
      reason: 'A run is in progress: web-1',
      running: 'web-1',
    });
  });
});
