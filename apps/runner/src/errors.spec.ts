import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeError, InvalidInputError, RunnerError, StoppedError } from './errors.js';

describe('errors', () => {
  it('are Errors with a category', () => {
    const err = new RunnerError('PlanFailed', 'boom');
    assert.ok(err instanceof Error);
    assert.equal(err.category, 'PlanFailed');
    assert.equal(new InvalidInputError('x').category, 'InvalidInput');
    assert.ok(new InvalidInputError('x') instanceof RunnerError);
    assert.match(new StoppedError('SIGTERM').message, /SIGTERM/);
  });

  it('describe anything thrown', () => {
    assert.deepEqual(describeError(new RunnerError('WorkdirNotFound', 'no dir')), { category: 'WorkdirNotFound', message: 'no dir' });
    assert.deepEqual(describeError(new Error('oops')), { category: 'Internal', message: 'internal error: oops' });
    assert.deepEqual(describeError('text'), { category: 'Internal', message: 'internal error: text' });
  });
});
