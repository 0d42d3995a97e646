import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stripAnsi, tofuEnv, tofuErrorBlocks, tofuFailureMessage } from './tofu.js';

/** stderr of a real `tofu init` (OpenTofu 1.12, colours on) of a module with a syntax error. */
const coloredInitStderr =
  'There are some problems with the CLI configuration:\n\n\u001b[0mOpenTofu encountered problems during initialization, including problems\nwith the configuration, described below.\n\nThe OpenTofu configuration must be valid before initialization so that\nOpenTofu can determine which modules and providers need to be installed.\u001b[0m\n\u001b[31m\u2577\u001b[0m\u001b[0m\n\u001b[31m\u2502\u001b[0m \u001b[0m\u001b[1m\u001b[31mError: \u001b[0m\u001b[0m\u001b[1mInvalid expression\u001b[0m\n\u001b[31m\u2502\u001b[0m \u001b[0m\n\u001b[31m\u2502\u001b[0m \u001b[0m\u001b[0m  on main.tf line 2, in resource "terraform_data" "one":\n\u001b[31m\u2502\u001b[0m \u001b[0m   2:   input = \u001b[4m\n\u001b[31m\u2502\u001b[0m \u001b[0m   3: \u001b[0m}\u001b[0m\n\u001b[31m\u2502\u001b[0m \u001b[0m\n\u001b[31m\u2502\u001b[0m \u001b[0mExpected the start of an expression, but found an invalid expression token.\n\u001b[31m\u2575\u001b[0m\u001b[0m\n\n';
/** stdout of the same run: a warning, not part of the failure. */
const initStdout = '\nWarning: Unable to open CLI configuration file\n\nThe CLI configuration file at "/nonexistent" does not exist.\n';

/** stderr of a real `tofu plan -no-color` with two errors. */
const plainPlanStderr =
  '\nError: Reference to undeclared resource\n\n  on main.tf line 1, in output "a":\n   1: output "a" { value = terraform_data.missing.id }\n\nThere is no managed resource "terraform_data" "missing" definition in the\nroot module.\n\nError: Reference to undeclared local value\n\n  on main.tf line 2, in output "b":\n   2: output "b" { value = local.nope }\n\nA local value with the name "nope" has not been declared.\n';

describe('stripAnsi', () => {
  it('removes colour and other escape sequences', () => {
    assert.equal(stripAnsi('\u001b[1m\u001b[31mError: \u001b[0m\u001b[0mx\u001b[4m'), 'Error: x');
    assert.equal(stripAnsi('\u001b]8;;https://x\u0007link\u001b]8;;\u0007'), 'link');
  });
});

describe('tofuErrorBlocks', () => {
  it('extracts a framed, coloured error without the frame or escape codes', () => {
    assert.deepEqual(tofuErrorBlocks(coloredInitStderr), [
      'Error: Invalid expression\n\n  on main.tf line 2, in resource "terraform_data" "one":\n   2:   input =\n   3: }\n\nExpected the start of an expression, but found an invalid expression token.',
    ]);
  });

  it('extracts every plain error', () => {
    const blocks = tofuErrorBlocks(plainPlanStderr);
    assert.equal(blocks.length, 2);
    assert.match(blocks[0] ?? '', /^Error: Reference to undeclared resource\n\n {2}on main.tf line 1/);
    assert.match(blocks[0] ?? '', /root module\.$/);
    assert.match(blocks[1] ?? '', /^Error: Reference to undeclared local value[\s\S]*has not been declared\.$/);
  });

  it('leaves warnings out', () => {
    assert.deepEqual(tofuErrorBlocks(initStdout), []);
    const framed =
      '\u2577\n\u2502 Warning: Deprecated\n\u2502 \n\u2502 old\n\u2575\n\u2577\n\u2502 Error: Bad\n\u2502 \n\u2502 why\n\u2575\n';
    assert.deepEqual(tofuErrorBlocks(framed), ['Error: Bad\n\nwhy']);
    assert.deepEqual(tofuErrorBlocks('\nError: A\n\nwhy\n\nWarning: W\n\nmeh\n'), ['Error: A\n\nwhy']);
  });
});

describe('tofuFailureMessage', () => {
  it('gives the command, the exit and the error blocks', () => {
    const message = tofuFailureMessage('tofu init', { code: 1, signal: null, stdout: initStdout, stderr: coloredInitStderr });
    assert.match(message, /^tofu init failed \(exit code 1\):\nError: Invalid expression\n/);
    assert.doesNotMatch(message, /\u001b|Warning|encountered problems/);
  });

  it('falls back to the last lines when there is no error block', () => {
    const stderr = Array.from({ length: 30 }, (_, i) => `\u001b[31mline ${i}\u001b[0m`).join('\n');
    const message = tofuFailureMessage('tofu plan', { code: null, signal: 'SIGKILL', stdout: '', stderr });
    assert.match(message, /^tofu plan failed \(killed by SIGKILL\):\nline 10\n/);
    assert.match(message, /line 29$/);
    assert.doesNotMatch(message, /\u001b/);
  });

  it('says only what failed when there is no output', () => {
    assert.equal(tofuFailureMessage('tofu plan', { code: 2, signal: null, stdout: '', stderr: '' }), 'tofu plan failed (exit code 2)');
  });
});

describe('tofuEnv', () => {
  it('marks the run as automation without input', () => {
    const env = tofuEnv({ PATH: '/bin', TF_INPUT: '1' });
    assert.equal(env.TF_IN_AUTOMATION, '1');
    assert.equal(env.TF_INPUT, '0');
    assert.equal(env.PATH, '/bin');
  });
});
