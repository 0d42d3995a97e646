import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TofuExecution } from '@tofu-operator/api-types';
import { authorize, ownerOf, planRefOf, type AccessDecision, type RunnerRoute } from './runner-access.js';

function execution(name: string, spec: Record<string, unknown>, status: TofuExecution['status'] = {}, deleting = false): TofuExecution {
  return {
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuExecution',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, ...(deleting ? { deletionTimestamp: '2025-01-01T00:00:00Z' } : {}) },
    spec: { action: 'plan', ...spec },
    status,
  };
}

const modulePlan = execution('web-p1', { moduleRef: { name: 'web' } });
const stackPlan = execution('prod-p1', { moduleRef: { name: 'web' }, stackRef: { name: 'prod' } });
const otherPlan = execution('db-p1', { moduleRef: { name: 'db' } });
const apply = execution('web-p1-apply', { action: 'apply', moduleRef: { name: 'web' }, planRef: { name: 'web-p1' } });
const applyForeign = execution('web-x-apply', { action: 'apply', moduleRef: { name: 'web' }, planRef: { name: 'db-p1' } });
const applyMissing = execution('web-y-apply', { action: 'apply', moduleRef: { name: 'web' }, planRef: { name: 'gone' } });
const all = [modulePlan, stackPlan, otherPlan, apply, applyForeign, applyMissing];
const lookup = (ns: string, name: string) => all.find((x) => x.metadata.namespace === ns && x.metadata.name === name);

const state = (ownerKind: 'module' | 'stack', owner: string, op: 'get' | 'write' | 'lock' | 'unlock' = 'get'): RunnerRoute => ({
  kind: 'state',
  op,
  namespace: 'ns',
  ownerKind,
  owner,
});
const plan = (execution: string, op: 'get' | 'put' = 'get', part: 'plan' | 'diff' = 'plan'): RunnerRoute => ({
  kind: 'plan',
  op,
  part,
  namespace: 'ns',
  execution,
});

const outputs = (execution: string): RunnerRoute => ({ kind: 'outputs', op: 'put', namespace: 'ns', execution });

describe('runner access', () => {
  it('finds the owner: the stack when there is one, else the module', () => {
    assert.deepEqual(ownerOf(modulePlan), { kind: 'module', name: 'web' });
    assert.deepEqual(ownerOf(stackPlan), { kind: 'stack', name: 'prod' });
    assert.equal(ownerOf(execution('bare', {})), undefined);
  });

  it('reads spec.planRef defensively', () => {
    assert.equal(planRefOf(apply), 'web-p1');
    assert.equal(planRefOf(modulePlan), undefined);
    assert.equal(planRefOf(execution('odd', { planRef: { name: 5 } })), undefined);
  });

  const cases: { name: string; who: TofuExecution; route: RunnerRoute; want: 'allow' | 403 | 404; target?: string }[] = [
    { name: "a module's run uses its module's state", who: modulePlan, route: state('module', 'web', 'lock'), want: 'allow' },
    { name: 'a plan reads and locks but never writes the state', who: modulePlan, route: state('module', 'web', 'write'), want: 403 },
    { name: 'a plan unlocks its state', who: modulePlan, route: state('module', 'web', 'unlock'), want: 'allow' },
    { name: "an apply writes its module's state", who: apply, route: state('module', 'web', 'write'), want: 'allow' },
    {
      name: "a destroy writes its stack's state",
      who: execution('prod-d', { action: 'destroy', stackRef: { name: 'prod' }, planRef: { name: 'prod-p1' } }),
      route: state('stack', 'prod', 'write'),
      want: 'allow',
    },
    { name: "an apply may not write another owner's state", who: apply, route: state('module', 'db', 'write'), want: 403 },
    { name: "a stack's run uses the stack's state", who: stackPlan, route: state('stack', 'prod'), want: 'allow' },
    { name: "a stack's run may not use its module's state", who: stackPlan, route: state('module', 'web'), want: 403 },
    { name: "a module's run may not use another module's state", who: modulePlan, route: state('module', 'db'), want: 403 },
    { name: 'the kind counts: a stack named like the module', who: modulePlan, route: state('stack', 'web'), want: 403 },
    { name: 'an execution without owner has no state', who: execution('bare', {}), route: state('module', 'bare'), want: 403 },
    {
      name: 'a finished run can do nothing',
      who: execution('done', { moduleRef: { name: 'web' } }, { phase: 'Succeeded' }),
      route: state('module', 'web'),
      want: 403,
    },
    {
      name: 'a failed run can do nothing',
      who: execution('failed', { moduleRef: { name: 'web' } }, { phase: 'Failed' }),
      route: plan('failed', 'put'),
      want: 403,
    },
    {
      name: 'a run being deleted can do nothing',
      who: execution('del', { moduleRef: { name: 'web' } }, {}, true),
      route: state('module', 'web'),
      want: 403,
    },
    { name: 'a plan uploads its own plan', who: modulePlan, route: plan('web-p1', 'put'), want: 'allow', target: 'web-p1' },
    { name: 'a plan uploads its own diff', who: modulePlan, route: plan('web-p1', 'put', 'diff'), want: 'allow', target: 'web-p1' },
    { name: "a plan may not upload another's plan", who: modulePlan, route: plan('db-p1', 'put'), want: 403 },
    { name: 'an apply uploads no plan', who: apply, route: plan('web-p1-apply', 'put'), want: 403 },
    { name: 'a plan reads its own plan back', who: modulePlan, route: plan('web-p1'), want: 'allow', target: 'web-p1' },
    { name: 'an apply reads the plan its planRef names', who: apply, route: plan('web-p1'), want: 'allow', target: 'web-p1' },
    { name: 'an apply reads that plan’s diff', who: apply, route: plan('web-p1', 'get', 'diff'), want: 'allow', target: 'web-p1' },
    { name: 'an apply may not read another plan', who: apply, route: plan('db-p1'), want: 403 },
    { name: 'an apply reads no plan under its own name', who: apply, route: plan('web-p1-apply'), want: 403 },
    { name: "a plan may not read another's plan", who: modulePlan, route: plan('db-p1'), want: 403 },
    { name: "a planRef to another owner's plan is refused", who: applyForeign, route: plan('db-p1'), want: 403 },
    { name: 'a planRef to a missing plan is 404', who: applyMissing, route: plan('gone'), want: 404 },
    { name: 'an apply sends its own outputs', who: apply, route: outputs('web-p1-apply'), want: 'allow', target: 'web-p1-apply' },
    {
      name: 'a destroy sends its own outputs',
      who: execution('prod-d', { action: 'destroy', stackRef: { name: 'prod' }, planRef: { name: 'prod-p1' } }),
      route: outputs('prod-d'),
      want: 'allow',
      target: 'prod-d',
    },
    { name: 'a plan sends no outputs', who: modulePlan, route: outputs('web-p1'), want: 403 },
    { name: "an apply may not send another run's outputs", who: apply, route: outputs('web-x-apply'), want: 403 },
    { name: 'an apply without owner sends no outputs', who: execution('bare', { action: 'apply' }), route: outputs('bare'), want: 403 },
    {
      name: 'a finished apply sends no outputs',
      who: execution('late', { action: 'apply', moduleRef: { name: 'web' } }, { phase: 'Succeeded' }),
      route: outputs('late'),
      want: 403,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got: AccessDecision = authorize(c.who, c.route, lookup);
      if (c.want === 'allow') {
        assert.equal(got.allow, true, JSON.stringify(got));
        if (got.allow) assert.equal(got.target?.metadata.name, c.target);
      } else {
        assert.equal(got.allow, false);
        if (!got.allow) {
          assert.equal(got.status, c.want);
          assert.ok(got.message.length > 0);
        }
      }
    });
  }
});
