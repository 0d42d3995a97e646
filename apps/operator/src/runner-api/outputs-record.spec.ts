import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson, OutputsFormatError, outputsDigest, parseStoredOutputs, parseTofuOutputs } from './outputs-record.js';

// What `tofu output -json` printed for a module with a string, a sensitive string and an object.
const TOFU = `{
  "endpoint": {
    "sensitive": false,
    "type": "string",
    "value": "https://db.example:5432"
  },
  "password": {
    "sensitive": true,
    "type": "string",
    "value": "hunter2-canary"
  },
  "settings": {
    "sensitive": false,
    "type": ["object", {"port": "number", "tags": ["list", "string"]}],
    "value": {"tags": ["a"], "port": 5432}
  }
}
`;

describe('canonicalJson', () => {
  it('sorts keys at every level and leaves arrays in order', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } }), '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
    assert.equal(canonicalJson('é"'), '"é\\""');
    assert.equal(canonicalJson(undefined), 'null');
  });
});

describe('parseTofuOutputs', () => {
  it('reads what tofu prints', () => {
    assert.deepEqual(parseTofuOutputs(TOFU), {
      endpoint: { sensitive: false, type: 'string', value: 'https://db.example:5432' },
      password: { sensitive: true, type: 'string', value: 'hunter2-canary' },
      settings: {
        sensitive: false,
        type: ['object', { port: 'number', tags: ['list', 'string'] }],
        value: { tags: ['a'], port: 5432 },
      },
    });
    assert.deepEqual(parseTofuOutputs('{}\n'), {});
  });

  it('reads a missing "sensitive" as sensitive', () => {
    assert.deepEqual(parseTofuOutputs('{"x":{"value":1}}'), { x: { sensitive: true, value: 1 } });
  });

  const bad: [string, string, RegExp][] = [
    ['not JSON', 'nope', /tofu output -json/],
    ['an array', '[]', /JSON object/],
    ['null', 'null', /JSON object/],
    ['an entry without value', '{"x":{"sensitive":false}}', /output "x" must be an object with "value"/],
    ['a non-object entry', '{"x":"hunter2"}', /output "x" must be an object/],
    ['a non-boolean sensitive', '{"x":{"value":1,"sensitive":"yes"}}', /output "x": "sensitive" must be a boolean/],
    ['a name that is no identifier', '{"a/b":{"value":1,"sensitive":false}}', /"a\/b" is not a tofu identifier/],
  ];
  for (const [what, text, message] of bad) {
    it(`refuses ${what}, naming the output and never a value`, () => {
      assert.throws(
        () => parseTofuOutputs(text),
        (err: unknown) => err instanceof OutputsFormatError && message.test(err.message) && !err.message.includes('hunter2'),
      );
    });
  }
});

describe('outputsDigest', () => {
  const outputs = parseTofuOutputs(TOFU);
  it('is sha256:<64 hex>, the same for the same outputs in any order', () => {
    const digest = outputsDigest(outputs, 'uid-1');
    assert.match(digest, /^sha256:[0-9a-f]{64}$/);
    assert.equal(digest.length, 71);
    const reordered = Object.fromEntries(Object.entries(outputs).reverse());
    assert.equal(outputsDigest(reordered, 'uid-1'), digest);
  });
  it('changes with a sensitive value, a sensitivity, and the owner uid; not with the type', () => {
    const digest = outputsDigest(outputs, 'uid-1');
    const changed = (patch: object) => outputsDigest({ ...outputs, ...patch }, 'uid-1');
    assert.notEqual(changed({ password: { sensitive: true, value: 'other' } }), digest);
    assert.notEqual(changed({ password: { sensitive: false, value: 'hunter2-canary' } }), digest);
    assert.equal(changed({ password: { sensitive: true, value: 'hunter2-canary', type: 'dynamic' } }), digest);
    assert.notEqual(outputsDigest(outputs, 'uid-2'), digest);
  });
});

describe('parseStoredOutputs', () => {
  it('reads a record back and refuses other shapes', () => {
    const record = { outputs: parseTofuOutputs(TOFU), execution: 'x', updatedAt: '2026-11-30T09:00:00Z', digest: 'sha256:0' };
    assert.deepEqual(parseStoredOutputs(JSON.stringify(record)), record);
    assert.throws(() => parseStoredOutputs('{'), OutputsFormatError);
    assert.throws(() => parseStoredOutputs(JSON.stringify({ ...record, digest: 1 })), OutputsFormatError);
    assert.throws(() => parseStoredOutputs(JSON.stringify({ ...record, outputs: { a: { value: 1 } } })), OutputsFormatError);
  });
});
