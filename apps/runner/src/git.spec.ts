import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RunnerError } from './errors.js';
import { classifyGitFailure, classifyLsRemoteFailure, gitEnv, gitErrorText, parseLsRemote, planCheckout } from './git.js';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const REPO = 'https://git.example.com/team/infra.git';

describe('classifyGitFailure', () => {
  const revisionNotFound = [
    "Cloning into '/workspace/source'...\nwarning: Could not find remote branch nope to clone.\nfatal: Remote branch nope not found in upstream origin",
    "fatal: couldn't find remote ref refs/heads/nope",
    `fatal: git upload-pack: not our ref ${SHA}\nfatal: remote error: upload-pack: not our ref ${SHA}`,
    `error: Server does not allow request for unadvertised object ${SHA}`,
    "error: pathspec 'nope' did not match any file(s) known to git",
    `fatal: reference is not a tree: ${SHA}`,
  ];
  const unreachable = [
    "fatal: '/nonexistent' does not appear to be a git repository\nfatal: Could not read from remote repository.\n\nPlease make sure you have the correct access rights\nand the repository exists.",
    'fatal: unable to connect to 127.0.0.1:\n127.0.0.1[0: 127.0.0.1]: errno=Connection refused',
    "remote: Repository not found.\nfatal: repository 'https://github.com/o/r.git/' not found",
    "fatal: unable to access 'https://git.example.com/r.git/': Could not resolve host: git.example.com",
    '',
  ];
  const authFailed = [
    "remote: HTTP Basic: Access denied\nfatal: Authentication failed for 'https://gitlab.com/o/r.git/'",
    'git@github.com: Permission denied (publickey).\nfatal: Could not read from remote repository.',
    "fatal: could not read Username for 'https://github.com': terminal prompts disabled",
    "fatal: unable to access 'https://git.example.com/r.git/': The requested URL returned error: 403",
    'Load key "/tmp/run/identity": invalid format\ngit@10.88.0.1: Permission denied (publickey).',
  ];
  const unknownHostKey = [
    'Host key verification failed.\nfatal: Could not read from remote repository.',
    'No ED25519 host key is known for [10.88.0.1]:2222 and you have requested strict checking.\nHost key verification failed.',
    '@@@@@@@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\nHost key for git.example.com has changed and you have requested strict checking.',
    // The host key is checked before any authentication: its message wins.
    'Host key verification failed.\ngit@h: Permission denied (publickey).',
  ];
  const local = [
    "fatal: could not create work tree dir '/workspace/source': Read-only file system",
    'error: unable to write file main.tf\nfatal: No space left on device',
  ];

  it('recognizes a missing revision', () => {
    for (const stderr of revisionNotFound) assert.equal(classifyGitFailure(stderr), 'RevisionNotFound', stderr);
  });
  it('treats connection and missing repository errors as unreachable', () => {
    for (const stderr of unreachable) assert.equal(classifyGitFailure(stderr), 'RepositoryUnreachable', stderr);
  });
  it('tells refused credentials (wrong key, wrong token, none) apart', () => {
    for (const stderr of authFailed) assert.equal(classifyGitFailure(stderr), 'GitAuthFailed', stderr);
  });
  it('tells an unknown or changed ssh host key apart', () => {
    for (const stderr of unknownHostKey) assert.equal(classifyGitFailure(stderr), 'UnknownHostKey', stderr);
  });
  it('keeps access problems of ls-remote and calls anything else unreachable there', () => {
    assert.equal(classifyLsRemoteFailure(authFailed[0] ?? ''), 'GitAuthFailed');
    assert.equal(classifyLsRemoteFailure(unknownHostKey[0] ?? ''), 'UnknownHostKey');
    assert.equal(classifyLsRemoteFailure(revisionNotFound[1] ?? ''), 'RepositoryUnreachable');
    assert.equal(classifyLsRemoteFailure(unreachable[1] ?? ''), 'RepositoryUnreachable');
  });
  it('treats local disk errors as internal', () => {
    for (const stderr of local) assert.equal(classifyGitFailure(stderr), 'Internal', stderr);
  });
});

describe('gitErrorText', () => {
  it('drops progress and hints and keeps the last lines', () => {
    const stderr =
      "Cloning into 'x'...\nhint: use --foo\nwarning: Could not find remote branch v9 to clone.\nfatal: Remote branch v9 not found in upstream origin\n";
    assert.equal(
      gitErrorText(stderr),
      'warning: Could not find remote branch v9 to clone.\nfatal: Remote branch v9 not found in upstream origin',
    );
    const many = Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n');
    assert.equal(gitErrorText(many, 3), 'line 27\nline 28\nline 29');
  });
});

describe('parseLsRemote', () => {
  it('maps ref names to ids', () => {
    const refs = parseLsRemote(`${SHA}\tHEAD\n${SHA}\trefs/heads/main\nffff\trefs/tags/v1\neeee\trefs/tags/v1^{}\n`);
    assert.equal(refs.get('HEAD'), SHA);
    assert.equal(refs.get('refs/heads/main'), SHA);
    assert.equal(refs.get('refs/tags/v1^{}'), 'eeee');
    assert.equal(refs.size, 4);
  });
});

describe('planCheckout', () => {
  const refs = new Map([
    ['HEAD', SHA],
    ['refs/heads/main', SHA],
    ['refs/heads/feature/x', SHA],
    ['refs/tags/v1.0.0', SHA],
    ['refs/pull/1/head', SHA],
  ]);
  const notFound = (err: unknown): boolean => err instanceof RunnerError && err.category === 'RevisionNotFound';

  it('clones the default branch for an empty revision', () => {
    assert.deepEqual(planCheckout('', refs, REPO), { kind: 'default' });
    assert.deepEqual(planCheckout('HEAD', refs, REPO), { kind: 'default' });
  });

  it('reports an empty repository as RevisionNotFound', () => {
    assert.throws(() => planCheckout('', new Map(), REPO), notFound);
  });

  it('clones branches and tags with --branch', () => {
    assert.deepEqual(planCheckout('main', refs, REPO), { kind: 'branch', name: 'main' });
    assert.deepEqual(planCheckout('feature/x', refs, REPO), { kind: 'branch', name: 'feature/x' });
    assert.deepEqual(planCheckout('v1.0.0', refs, REPO), { kind: 'branch', name: 'v1.0.0' });
  });

  it('fetches full commit ids and full ref names', () => {
    assert.deepEqual(planCheckout(SHA.toUpperCase(), refs, REPO), { kind: 'fetch', ref: SHA });
    assert.deepEqual(planCheckout('refs/pull/1/head', refs, REPO), { kind: 'fetch', ref: 'refs/pull/1/head' });
  });

  it('searches for what may be an abbreviated commit id', () => {
    assert.deepEqual(planCheckout('0123abc', refs, REPO), { kind: 'search', rev: '0123abc' });
  });

  it('reports an unknown name as RevisionNotFound, without credentials', () => {
    assert.throws(() => planCheckout('nope', refs, REPO), notFound);
    assert.throws(() => planCheckout('refs/heads/nope', refs, REPO), notFound);
    assert.throws(
      () => planCheckout('nope', refs, 'https://user:s3cret@git.example.com/r.git'),
      (err: Error) => notFound(err) && !err.message.includes('s3cret'),
    );
  });
});

describe('gitEnv', () => {
  it('never prompts, speaks English and uses only the run credentials', () => {
    const env = gitEnv({ PATH: '/bin', LC_ALL: 'de_DE.UTF-8', GIT_ASKPASS: '/evil', SSH_ASKPASS: '/evil' });
    assert.equal(env.GIT_TERMINAL_PROMPT, '0');
    assert.equal(env.LC_ALL, 'C');
    assert.equal(env.GIT_ASKPASS, undefined);
    assert.equal(env.SSH_ASKPASS, undefined);
    assert.equal(gitEnv({}, { GIT_ASKPASS: '/tmp/x/askpass' }).GIT_ASKPASS, '/tmp/x/askpass');
  });
});
