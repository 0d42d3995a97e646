import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { celString, celValidation, fieldRuleFor, FieldRules, type FieldRule } from './field-rules.js';
import { tofuModuleCrd } from './definitions.js';

describe('FieldRules (JavaScript twins of the CEL rules)', () => {
  const table: [keyof typeof FieldRules, string, boolean][] = [
    ['repository', 'https://github.com/o/r.git', true],
    ['repository', 'git://10.88.0.1/tofu-samples', true],
    ['repository', 'ssh://git@host/r.git', true],
    ['repository', 'file:///srv/r', true],
    ['repository', 'git@github.com:o/r.git', true],
    ['repository', 'http://example.com/r', false],
    ['repository', 'https://x/a b', false],
    ['repository', '--upload-pack=x', false],
    ['repository', '', false],
    ['revision', '', true],
    ['revision', 'main', true],
    ['revision', 'v1.2.3', true],
    ['revision', 'refs/heads/feature', true],
    ['revision', '0123abcd', true],
    ['revision', '-b', false],
    ['revision', '--upload-pack=x', false],
    ['revision', 'a..b', false],
    ['revision', 'a b', false],
    ['revision', 'HEAD~1', false],
    ['revision', 'HEAD^', false],
    ['revision', 'a:b', false],
    ['revision', 'a?', false],
    ['revision', 'a*', false],
    ['revision', 'a[b', false],
    ['revision', 'a\\b', false],
    ['workdirRelative', 'envs/dev', true],
    ['workdirRelative', '/etc', false],
    ['workdirNoDotDot', 'a/..b', true],
    ['workdirNoDotDot', '..a/b', true],
    ['workdirNoDotDot', '..', false],
    ['workdirNoDotDot', 'a/../b', false],
    ['workdirNoDotDot', 'a/..', false],
    ['envName', 'TF_VAR_region', true],
    ['envName', '_x', true],
    ['envName', '1BAD', false],
    ['envName', 'A-B', false],
    ['envNameNotReserved', 'TF_VAR_region', true],
    ['envNameNotReserved', 'TOFU_OPERATORX', true],
    ['envNameNotReserved', 'home', true],
    ['envNameNotReserved', 'TOFU_OPERATOR_REPOSITORY', false],
    ['envNameNotReserved', 'TOFU_OPERATOR_TERMINATION_LOG', false],
    ['envNameNotReserved', 'HOME', false],
    ['envNameNotReserved', 'TMPDIR', false],
    ['objectName', 'a.b-c', true],
    ['objectName', 'Hello', false],
    ['objectName', 'hello-', false],
    ['objectName', '', false],
    ['planDigest', `sha256:${'0123456789abcdef'.repeat(4)}`, true],
    ['planDigest', `sha256:${'a'.repeat(63)}`, false],
    ['planDigest', `sha256:${'a'.repeat(65)}`, false],
    ['planDigest', `sha256:${'A'.repeat(64)}`, false],
    ['planDigest', `sha512:${'a'.repeat(64)}`, false],
    ['planDigest', 'a'.repeat(64), false],
    ['planDigest', '', false],
  ];
  for (const [rule, value, valid] of table) {
    it(`${rule}: ${JSON.stringify(value)} is ${valid ? 'valid' : 'invalid'}`, () => assert.equal(FieldRules[rule].test(value), valid));
  }

  it('every rule is found by its CEL', () => {
    for (const rule of Object.values(FieldRules) as FieldRule[]) assert.equal(fieldRuleFor(rule.rule), rule);
    assert.equal(fieldRuleFor('self.size() > 0'), undefined);
  });

  it('the CRD carries the rules as written here', () => {
    const source = tofuModuleCrd.spec.properties?.['source']?.properties;
    assert.deepEqual(source?.['revision']?.['x-kubernetes-validations'], [celValidation(FieldRules.revision)]);
    assert.deepEqual(source?.['repository']?.['x-kubernetes-validations'], [celValidation(FieldRules.repository)]);
  });

  it('quotes CEL string literals', () => {
    assert.equal(celString(String.raw`^[^\s]$`), String.raw`'^[^\\s]$'`);
    assert.equal(celString("it's"), String.raw`'it\'s'`);
  });

  it('writes the revision rule as the API server has always read it', () => {
    // A change here changes admission; it must be deliberate (and the CRDs regenerated).
    assert.equal(
      FieldRules.revision.rule,
      String.raw`!self.startsWith('-') && !self.contains('..') && self.matches('^[^\\s~^:?*\\[\\\\]*$')`,
    );
  });
});
