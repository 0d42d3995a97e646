import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../http/errors.js';
import { triggerAnswersRequest, wantsDestroyPlan } from './plan-request.js';

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

describe('triggerAnswersRequest', () => {
  const at = '2026-11-30T10:07:19.567Z';
  it('finds the request segment anywhere in the trigger, also before an inputs part', () => {
    assert.equal(triggerAnswersRequest(`g1/m1/r${at}`, `r${at}`), true);
    assert.equal(triggerAnswersRequest(`g1/m1/r${at}/ibxv2kqx7k5`, `r${at}`), true);
    assert.equal(triggerAnswersRequest(`destroy/d${at}`, `d${at}`), true);
  });
  it('does not take another request, a destroy for a plan, or a prefix', () => {
    assert.equal(triggerAnswersRequest(`g1/m1/r2026-11-30T10:07:19.566Z/ix`, `r${at}`), false);
    assert.equal(triggerAnswersRequest(`destroy/d${at}`, `r${at}`), false);
    assert.equal(triggerAnswersRequest(`g1/r${at}0`, `r${at}`), false);
    assert.equal(triggerAnswersRequest('', `r${at}`), false);
  });
});
