import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { effectiveTemplate } from './effective-template.ts';

describe('effectiveTemplate', () => {
  it('marks each setting inherited, overridden or the stack’s own, merging env by name and maps by key', () => {
    const rows = effectiveTemplate(
      {
        image: 'runner:1',
        activeDeadlineSeconds: 600,
        env: [
          { name: 'TF_LOG', value: 'info' },
          { name: 'REGION', value: 'eu' },
        ],
        nodeSelector: { zone: 'a', disk: 'ssd' },
      },
      {
        image: 'runner:2',
        env: [
          { name: 'TF_LOG', value: 'debug' },
          { name: 'EXTRA', value: '1' },
        ],
        nodeSelector: { zone: 'b' },
      },
    );
    assert.deepEqual(
      rows.map((r) => [r.setting, r.from]),
      [
        ['image', 'overridden'],
        ['activeDeadlineSeconds', 'module'],
        ['env.TF_LOG', 'overridden'],
        ['env.REGION', 'module'],
        ['nodeSelector.zone', 'overridden'],
        ['nodeSelector.disk', 'module'],
        ['env.EXTRA', 'stack'],
      ],
    );
    assert.equal(rows[0]?.value, 'runner:2');
    assert.deepEqual(rows[2]?.value, { name: 'TF_LOG', value: 'debug' });
    assert.equal(rows[4]?.value, 'b');
  });
  it('replaces other settings whole, and is empty without templates', () => {
    const rows = effectiveTemplate({ resources: { limits: { cpu: '1', memory: '1Gi' } } }, { resources: { limits: { cpu: '2' } } });
    assert.deepEqual(rows, [{ setting: 'resources', value: { limits: { cpu: '2' } }, from: 'overridden' }]);
    assert.deepEqual(effectiveTemplate(undefined, undefined), []);
  });
});
