import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countUnmaskable, makeRedactor, maskingRedactor, redactUrls, REDACTED, secretForms, urlSecrets } from './redact.js';

describe('redactUrls', () => {
  it('removes the whole userinfo of http(s) URLs', () => {
    assert.equal(redactUrls('cloning https://user:tok3n@git.example.com/r.git now'), 'cloning https://***@git.example.com/r.git now');
    assert.equal(redactUrls('https://ghp_abcdef@github.com/o/r'), 'https://***@github.com/o/r');
    assert.equal(redactUrls("fatal: unable to access 'http://u:p@h/r/'"), "fatal: unable to access 'http://***@h/r/'");
  });

  it('keeps ssh user names but not passwords', () => {
    assert.equal(redactUrls('ssh://git@github.com/o/r.git'), 'ssh://git@github.com/o/r.git');
    assert.equal(redactUrls('ssh://git:pw@host/r.git'), 'ssh://git:***@host/r.git');
  });

  it('leaves URLs without credentials alone', () => {
    for (const text of ['https://github.com/o/r.git', 'git@github.com:o/r.git', 'file:///tmp/repo', 'mail me at a@b.c']) {
      assert.equal(redactUrls(text), text);
    }
  });
});

describe('urlSecrets', () => {
  it('lists the credentials written in a URL, raw and decoded', () => {
    assert.deepEqual(urlSecrets('https://user:p%40ss@h/r'), ['p%40ss', 'p@ss']);
    assert.deepEqual(urlSecrets('ssh://git:pw12@h/r'), ['pw12']);
    assert.deepEqual(urlSecrets('https://token@h/r'), ['token']);
    assert.deepEqual(urlSecrets('ssh://git@h/r'), []);
    assert.deepEqual(urlSecrets('https://h/r'), []);
  });
});

describe('makeRedactor', () => {
  it('replaces every occurrence of the secrets and URL credentials', () => {
    const redact = makeRedactor(['s3cr3t-token', 's3cr3t']);
    assert.equal(redact('a s3cr3t-token b s3cr3t c'), 'a *** b *** c');
    assert.equal(redact('https://x:y@h/r'), 'https://***@h/r');
  });

  it('ignores secrets too short to search for', () => {
    assert.equal(makeRedactor(['ab', ''])('abc'), 'abc');
  });
});

describe('secretForms', () => {
  const secret = 'p4ss"w\\ord${x}';
  const b64 = Buffer.from(secret).toString('base64');
  const b64url = Buffer.from(secret).toString('base64url');

  it('lists the value, its base64 (standard and URL-safe, padded or not) and its escaped forms', () => {
    const forms = secretForms(secret);
    for (const form of [
      secret,
      b64,
      b64.replace(/=+$/, ''),
      b64url,
      JSON.stringify(secret).slice(1, -1),
      'p4ss\\"w\\\\ord$${x}',
      JSON.stringify(JSON.stringify(secret).slice(1, -1)).slice(1, -1),
    ]) {
      assert.ok(forms.includes(form), `missing ${form}`);
    }
  });

  it('finds the value base64-encoded inside a larger base64 text, at any byte offset', () => {
    const redact = maskingRedactor(['a-long-enough-secret-value']);
    for (const prefix of ['', 'x', 'xy', 'xyz']) {
      const blob = Buffer.from(`${prefix}a-long-enough-secret-value and more`).toString('base64');
      assert.match(redact(blob), /\*\*\*/, `prefix "${prefix}": ${blob}`);
    }
  });

  it('masks each line of a multi-line value on its own', () => {
    const redact = maskingRedactor(['first-line\nsecond-line']);
    assert.equal(redact('the second-line appears'), `the ${REDACTED} appears`);
  });

  it('gives nothing for a value too short to mask, and countUnmaskable counts such values', () => {
    assert.deepEqual(secretForms('abc'), []);
    assert.equal(countUnmaskable(['abc', '', 'abcd', 'x']), 2);
  });
});

describe('maskingRedactor', () => {
  it('masks every form of every value, and URL credentials', () => {
    const secret = 'canary-"quoted"-value';
    const redact = maskingRedactor([secret]);
    const json = JSON.stringify({ v: secret });
    assert.equal(redact(json), `{"v":"${REDACTED}"}`);
    assert.equal(redact(`token ${Buffer.from(secret).toString('base64url')}.`), `token ${REDACTED}.`);
    assert.equal(redact('input = "canary-\\"quoted\\"-value"'), `input = "${REDACTED}"`);
    assert.equal(redact('plain text'), 'plain text');
  });
});
