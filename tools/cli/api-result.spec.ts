import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TofuExecution } from '@tofu-operator/api-types';
import type { Connection } from './api-args.ts';
import { errorMessage, ExitCode, exitCodeForPhase, exitCodeForStatus, nextStepLines, resultLines } from './api-result.ts';

const DIGEST = `sha256:${'cd'.repeat(32)}`;
const conn: Connection = { server: 'http://localhost:8080', serverGiven: false, token: 'secret-token', namespace: 'team-a' };

function execution(over: { spec?: Partial<TofuExecution['spec']>; status?: TofuExecution['status'] } = {}): TofuExecution {
  return {
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuExecution',
    metadata: { name: 'web-plan-1', namespace: 'team-a' },
    spec: { action: 'plan', stackRef: { name: 'web' }, ...over.spec },
    ...(over.status ? { status: over.status } : {}),
  };
}

describe('exit codes', () => {
  const statuses: [number, number][] = [
    [401, ExitCode.Refused],
    [403, ExitCode.Refused],
    [404, ExitCode.NotFound],
    [409, ExitCode.Conflict],
    [422, ExitCode.Invalid],
    [400, ExitCode.Unavailable],
    [500, ExitCode.Unavailable],
    [503, ExitCode.Unavailable],
  ];
  for (const [status, want] of statuses) it(`HTTP ${status} -> ${want}`, () => assert.equal(exitCodeForStatus(status), want));

  const phases: [string | undefined, number | undefined][] = [
    ['Succeeded', 0],
    ['Failed', 1],
    ['Running', undefined],
    ['Pending', undefined],
    [undefined, undefined],
  ];
  for (const [phase, want] of phases) it(`phase ${String(phase)} -> ${String(want)}`, () => assert.equal(exitCodeForPhase(phase), want));

  it('are distinct', () => assert.equal(new Set(Object.values(ExitCode)).size, Object.values(ExitCode).length));
});

describe('errorMessage', () => {
  it("a 422 on the digest: the API's words and what to do", () => {
    const message = `plan web-plan-1 has digest ${DIGEST}, not the approved sha256:${'0'.repeat(64)}`;
    const text = errorMessage(
      'approve web-plan-1',
      422,
      { status: 422, reason: 'Invalid', message, fields: [{ path: 'planDigest', message }] },
      conn,
    );
    assert.equal(
      text,
      `approve web-plan-1: 422 Invalid: ${message}\n  the digest must be the one of the plan you reviewed: read the plan again (status.plan.digest)`,
    );
  });

  it('a 409 with the run in progress names it and how to follow it', () => {
    const text = errorMessage(
      'plan stack/web',
      409,
      { status: 409, reason: 'Conflict', message: 'a run is in progress', running: { namespace: 'team-a', name: 'web-plan-0' } },
      { ...conn, serverGiven: true, server: 'https://tofu.example.com' },
    );
    assert.match(text, /^plan stack\/web: 409 Conflict: a run is in progress\n/);
    assert.match(
      text,
      /follow the run in progress: tofu-operator logs web-plan-0 --follow -n team-a --server https:\/\/tofu\.example\.com$/,
    );
  });

  it('401 says whether a token was sent, and never prints it', () => {
    const body = { status: 401, reason: 'Unauthorized', message: 'the token was not accepted' };
    const withToken = errorMessage('logs x', 401, body, conn);
    assert.match(withToken, /did not accept the token/);
    assert.ok(!withToken.includes('secret-token'));
    const { token: _token, ...noToken } = conn;
    assert.match(errorMessage('logs x', 401, body, noToken), /no token: set TOFU_OPERATOR_TOKEN/);
  });

  it('403 names the namespace', () => {
    assert.match(
      errorMessage('approve p', 403, { status: 403, reason: 'Forbidden', message: 'denied' }, conn),
      /^approve p: 403 Forbidden: denied\n.*namespace team-a/,
    );
  });

  it('an answer without our error body', () =>
    assert.equal(errorMessage('get x', 502, undefined, conn), 'get x: 502 error: (no error body)'));
});

describe('resultLines and nextStepLines', () => {
  const waiting = execution({
    status: {
      phase: 'Succeeded',
      summary: { text: 'Plan: 2 to add, 0 to change, 0 to destroy.', hasChanges: true },
      plan: { digest: DIGEST, commit: 'abc123', hasChanges: true, add: 2, change: 0, destroy: 0 },
    },
  });

  it('a plan that waits: result, then the approve and reject command lines with its digest', () => {
    assert.deepEqual(resultLines(waiting), [
      'execution: web-plan-1',
      'action: plan',
      'phase: Succeeded',
      'summary: Plan: 2 to add, 0 to change, 0 to destroy.',
      `digest: ${DIGEST}`,
      'commit: abc123',
    ]);
    assert.deepEqual(nextStepLines(waiting, conn), [
      'The plan waits for approval. Approve it (and follow the apply) with:',
      `  tofu-operator approve web-plan-1 --digest ${DIGEST} --wait -n team-a`,
      'or reject it with:',
      `  tofu-operator reject web-plan-1 --digest ${DIGEST} -n team-a`,
    ]);
  });

  it('no next step for a plan without changes, a decided plan, a failed plan or an apply', () => {
    const noChanges = execution({ status: { phase: 'Succeeded', plan: { digest: DIGEST, hasChanges: false } } });
    const decided = execution({ status: { ...waiting.status, approval: { state: 'Approved', at: '2026-01-01T00:00:00Z' } } });
    const failed = execution({ status: { phase: 'Failed', message: 'tofu plan failed' } });
    const apply = execution({ spec: { action: 'apply', planRef: { name: 'web-plan-1', digest: DIGEST } }, status: { phase: 'Succeeded' } });
    for (const x of [noChanges, decided, failed, apply]) assert.deepEqual(nextStepLines(x, conn), []);
    assert.ok(resultLines(decided).includes('approval: Approved'));
  });

  it('an apply: its result and the plan it carried out', () => {
    const apply = execution({
      spec: { action: 'apply', planRef: { name: 'web-plan-1', digest: DIGEST } },
      status: { phase: 'Succeeded', apply: { text: 'Apply complete! Resources: 2 added, 0 changed, 0 destroyed.', add: 2 } },
    });
    apply.metadata.name = 'web-plan-1-apply';
    assert.deepEqual(resultLines(apply), [
      'execution: web-plan-1-apply',
      'action: apply',
      'phase: Succeeded',
      'result: Apply complete! Resources: 2 added, 0 changed, 0 destroyed.',
      `plan: web-plan-1 (${DIGEST})`,
    ]);
  });

  it('a failure: category and message', () => {
    const failed = execution({
      spec: { destroy: true },
      status: { phase: 'Failed', failureCategory: 'TofuError', message: 'Error: boom' },
    });
    assert.deepEqual(resultLines(failed).slice(1), [
      'action: plan (destroy)',
      'phase: Failed',
      'failure: TofuError',
      'message: Error: boom',
    ]);
  });
});
