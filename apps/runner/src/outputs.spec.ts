import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RunnerError } from './errors.js';
import { describeOutputs, parseOutputs, sensitiveOutputValues } from './outputs.js';

const json = JSON.stringify({
  conn: { sensitive: true, type: ['object', { user: 'string', pass: 'string' }], value: { user: 'app', pass: 'out-secret' } },
  region: { sensitive: false, type: 'string', value: 'eu' },
  token: { sensitive: true, type: 'string', value: 'tok-value' },
});

describe('outputs', () => {
  it('parses tofu output -json and lists the sensitive values to mask (leaves and whole values)', () => {
    const outputs = parseOutputs(json);
    assert.deepEqual(sensitiveOutputValues(outputs), ['app', 'out-secret', '{"user":"app","pass":"out-secret"}', 'tok-value']);
  });

  it('describes the outputs by name only, marking the sensitive ones', () => {
    const line = describeOutputs(parseOutputs(json));
    assert.equal(line, '3 output(s): conn (sensitive), region, token (sensitive)');
    assert.equal(describeOutputs({}), 'no outputs');
  });

  it('refuses what is not tofu output -json, without quoting it', () => {
    for (const [text, message] of [
      ['secret-text', /not JSON$/],
      ['[1]', /no JSON object/],
      ['{"a": {"value": "secret-text"}}', /output "a" has no sensitive flag/],
    ] as const) {
      assert.throws(
        () => parseOutputs(text),
        (err: unknown) =>
          err instanceof RunnerError &&
          err.category === 'OutputsNotStored' &&
          message.test(err.message) &&
          !err.message.includes('secret-text'),
      );
    }
  });
});
