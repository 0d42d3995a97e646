import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { hookShape, signPlain, verifyHook } from './hooks-signature.js';

const secret = Buffer.from('s3cret');
const body = Buffer.from('{"ref":"refs/heads/main"}');
const hex = createHmac('sha256', secret).update(body).digest('hex');

describe('verifyHook', () => {
  const valid: [string, Record<string, string>][] = [
    ['GitHub', { 'x-hub-signature-256': `sha256=${hex}` }],
    ['GitHub, upper-case hex', { 'x-hub-signature-256': `sha256=${hex.toUpperCase()}` }],
    ['Gitea', { 'x-gitea-signature': hex }],
    ['GitLab', { 'x-gitlab-token': 's3cret' }],
    ['plain', { 'x-tofu-signature-256': signPlain(body, 's3cret') }],
  ];
  for (const [name, headers] of valid) it(`accepts a valid ${name} request`, () => assert.equal(verifyHook(headers, body, secret), true));

  const invalid: [string, Record<string, string>, Buffer?][] = [
    ['unsigned', {}],
    ['GitHub without the sha256= prefix', { 'x-hub-signature-256': hex }],
    ['GitHub signed with another secret', { 'x-hub-signature-256': signPlain(body, 'other') }],
    ['GitHub signature of another body', { 'x-hub-signature-256': signPlain('{}', 's3cret') }],
    ['GitHub sha1 header only', { 'x-hub-signature': `sha1=${hex.slice(0, 40)}` }],
    ['Gitea with a prefix', { 'x-gitea-signature': `sha256=${hex}` }],
    ['GitLab wrong token', { 'x-gitlab-token': 's3cres' }],
    ['GitLab token prefix', { 'x-gitlab-token': 's3c' }],
    ['plain truncated', { 'x-tofu-signature-256': `sha256=${hex.slice(0, 63)}` }],
    ['an empty secret', { 'x-gitlab-token': '' }, Buffer.alloc(0)],
  ];
  for (const [name, headers, key] of invalid) {
    it(`refuses ${name}`, () => assert.equal(verifyHook(headers, body, key ?? secret), false));
  }
  it('judges a request by the first shape it claims (a GitHub header is not rescued by a GitLab token)', () => {
    assert.equal(verifyHook({ 'x-hub-signature-256': 'sha256=00', 'x-gitlab-token': 's3cret' }, body, secret), false);
    assert.equal(hookShape({ 'x-gitea-signature': hex, 'x-hub-signature-256': `sha256=${hex}` }), 'github');
  });
});
