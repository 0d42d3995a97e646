import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeRedactor, redactUrls, urlSecrets } from './redact.js';

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
