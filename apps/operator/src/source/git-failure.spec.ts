import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { classifyLsRemote, stderrDetail } from './git-failure.js';

describe('classifyLsRemote', () => {
  const cases: [string, string][] = [
    ['Host key verification failed.\nfatal: Could not read from remote repository.', 'SourceAuthFailed'],
    ['git@h: Permission denied (publickey).\nfatal: Could not read from remote repository.', 'SourceAuthFailed'],
    ["fatal: Authentication failed for 'https://h/r/'", 'SourceAuthFailed'],
    ["fatal: could not read Username for 'https://h': terminal prompts disabled", 'SourceAuthFailed'],
    ['fatal: unable to connect to 10.88.0.1:\n10.88.0.1[0: 10.88.0.1]: errno=Connection refused', 'SourceUnreachable'],
    ["fatal: repository 'https://h/r/' not found", 'SourceUnreachable'],
    ["fatal: transport 'file' not allowed", 'SourceUnreachable'],
  ];
  for (const [stderr, reason] of cases) {
    it(`${reason}: ${stderr.split('\n')[0]}`, () => assert.equal(classifyLsRemote(stderr, 'R', '').reason, reason));
  }
  it('names the repository and the detail', () => {
    assert.equal(classifyLsRemote('fatal: x', 'git://h/r', 'fatal: x').message, 'cannot reach repository git://h/r: fatal: x');
  });
});

describe('stderrDetail', () => {
  it('keeps the last three lines, drops hints, redacts and bounds the text', () => {
    assert.equal(
      stderrDetail('hint: no\na\nb\nc secret\nd secret', (s) => s.replaceAll('secret', '***')),
      'b; c ***; d ***',
    );
    assert.equal(stderrDetail('x'.repeat(400)).length, 300);
  });
});
