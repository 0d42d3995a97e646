import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { conditionTone, type ConditionTone } from './conditions.ts';

describe('conditionTone', () => {
  const table: [type: string, status: string, tone: ConditionTone][] = [
    ['Ready', 'True', 'good'],
    ['Ready', 'False', 'bad'],
    ['Ready', 'Unknown', 'neutral'],
    // A healthy object: nothing in progress is not a failure.
    ['Reconciling', 'False', 'neutral'],
    ['Reconciling', 'True', 'progress'],
    ['Reconciling', 'Unknown', 'neutral'],
    ['Stalled', 'False', 'good'],
    ['Stalled', 'True', 'bad'],
    ['Degraded', 'False', 'good'],
    ['AwaitingApproval', 'True', 'warn'],
    ['AwaitingApproval', 'False', 'neutral'],
    // Issue 13: drift found is the state to look at; a queued run is work in progress.
    ['Drifted', 'True', 'bad'],
    ['Drifted', 'False', 'good'],
    ['Queued', 'True', 'progress'],
    ['Queued', 'False', 'neutral'],
    ['SourceReady', 'False', 'bad'],
    ['SomethingNew', 'True', 'good'],
    ['SomethingNew', 'False', 'bad'],
    ['Ready', '', 'neutral'],
  ];
  for (const [type, status, tone] of table)
    it(`${type} ${status || '(empty)'}: ${tone}`, () => assert.equal(conditionTone(type, status), tone));
});
