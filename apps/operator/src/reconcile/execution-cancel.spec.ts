import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { API_GROUP_VERSION, type TofuExecution } from '@tofu-operator/api-types';
import { cancelledRun } from './execution-cancel.js';
import { executionStatusFor } from './execution-status.js';

const NOW = new Date('2024-03-01T12:00:00Z');
const CANCEL = 'tofu-operator.io/cancel-requested-at';

function execution(annotations: Record<string, string>, phase?: 'Running' | 'Succeeded' | 'Failed'): TofuExecution {
  return {
    apiVersion: API_GROUP_VERSION,
    kind: 'TofuExecution',
    metadata: { name: 'web-abc', namespace: 'ns', generation: 1, annotations },
    spec: { action: 'plan', moduleRef: { name: 'web' } },
    ...(phase ? { status: { phase, jobName: 'web-abc', podName: 'web-abc-xyz', startTime: '2024-03-01T11:59:00Z' } } : {}),
  };
}

describe('cancelledRun', () => {
  it('nothing without a request', () => assert.equal(cancelledRun(execution({}, 'Running'), NOW), undefined));

  it('a running execution ends Failed, Cancelled, now', () => {
    const run = cancelledRun(execution({ [CANCEL]: '2024-03-01T11:59:59Z' }, 'Running'), NOW);
    assert.equal(run?.phase, 'Failed');
    assert.equal(run?.reason, 'Cancelled');
    assert.equal(run?.failureCategory, 'Cancelled');
    assert.equal(run?.completionTime, NOW.toISOString());
    assert.match(run?.message ?? '', /cancelled \(requested at 2024-03-01T11:59:59Z\)/);
  });

  it('a pending execution (no Job yet) is cancelled too', () =>
    assert.equal(cancelledRun(execution({ [CANCEL]: 'x' }), NOW)?.reason, 'Cancelled'));

  for (const phase of ['Succeeded', 'Failed'] as const)
    it(`a ${phase} execution keeps its result`, () => assert.equal(cancelledRun(execution({ [CANCEL]: 'x' }, phase), NOW), undefined));

  it('as status: Ready False and Reconciling False with reason Cancelled, the Job and Pod names kept', () => {
    const e = execution({ [CANCEL]: 'x' }, 'Running');
    const status = executionStatusFor(e, undefined, cancelledRun(e, NOW)!, NOW);
    assert.equal(status.phase, 'Failed');
    assert.equal(status.failureCategory, 'Cancelled');
    assert.equal(status.jobName, 'web-abc');
    assert.equal(status.podName, 'web-abc-xyz');
    for (const type of ['Ready', 'Reconciling']) {
      const c = status.conditions?.find((x) => x.type === type);
      assert.deepEqual([c?.status, c?.reason], ['False', 'Cancelled'], type);
    }
  });
});
