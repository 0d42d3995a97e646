import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { displayUrl, fixedCommit, keyOf, lsRemoteArgs, parseLsRemote, resolveRevision, targetOf } from './source-key.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const refs = parseLsRemote(
  [
    `${A}\tHEAD`,
    `${B}\trefs/heads/main`,
    `${C}\trefs/tags/v1`,
    `${A}\trefs/tags/v1^{}`,
    `${C}\trefs/tags/light`,
    `${B}\trefs/pull/1/head`,
    '',
  ].join('\n'),
);

describe('targetOf and keyOf', () => {
  it('shares a key across namespaces without credentials, and never across credentials Secrets', () => {
    const src = { repository: ' git://h/r ', revision: 'main' };
    assert.equal(keyOf(targetOf('a', src)), keyOf(targetOf('b', src)));
    const withSecret = { ...src, credentialsSecretRef: { name: 'git' } };
    assert.notEqual(keyOf(targetOf('a', withSecret)), keyOf(targetOf('b', withSecret)));
    assert.notEqual(keyOf(targetOf('a', withSecret)), keyOf(targetOf('a', src)));
    assert.notEqual(keyOf(targetOf('a', src)), keyOf(targetOf('a', { ...src, insecureSkipHostKeyVerification: true })));
    assert.notEqual(keyOf(targetOf('a', src)), keyOf(targetOf('a', { ...src, revision: 'dev' })));
  });
  it('reads "HEAD" and an empty revision as the default branch', () => {
    assert.equal(keyOf(targetOf('a', { repository: 'r', revision: 'HEAD' })), keyOf(targetOf('a', { repository: 'r' })));
  });
});

describe('lsRemoteArgs', () => {
  for (const [revision, want] of [
    ['', ['HEAD']],
    ['main', ['refs/heads/main', 'refs/tags/main', 'refs/tags/main^{}']],
    ['refs/pull/1/head', ['refs/pull/1/head']],
  ] as const) {
    it(`asks for ${want.join(' ')} for "${revision}"`, () => {
      assert.deepEqual(lsRemoteArgs(targetOf('ns', { repository: 'git://h/r', revision })), ['ls-remote', '--', 'git://h/r', ...want]);
    });
  }
});

describe('resolveRevision', () => {
  const cases: [string, ReturnType<typeof resolveRevision>][] = [
    ['', { kind: 'commit', commit: A }],
    ['main', { kind: 'commit', commit: B }],
    ['v1', { kind: 'commit', commit: A }], // annotated tag: the commit, not the tag object
    ['light', { kind: 'commit', commit: C }],
    ['refs/pull/1/head', { kind: 'commit', commit: B }],
    [B.toUpperCase(), { kind: 'commit', commit: B }],
    ['abc123', { kind: 'pinned' }],
  ];
  for (const [revision, want] of cases) {
    it(`resolves "${revision}"`, () => assert.deepEqual(resolveRevision(targetOf('ns', { repository: 'r', revision }), refs), want));
  }
  it('says which revision is missing, and that a repository without HEAD is empty', () => {
    const missing = resolveRevision(targetOf('ns', { repository: 'https://u:p@h/r', revision: 'nope' }), refs);
    assert.equal(missing.kind, 'notFound');
    assert.match(missing.kind === 'notFound' ? missing.message : '', /revision "nope" not found: https:\/\/\*\*\*@h\/r/);
    const empty = resolveRevision(targetOf('ns', { repository: 'git://h/r' }), new Map());
    assert.match(empty.kind === 'notFound' ? empty.message : '', /no default branch/);
  });
});

describe('fixedCommit and displayUrl', () => {
  it('takes only a full SHA as a commit', () => {
    assert.equal(fixedCommit(A), A);
    assert.equal(fixedCommit('abc123'), undefined);
    assert.equal(fixedCommit('main'), undefined);
  });
  it('hides user info in URLs', () => {
    assert.equal(displayUrl('https://user:tok@github.com/o/r'), 'https://***@github.com/o/r');
    assert.equal(displayUrl('git@github.com:o/r.git'), 'git@github.com:o/r.git');
  });
});
