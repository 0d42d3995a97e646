import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseLsTree, workdirTree } from './module-variables.js';

describe('module-variables helpers', () => {
  it('parses ls-tree -z -l blobs and skips trees', () => {
    const out = [
      '100644 blob 0123abcd      120\tmain.tf',
      '040000 tree 4567ef01       -\tmodules',
      '100644 blob 89abcdef     2048\tvars with space.tf.json',
      '',
    ].join('\0');
    assert.deepEqual(parseLsTree(out), [
      { id: '0123abcd', size: 120, name: 'main.tf' },
      { id: '89abcdef', size: 2048, name: 'vars with space.tf.json' },
    ]);
  });
  it('names the workdir tree at a commit', () => {
    assert.equal(workdirTree('abc', '.'), 'abc');
    assert.equal(workdirTree('abc', './'), 'abc');
    assert.equal(workdirTree('abc', 'envs/prod/'), 'abc:envs/prod');
    assert.equal(workdirTree('abc', './envs'), 'abc:envs');
  });
});
