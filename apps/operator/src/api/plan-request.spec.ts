import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../http/errors.js';
import { wantsDestroyPlan } from './plan-request.js';

describe('wantsDestroyPlan (the body of POST …/plan)', () => {
  it('no body, an empty object or destroy false: an ordinary plan; destroy true: a destroy plan', () => {
    assert.equal(wantsDestroyPlan(undefined), false);
    assert.equal(wantsDestroyPlan(null), false);
    assert.equal(wantsDestroyPlan({}), false);
    assert.equal(wantsDestroyPlan({ destroy: false }), false);
    assert.equal(wantsDestroyPlan({ destroy: true }), true);
  });

  for (const destroy of ['true', 1, null, {}, []]) {
    it(`destroy ${JSON.stringify(destroy)} is a 422 naming the field destroy`, () => {
      assert.throws(
        () => wantsDestroyPlan({ destroy }),
        (err: unknown) =>
          err instanceof ApiError &&
          err.status === 422 &&
          err.reason === 'Invalid' &&
          err.fields?.length === 1 &&
          err.fields[0]?.path === 'destroy' &&
          /destroy must be a boolean/.test(err.message),
      );
    });
  }

  it('an unknown field is a 422 naming it', () => {
    assert.throws(
      () => wantsDestroyPlan({ destroy: true, destory: true }),
      (err: unknown) => err instanceof ApiError && err.status === 422 && err.fields?.[0]?.path === 'destory',
    );
  });

  for (const body of ['destroy', 1, [true]]) {
    it(`a body that is not an object (${JSON.stringify(body)}) is a 400`, () => {
      assert.throws(
        () => wantsDestroyPlan(body),
        (err: unknown) => err instanceof ApiError && err.status === 400,
      );
    });
  }
});
