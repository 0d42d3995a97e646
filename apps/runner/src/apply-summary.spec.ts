import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FailureCategory } from '@tofu-operator/api-types';
import { summarizeApplyOutput } from './apply-summary.js';
import { classifyTofuFailure } from './tofu.js';

describe('summarizeApplyOutput', () => {
  const table: [string, string, unknown][] = [
    [
      'an apply',
      'terraform_data.a: Creating...\n\nApply complete! Resources: 1 added, 0 changed, 0 destroyed.\n',
      { add: 1, change: 0, destroy: 0, text: 'Apply complete! Resources: 1 added, 0 changed, 0 destroyed.' },
    ],
    [
      'an apply with imports and forgotten resources',
      'Apply complete! Resources: 2 imported, 1 added, 3 changed, 4 destroyed, 5 forgotten.',
      { add: 1, change: 3, destroy: 4, text: 'Apply complete! Resources: 2 imported, 1 added, 3 changed, 4 destroyed, 5 forgotten.' },
    ],
    [
      'a destroy',
      'Destroy complete! Resources: 2 destroyed.',
      { add: 0, change: 0, destroy: 2, text: 'Destroy complete! Resources: 2 destroyed.' },
    ],
    [
      'coloured output',
      '\u001b[0m\u001b[1m\u001b[32mApply complete! Resources: 0 added, 1 changed, 0 destroyed.\u001b[0m',
      { add: 0, change: 1, destroy: 0, text: 'Apply complete! Resources: 0 added, 1 changed, 0 destroyed.' },
    ],
    ['no summary line', 'Error: something', undefined],
  ];
  for (const [what, output, expected] of table) it(what, () => assert.deepEqual(summarizeApplyOutput(output), expected));
});

describe('classifyTofuFailure', () => {
  const table: [string, string, string][] = [
    ['a stale plan', 'Error: Saved plan is stale\n\nThe given plan file can no longer be applied', FailureCategory.PlanStale],
    ['a plan of another state', '│ Error: Saved plan does not match the given state', FailureCategory.PlanStale],
    ['a held lock', 'Error: Error acquiring the state lock\n\nLock Info:\n  ID: x', FailureCategory.StateLocked],
    [
      'a coloured lock error',
      '\u001b[31m│\u001b[0m \u001b[0m\u001b[1m\u001b[31mError: \u001b[0m\u001b[0m\u001b[1mError acquiring the state lock',
      FailureCategory.StateLocked,
    ],
    ['anything else', 'Error: Invalid reference', FailureCategory.ApplyFailed],
  ];
  for (const [what, output, expected] of table)
    it(what, () => assert.equal(classifyTofuFailure(output, FailureCategory.ApplyFailed), expected));
});
