import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TofuExecution } from '@tofu-operator/api-types';
import type { Job } from '@tofu-operator/reconcile-runtime';
import { finishedJobConditions, isJobFinished, isTerminal, isTerminalPhase } from './finished.js';

describe('isTerminal', () => {
  const table: [TofuExecution['status'], boolean][] = [
    [undefined, false],
    [{}, false],
    [{ phase: 'Pending' }, false],
    [{ phase: 'Running' }, false],
    [{ phase: 'Succeeded' }, true],
    [{ phase: 'Failed' }, true],
  ];
  for (const [status, expected] of table) {
    it(`${JSON.stringify(status)} is ${expected ? '' : 'not '}terminal`, () => {
      assert.equal(isTerminal({ status }), expected);
      assert.equal(isTerminalPhase(status?.phase), expected);
    });
  }
  it('an execution not in the cache is not terminal', () => assert.equal(isTerminal(undefined), false));
});

describe('finished Job conditions', () => {
  const job = (...conditions: [string, string][]): Job => ({
    status: { conditions: conditions.map(([type, status]) => ({ type, status })) },
  });
  const table: [string, Job, string[]][] = [
    ['no status', {}, []],
    ['running', job(['Suspended', 'False']), []],
    ['complete', job(['SuccessCriteriaMet', 'True'], ['Complete', 'True']), ['Complete', 'SuccessCriteriaMet']],
    ['failing', job(['FailureTarget', 'True']), ['FailureTarget']],
    ['failed', job(['Failed', 'True'], ['FailureTarget', 'True']), ['Failed', 'FailureTarget']],
    ['a condition that is not True', job(['Complete', 'False'], ['Failed', 'Unknown']), []],
    ['unrelated conditions', job(['Suspended', 'True']), []],
  ];
  for (const [what, j, expected] of table) {
    it(`${what}: ${expected.join(', ') || 'not finished'}`, () => {
      assert.deepEqual(finishedJobConditions(j), expected);
      assert.equal(isJobFinished(j), expected.length > 0);
    });
  }
});
