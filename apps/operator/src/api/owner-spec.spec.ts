import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../http/errors.js';
import { checkOwnerSpec, variableKeyErrors } from './owner-spec.js';

describe('variableKeyErrors', () => {
  it('names each key that is not a variable name by its field path', () => {
    const errors = variableKeyErrors({ variables: { ok: 1, _x: 'a', 'with-dash': true, '1st': 2, 'a.b': 3, '': 4, ['v'.repeat(129)]: 5 } });
    assert.deepEqual(
      errors.map((e) => e.path),
      ['spec.variables.1st', 'spec.variables.a.b', 'spec.variables.', `spec.variables.${'v'.repeat(129)}`],
    );
  });

  it('has nothing to say about a spec without variables, or about other fields', () => {
    for (const spec of [undefined, null, {}, { variables: null }, { variables: [] }, { env: [{ name: '1' }] }])
      assert.deepEqual(variableKeyErrors(spec), [], JSON.stringify(spec));
  });
});

describe('checkOwnerSpec', () => {
  it('throws 422 Invalid with the fields', () => {
    assert.throws(
      () => checkOwnerSpec('TofuStack', 'net', { variables: { 'bad key': 1 } }),
      (e: unknown) => {
        assert.ok(e instanceof ApiError);
        assert.equal(e.status, 422);
        assert.equal(e.reason, 'Invalid');
        assert.deepEqual(
          e.fields?.map((f) => f.path),
          ['spec.variables.bad key'],
        );
        assert.match(e.message, /TofuStack "net" is invalid: spec\.variables\.bad key/);
        return true;
      },
    );
    assert.doesNotThrow(() => checkOwnerSpec('TofuStack', 'net', { variables: { region: 'eu' } }));
  });
});
