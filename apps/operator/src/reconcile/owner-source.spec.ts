import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Annotations, ConditionType, type TofuExecution, type TofuModuleStatus } from '@tofu-operator/api-types';
import { commitViewOf, plannedCommitOf, pollIntervalMsOf, withSourceStatus } from './owner-source.js';
import { queuedPlanOf } from './owner-runs.js';

const X = 'a'.repeat(40);
const Y = 'b'.repeat(40);
const REPO = 'git://git.example.com/infra.git';
const NOW = new Date('2026-11-30T12:00:00Z');

function plan(name: string, createdAt: string, over: { spec?: Partial<TofuExecution['spec']>; status?: TofuExecution['status'] } = {}) {
  return {
    metadata: { name, annotations: { [Annotations.createdAt]: createdAt } },
    spec: { action: 'plan', ...over.spec },
    ...(over.status ? { status: over.status } : {}),
  } as unknown as TofuExecution;
}
const done = (commit: string) => ({ phase: 'Succeeded' as const, jobName: 'j', plan: { commit } });

describe('pollIntervalMsOf', () => {
  it('reads spec.source.pollInterval with the 5m default; "0" and a full-SHA revision never poll', () => {
    assert.equal(pollIntervalMsOf({ repository: REPO }), 300_000);
    assert.equal(pollIntervalMsOf({ repository: REPO, pollInterval: '1m' }), 60_000);
    assert.equal(pollIntervalMsOf({ repository: REPO, pollInterval: '0' }), 0);
    assert.equal(pollIntervalMsOf({ repository: REPO, revision: X, pollInterval: '1m' }), 0);
    assert.equal(pollIntervalMsOf({ repository: REPO, revision: 'abc1234' }), 300_000, 'a short id may be a branch name');
  });
});

describe('plannedCommitOf', () => {
  it('is the commit the runner reported, else spec.commit of a plan that ran; nothing for unfinished, applies and queued-only plans', () => {
    assert.equal(plannedCommitOf(plan('p', '', { status: done(X) })), X);
    assert.equal(plannedCommitOf(plan('p', '', { spec: { commit: Y }, status: { phase: 'Failed', jobName: 'j' } })), Y);
    assert.equal(plannedCommitOf(plan('p', '', { spec: { commit: Y }, status: { phase: 'Failed' } })), undefined);
    assert.equal(plannedCommitOf(plan('p', '', { status: { phase: 'Running', plan: { commit: X } } })), undefined);
    assert.equal(plannedCommitOf({ ...plan('p', '', { status: done(X) }), spec: { action: 'apply' } }), undefined);
  });

  it('is the commit a plan failed on (status.commit), so a poll of the same commit is no news', () => {
    const broken = plan('broken', '2026-11-30T11:00:00Z', {
      status: { phase: 'Failed', jobName: 'j', commit: X, completionTime: '2026-11-30T11:01:00Z' },
    });
    assert.equal(plannedCommitOf(broken), X);
    const polled = { commit: X, lastPollTime: '2026-11-30T11:05:00Z' };
    assert.deepEqual(commitViewOf([broken], undefined, polled), { planned: X, latest: X }, 'the same commit: no new plan');
    const beforeClone = plan('early', '2026-11-30T11:00:00Z', { status: { phase: 'Failed', jobName: 'j' } });
    assert.equal(plannedCommitOf(beforeClone), undefined, 'a run that failed before its clone checked out nothing');
  });
});

describe('commitViewOf', () => {
  const older = plan('old', '2026-11-30T11:00:00Z', { status: done(X) });
  it('planned: the newest finished plan, else status.source.commit', () => {
    const newer = plan('new', '2026-11-30T11:30:00Z', { status: done(Y) });
    assert.deepEqual(commitViewOf([older, newer], undefined, undefined), { planned: Y });
    assert.deepEqual(commitViewOf([], { source: { commit: X } }, undefined), { planned: X });
    assert.deepEqual(commitViewOf([], undefined, undefined), {});
  });

  it('latest only when polled after the newest plan (of changes) resolved the branch', () => {
    const fresh = { commit: Y, lastPollTime: '2026-11-30T11:10:00Z' };
    assert.deepEqual(commitViewOf([older], undefined, fresh), { planned: X, latest: Y });
    const stale = { commit: Y, lastPollTime: '2026-11-30T10:59:00Z' };
    assert.deepEqual(commitViewOf([older], undefined, stale), { planned: X }, 'the runner resolved the branch after that poll');
    const running = plan('run', '2026-11-30T11:20:00Z', { status: { phase: 'Running' } });
    assert.deepEqual(commitViewOf([older, running], undefined, fresh), { planned: X }, 'a newer plan is resolving the branch');
    const queued = plan('queued', '2026-11-30T11:05:00Z', { status: { phase: 'Pending' } });
    assert.deepEqual(commitViewOf([older, queued], undefined, fresh), { planned: X }, 'a queued plan will resolve the branch itself');
    const finishedLater = plan('late', '2026-11-30T11:05:00Z', { status: { ...done(X), completionTime: '2026-11-30T11:15:00Z' } });
    assert.deepEqual(commitViewOf([finishedLater], undefined, fresh), { planned: X }, 'its runner resolved the branch after that poll');
    const polledAfter = { commit: Y, lastPollTime: '2026-11-30T11:16:00Z' };
    assert.deepEqual(commitViewOf([finishedLater], undefined, polledAfter), { planned: X, latest: Y });
    const pinned = plan('pinned', '2026-11-30T11:05:00Z', { spec: { commit: X }, status: { phase: 'Pending' } });
    assert.deepEqual(
      commitViewOf([older, pinned], undefined, fresh),
      { planned: X, latest: Y },
      'a queued plan of an older commit is outdated',
    );
    const drift = plan('drift', '2026-11-30T11:20:00Z', { spec: { purpose: 'DriftCheck', commit: X }, status: done(X) });
    assert.deepEqual(commitViewOf([older, drift], undefined, fresh), { planned: X, latest: Y }, 'drift checks do not hide a new commit');
  });
});

describe('withSourceStatus', () => {
  const base: TofuModuleStatus = { observedGeneration: 3, phase: 'Succeeded' };
  const source = { repository: REPO, revision: 'main' };
  it('fills status.source and SourceReady True after a successful poll', () => {
    const observation = { commit: Y, lastPollTime: '2026-11-30T11:59:00Z', nextPollTime: '2026-11-30T12:04:00Z' };
    const s = withSourceStatus(base, { source, intervalMs: 300_000, observation, planned: X }, NOW);
    assert.deepEqual(s.source, {
      commit: X,
      revision: 'main',
      latestCommit: Y,
      lastPollTime: observation.lastPollTime,
      nextPollTime: observation.nextPollTime,
    });
    const c = s.conditions?.find((x) => x.type === ConditionType.SourceReady);
    assert.equal(c?.status, 'True');
    assert.equal(c?.reason, 'SourceResolved');
    assert.match(c?.message ?? '', /main is at bbbbbbbbbbbb/);
    assert.equal(s.phase, 'Succeeded');
  });

  it('a failing poll sets SourceReady False with its reason and keeps the commit, phase and everything else', () => {
    const failure = {
      reason: 'SourceUnreachable' as const,
      message: 'git://git.example.com/infra.git: connection refused',
      since: '2026-11-30T11:58:00Z',
    };
    const prev = { ...base, source: { commit: X } };
    const s = withSourceStatus(prev, { source, intervalMs: 60_000, observation: { failure }, planned: X }, NOW);
    const c = s.conditions?.find((x) => x.type === ConditionType.SourceReady);
    assert.deepEqual([c?.status, c?.reason, c?.message], ['False', 'SourceUnreachable', failure.message]);
    assert.equal(s.source?.commit, X);
    assert.equal(s.phase, 'Succeeded');
  });

  it('no SourceReady when not polled; before the first poll it stays as it was', () => {
    const withCondition = withSourceStatus(base, { source, intervalMs: 60_000, observation: { commit: X, lastPollTime: 't' } }, NOW);
    const off = withSourceStatus(withCondition, { source, intervalMs: 0, planned: X }, NOW);
    assert.equal(
      off.conditions?.some((x) => x.type === ConditionType.SourceReady),
      false,
    );
    assert.deepEqual(off.source, { commit: X, revision: 'main' });
    const before = withSourceStatus(withCondition, { source, intervalMs: 60_000 }, NOW);
    assert.deepEqual(before.conditions, withCondition.conditions);
  });
});

describe('queuedPlanOf', () => {
  it('is the only unfinished execution when it is a plan waiting in the run queue (no Job)', () => {
    const queued = plan('q', '', { status: { phase: 'Pending', queue: { position: 2, limit: 'Operator' } } });
    assert.equal(queuedPlanOf([plan('old', '', { status: done(X) }), queued]), queued);
    assert.equal(queuedPlanOf([{ ...queued, status: { ...queued.status, jobName: 'j' } }]), undefined, 'its Job exists: it runs');
    assert.equal(queuedPlanOf([queued, plan('other', '', { status: { phase: 'Running' } })]), undefined);
    assert.equal(queuedPlanOf([plan('p', '', { status: { phase: 'Pending' } })]), undefined, 'not queued');
  });
});
