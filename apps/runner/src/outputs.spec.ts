import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RunnerError } from './errors.js';
import { describeOutputs, markSecretOutputs, parseOutputs, sensitiveOutputValues } from './outputs.js';
import { maskingRedactor } from './redact.js';

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

  it('marks outputs holding a value from a Secret (in any form) sensitive', () => {
    const secret = 'from-a-secret';
    const outputs = parseOutputs(
      JSON.stringify({
        echo: { sensitive: false, type: 'string', value: secret },
        encoded: { sensitive: false, type: 'string', value: Buffer.from(secret).toString('base64') },
        nested: { sensitive: false, type: ['list', 'string'], value: ['x', `pre-${secret}`] },
        plain: { sensitive: false, type: 'string', value: 'plain' },
        hidden: { sensitive: true, type: 'string', value: secret },
      }),
    );
    const { outputs: marked, marked: names } = markSecretOutputs(outputs, maskingRedactor([secret]));
    assert.deepEqual(names, ['echo', 'encoded', 'nested']);
    assert.deepEqual(
      Object.entries(marked).map(([n, o]) => [n, o.sensitive]),
      [
        ['echo', true],
        ['encoded', true],
        ['nested', true],
        ['plain', false],
        ['hidden', true],
      ],
    );
    assert.equal(marked['echo']?.value, secret, 'the value is kept: the operator stores it in the outputs Secret');
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
