import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mintRunnerToken, tokenMessage, verifyRunnerToken, type TokenSubject } from './runner-token.js';

const key = Buffer.alloc(32, 7);
const subject: TokenSubject = { namespace: 'team-a', name: 'web-abc', uid: '0b6f1c2e-1111-2222-3333-444455556666' };

describe('runner tokens', () => {
  it('are base64url HMAC-SHA256 of namespace/execution/uid (the documented contract)', () => {
    const want = createHmac('sha256', key).update('team-a/web-abc/0b6f1c2e-1111-2222-3333-444455556666').digest('base64url');
    assert.equal(mintRunnerToken(key, subject), want);
    assert.match(want, /^[A-Za-z0-9_-]{43}$/);
  });

  it('verify their own subject', () => assert.equal(verifyRunnerToken(key, subject, mintRunnerToken(key, subject)), true));

  const token = mintRunnerToken(key, subject);
  const refused: { name: string; key?: Buffer; subject?: TokenSubject; token?: string }[] = [
    { name: 'another uid (the execution was recreated)', subject: { ...subject, uid: '0b6f1c2e-1111-2222-3333-444455556667' } },
    { name: 'another execution', subject: { ...subject, name: 'web-abd' } },
    { name: 'another namespace', subject: { ...subject, namespace: 'team-b' } },
    { name: 'another key', key: Buffer.alloc(32, 8) },
    { name: 'a truncated token', token: token.slice(0, -1) },
    { name: 'a longer token', token: token + 'A' },
    { name: 'an empty token', token: '' },
    { name: 'one changed character', token: (token[0] === 'A' ? 'B' : 'A') + token.slice(1) },
  ];
  for (const r of refused) {
    it(`refuse ${r.name}`, () => assert.equal(verifyRunnerToken(r.key ?? key, r.subject ?? subject, r.token ?? token), false));
  }

  it('keep subjects apart that would join to the same text', () => {
    assert.throws(() => tokenMessage({ namespace: 'a/b', name: 'c', uid: 'd' }), RangeError);
    assert.throws(() => tokenMessage({ namespace: 'a', name: '', uid: 'd' }), RangeError);
  });

  it('need a key of 32 bytes or more', () => assert.throws(() => mintRunnerToken(Buffer.alloc(31), subject), RangeError));
});
