import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FailureCategory, parseRunnerResult } from '@tofu-operator/api-types';
import { encodeResult, failureResult, successResult, TERMINATION_MESSAGE_LIMIT, writeTerminationMessage } from './result.js';
import { tempDir } from './testing/fixtures.js';

const COMMIT = 'a'.repeat(40);
const DIGEST = `sha256:${'b'.repeat(64)}`;
const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

describe('encodeResult', () => {
  it('encodes a success as compact JSON the operator parses', () => {
    const result = successResult({
      summary: { add: 2, change: 0, destroy: 0, hasChanges: true, text: 'Plan: 2 to add, 0 to change, 0 to destroy.' },
      commit: COMMIT,
      planDigest: DIGEST,
    });
    const text = encodeResult(result);
    assert.equal(text, JSON.stringify(result));
    assert.doesNotMatch(text, /\n/);
    assert.deepEqual(parseRunnerResult(text), result);
    assert.equal(result.planDigest, DIGEST);
    assert.ok(bytes(text) < 400, `a plan result is small: ${bytes(text)} bytes`);
  });

  it('encodes an apply result with what tofu changed', () => {
    const apply = { add: 1, change: 0, destroy: 2, text: 'Apply complete! Resources: 1 added, 0 changed, 2 destroyed.' };
    const result = successResult({ apply, commit: COMMIT });
    assert.deepEqual(parseRunnerResult(encodeResult(result)), { v: 1, ok: true, apply, commit: COMMIT });
  });

  it('leaves a short failure untouched', () => {
    const result = failureResult(FailureCategory.PlanFailed, 'tofu plan failed', COMMIT);
    assert.deepEqual(JSON.parse(encodeResult(result)), {
      v: 1,
      ok: false,
      category: 'PlanFailed',
      message: 'tofu plan failed',
      commit: COMMIT,
    });
  });

  it('trims a long message to fit 4096 bytes, keeping its start', () => {
    const message = `Error: first\n${'x'.repeat(10_000)}`;
    const text = encodeResult(failureResult(FailureCategory.PlanFailed, message, COMMIT));
    assert.ok(bytes(text) <= TERMINATION_MESSAGE_LIMIT, `${bytes(text)} bytes`);
    assert.ok(bytes(text) >= TERMINATION_MESSAGE_LIMIT - 4, 'uses the room it has');
    const parsed = parseRunnerResult(text);
    assert.ok(parsed);
    assert.equal(parsed.category, 'PlanFailed');
    assert.equal(parsed.commit, COMMIT);
    assert.ok(parsed.message?.startsWith('Error: first\nxxx'));
    assert.ok(parsed.message?.endsWith('…'));
  });

  it('counts bytes after JSON escaping and UTF-8 encoding', () => {
    for (const unit of ['"\\\n', 'ü', '€', '😀', '\u0001']) {
      const text = encodeResult(failureResult(FailureCategory.InitFailed, unit.repeat(5000)));
      assert.ok(bytes(text) <= TERMINATION_MESSAGE_LIMIT, `${JSON.stringify(unit)}: ${bytes(text)} bytes`);
      const parsed = parseRunnerResult(text);
      assert.ok(parsed, `${JSON.stringify(unit)} gives valid JSON`);
      assert.ok(!parsed.message?.includes('\uFFFD'), 'no broken character');
    }
  });

  it('drops the message when not even a cut one fits', () => {
    const text = encodeResult(failureResult(FailureCategory.Internal, 'some message'), 45);
    assert.deepEqual(JSON.parse(text), { v: 1, ok: false, category: 'Internal' });
  });
});

describe('writeTerminationMessage', () => {
  it('writes the file, and reports instead of throwing when it cannot', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const file = path.join(dir, 'termination-log');
      const warnings: string[] = [];
      assert.equal(await writeTerminationMessage(file, '{"v":1,"ok":true}', (l) => warnings.push(l)), true);
      assert.equal(await readFile(file, 'utf8'), '{"v":1,"ok":true}');
      assert.equal(await writeTerminationMessage(path.join(dir, 'missing', 'file'), '{}', (l) => warnings.push(l)), false);
      assert.match(warnings.join('\n'), /cannot write the result/);
    } finally {
      await cleanup();
    }
  });
});
