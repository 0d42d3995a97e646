import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_STATUS_OUTPUTS_BYTES } from '@tofu-operator/api-types';
import { canonicalJson, type StoredOutput, type StoredOutputs } from '../runner-api/outputs-record.js';
import { outputsStatus } from './owner-outputs.js';

const CANARY = 'canary-5f0c1e8a-must-never-show';

function stored(outputs: Record<string, StoredOutput>): StoredOutputs {
  return { outputs, execution: 'web-apply', updatedAt: '2026-11-30T09:00:00Z', digest: 'sha256:abc' };
}

describe('outputsStatus', () => {
  it('shows non-sensitive values, names every output and the sensitive ones, and never a sensitive value', () => {
    const s = stored({
      url: { value: 'https://web.example', sensitive: false, type: 'string' },
      password: { value: CANARY, sensitive: true, type: 'string' },
      nested: { value: { token: CANARY, list: [CANARY] }, sensitive: true },
      ports: { value: [80, 443], sensitive: false, type: ['list', 'number'] },
    });
    const status = outputsStatus(s, 'web-outputs');
    assert.deepEqual(status, {
      outputs: { ports: [80, 443], url: 'https://web.example' },
      outputsInfo: {
        execution: 'web-apply',
        updatedAt: '2026-11-30T09:00:00Z',
        digest: 'sha256:abc',
        names: ['nested', 'password', 'ports', 'url'],
        sensitive: ['nested', 'password'],
        omitted: [],
        secretName: 'web-outputs',
      },
    });
    assert.doesNotMatch(JSON.stringify(status), /canary/);
  });

  it('does not name the outputs Secret when the store could not write it, and says why', () => {
    const problem = 'Secret ns/x exists and is not owned by module ns/web';
    const status = outputsStatus({ ...stored({}), secretProblem: problem }, 'x');
    assert.equal(status.outputsInfo.secretName, undefined);
    assert.equal(status.outputsInfo.secretProblem, problem);
    assert.equal(outputsStatus(stored({}), 'x').outputsInfo.secretProblem, undefined);
  });

  it('treats an output whose sensitivity is not exactly false as sensitive', () => {
    const odd = { value: CANARY, sensitive: 'no' } as unknown as StoredOutput;
    const status = outputsStatus(stored({ odd }));
    assert.deepEqual(status.outputs, {});
    assert.deepEqual(status.outputsInfo.sensitive, ['odd']);
    assert.doesNotMatch(JSON.stringify(status), /canary/);
  });

  it('has no secretName without one, and empty lists without outputs (after a destroy)', () => {
    assert.deepEqual(outputsStatus(stored({})), {
      outputs: {},
      outputsInfo: {
        execution: 'web-apply',
        updatedAt: '2026-11-30T09:00:00Z',
        digest: 'sha256:abc',
        names: [],
        sensitive: [],
        omitted: [],
      },
    });
  });

  it('keeps the canonical JSON of status.outputs within the cap, smallest first, naming the rest', () => {
    const big = 'x'.repeat(MAX_STATUS_OUTPUTS_BYTES - 100);
    const s = stored({
      a_big: { value: big, sensitive: false },
      b_small: { value: 1, sensitive: false },
      c_huge: { value: { text: big + big }, sensitive: false },
      d_small: { value: 'two', sensitive: false },
    });
    const status = outputsStatus(s);
    assert.deepEqual(Object.keys(status.outputs), ['a_big', 'b_small', 'd_small']);
    assert.deepEqual(status.outputsInfo.omitted, ['c_huge']);
    assert.ok(Buffer.byteLength(canonicalJson(status.outputs)) <= MAX_STATUS_OUTPUTS_BYTES);
  });

  it('fills exactly up to the limit and not a byte over, counting multi-byte characters as bytes', () => {
    // {"a":"é"} is 10 bytes (é is 2); with {"b":1} beside it: {"a":"é","b":1} is 16 bytes.
    const s = stored({ a: { value: 'é', sensitive: false }, b: { value: 1, sensitive: false } });
    assert.equal(Buffer.byteLength(canonicalJson({ a: 'é', b: 1 })), 16);
    assert.deepEqual(outputsStatus(s, undefined, 16).outputs, { a: 'é', b: 1 });
    const tight = outputsStatus(s, undefined, 15);
    assert.deepEqual(tight.outputs, { b: 1 });
    assert.deepEqual(tight.outputsInfo.omitted, ['a']);
  });

  it('chooses the same outputs whatever the order of the record, breaking size ties by name', () => {
    const entries: [string, StoredOutput][] = [
      ['zz', { value: 'aa', sensitive: false }],
      ['yy', { value: 'bb', sensitive: false }],
      ['xx', { value: 'cc', sensitive: false }],
    ];
    // Each entry "xx":"cc" is 9 bytes: {} + two entries and a comma = 21.
    const one = outputsStatus(stored(Object.fromEntries(entries)), undefined, 21);
    const two = outputsStatus(stored(Object.fromEntries([...entries].reverse())), undefined, 21);
    assert.deepEqual(one, two);
    assert.deepEqual(Object.keys(one.outputs), ['xx', 'yy']);
    assert.deepEqual(one.outputsInfo.omitted, ['zz']);
  });

  it('copies values, so the status never shares objects with the record', () => {
    const value = { list: [1, 2] };
    const status = outputsStatus(stored({ v: { value, sensitive: false } }));
    value.list.push(3);
    assert.deepEqual(status.outputs['v'], { list: [1, 2] });
  });
});
