import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../http/errors.js';
import { checkOwnerSpec, continuousFieldErrors, variableKeyErrors } from './owner-spec.js';

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

describe('continuousFieldErrors', () => {
  it('names bad poll and drift intervals, drift modes, Secret references and events by their field paths', () => {
    const errors = continuousFieldErrors('TofuModule', {
      source: { repository: 'https://x/y.git', pollInterval: '5s', webhookSecretRef: { key: 'k' } },
      driftDetection: { interval: '30s', mode: 'Sometimes' },
      notifications: { webhookSecretRef: { name: 'Bad_Name' }, events: ['RunStarted', 'Nope'] },
    });
    assert.deepEqual(
      errors.map((e) => e.path),
      [
        'spec.source.pollInterval',
        'spec.source.webhookSecretRef.name',
        'spec.driftDetection.interval',
        'spec.driftDetection.mode',
        'spec.notifications.webhookSecretRef.name',
        'spec.notifications.events[1]',
      ],
    );
    assert.match(errors[0]?.message ?? '', /between 10s and 24h, or "0" for off/);
    assert.match(errors[2]?.message ?? '', /between 1m and 720h/);
  });

  it('accepts valid values, "0" for no polling, and a stack without source', () => {
    assert.deepEqual(
      continuousFieldErrors('TofuModule', {
        source: { repository: 'https://x/y.git', pollInterval: '0', webhookSecretRef: { name: 'hook' } },
        driftDetection: { interval: '1h30m', mode: 'Approve' },
        notifications: { webhookSecretRef: { name: 'notify', key: 'url' }, events: ['Drifted'] },
      }),
      [],
    );
    assert.deepEqual(continuousFieldErrors('TofuStack', { moduleRef: { name: 'm' }, driftDetection: {} }), []);
    assert.deepEqual(
      continuousFieldErrors('TofuStack', { moduleRef: { name: 'm' }, driftDetection: { interval: '721h' } }).map((e) => e.path),
      ['spec.driftDetection.interval'],
    );
  });

  it('makes checkOwnerSpec answer 422 with the field paths', () => {
    assert.throws(
      () => checkOwnerSpec('TofuModule', 'net', { source: { repository: 'https://x/y.git', pollInterval: 'soon' } }),
      (e: unknown) => e instanceof ApiError && e.status === 422 && e.fields?.[0]?.path === 'spec.source.pollInterval',
    );
  });
});
