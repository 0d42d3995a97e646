import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encryptionConfig, hclString, isUnencryptedState } from './encryption.js';

describe('hclString', () => {
  const table: [string, string, string][] = [
    ['plain text', 'correct horse battery staple', '"correct horse battery staple"'],
    ['quotes and backslashes', 'a"b\\c', String.raw`"a\"b\\c"`],
    ['template sequences stay literal', '${var.x} %{ if } $x %x', '"$${var.x} %%{ if } $x %x"'],
    ['line breaks and tabs', 'a\nb\r\tc', String.raw`"a\nb\r\tc"`],
    ['other control characters', 'a\u0000b\u001bc\u007f', String.raw`"a\u0000b\u001bc\u007f"`],
    ['non-ASCII as it is', 'pässwörd-ünïcode-☃', '"pässwörd-ünïcode-☃"'],
  ];
  for (const [what, text, expected] of table) it(what, () => assert.equal(hclString(text), expected));
});

describe('encryptionConfig', () => {
  it('encrypts state and plans with a pbkdf2 key and AES-GCM, both enforced', () => {
    assert.equal(
      encryptionConfig('0123456789abcdef-secret'),
      [
        'key_provider "pbkdf2" "tofu_operator" {',
        '  passphrase = "0123456789abcdef-secret"',
        '}',
        'method "aes_gcm" "tofu_operator" {',
        '  keys = key_provider.pbkdf2.tofu_operator',
        '}',
        'state {',
        '  method = method.aes_gcm.tofu_operator',
        '  enforced = true',
        '}',
        'plan {',
        '  method = method.aes_gcm.tofu_operator',
        '  enforced = true',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('reads an unencrypted state once while migrating, and still writes it encrypted', () => {
    const config = encryptionConfig('0123456789abcdef-secret', { migrate: true });
    assert.match(config, /method "unencrypted" "migrate" \{\}/);
    assert.match(
      config,
      /state \{\n {2}method = method\.aes_gcm\.tofu_operator\n {2}fallback \{\n {4}method = method\.unencrypted\.migrate\n {2}\}\n\}/,
    );
    assert.doesNotMatch(config.slice(config.indexOf('state {'), config.indexOf('plan {')), /enforced/);
    assert.match(config, /plan \{\n {2}method = method\.aes_gcm\.tofu_operator\n {2}enforced = true\n\}/, 'plans are never unencrypted');
  });
});

describe('isUnencryptedState', () => {
  const table: [string, string, boolean][] = [
    ['a state', '{"version":4,"serial":1,"lineage":"x","resources":[]}', true],
    ['an encrypted state', '{"serial":1,"lineage":"x","meta":{},"encrypted_data":"AAAA","encryption_version":"v0"}', false],
    ['not JSON', 'PK\u0003\u0004', false],
    ['a JSON list', '[]', false],
    ['JSON null', 'null', false],
  ];
  for (const [what, text, expected] of table) it(what, () => assert.equal(isUnencryptedState(Buffer.from(text)), expected));
});
