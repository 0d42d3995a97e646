import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Annotations, type TofuExecution, type TofuExecutionStatus } from '@tofu-operator/api-types';
import { DRIFT_MODE_ANNOTATION } from './approval.js';
import { correctedBy, driftResultOf, notInSyncReason } from './drift-status.js';
import { beyondHistory } from './owned-executions.js';

let clock = Date.parse('2026-11-30T10:00:00Z');
function ex(name: string, spec: Partial<TofuExecution['spec']>, status: TofuExecutionStatus): TofuExecution {
  clock += 60_000;
  return {
    metadata: { name, annotations: { [Annotations.createdAt]: new Date(clock).toISOString() } },
    spec: { action: 'plan', ...spec },
    status,
  } as unknown as TofuExecution;
}
const AT = '2026-11-30T12:00:00Z';
const check = (name: string, status: TofuExecutionStatus) => ex(name, { purpose: 'DriftCheck' }, { completionTime: AT, ...status });
const clean = (name: string) => check(name, { phase: 'Succeeded', plan: { hasChanges: false } });
const drifted = (name: string) => check(name, { phase: 'Succeeded', plan: { hasChanges: true, add: 1, change: 2, destroy: 0 } });

describe('driftResultOf', () => {
  it('before any check: the previous status and no condition', () => {
    assert.deepEqual(driftResultOf([], { lastCheckTime: AT }), { drift: { lastCheckTime: AT } });
  });

  it('no changes: Drifted False NoDrift with the time of the check', () => {
    const r = driftResultOf([clean('c1')], undefined);
    assert.deepEqual(r.drift, { lastCheckExecution: 'c1', lastCheckTime: AT, drifted: false, counts: { add: 0, change: 0, destroy: 0 } });
    assert.deepEqual([r.condition?.status, r.condition?.reason, r.outcome], ['False', 'NoDrift', 'clean']);
    assert.match(r.condition?.message ?? '', /no drift at 2026-11-30T12:00:00Z/);
  });

  it('changes: Drifted True with counts and the first resources; at most 50 listed, the rest counted', () => {
    const addresses = Array.from({ length: 60 }, (_, i) => `k8sconfigmap_entry.e[${i}]`);
    const r = driftResultOf([drifted('c1')], undefined, addresses);
    assert.equal(r.drift.drifted, true);
    assert.deepEqual(r.drift.counts, { add: 1, change: 2, destroy: 0 });
    assert.equal(r.drift.resources?.length, 50);
    assert.equal(r.drift.resourcesOmitted, 10);
    assert.deepEqual([r.condition?.status, r.condition?.reason, r.outcome], ['True', 'DriftDetected', 'drifted']);
    assert.match(
      r.condition?.message ?? '',
      /^1 to add, 2 to change, 0 to destroy: k8sconfigmap_entry\.e\[0\], .* and 55 more \(drift check c1/,
    );
    const again = driftResultOf([drifted('c1')], r.drift);
    assert.deepEqual(again.drift.resources, r.drift.resources, 'the status keeps the list of the same check');
  });

  it('a failed check: Drifted Unknown DriftCheckFailed; a running one does not count', () => {
    const first = clean('c1');
    const failed = check('c2', { phase: 'Failed', message: 'provider error' });
    const r = driftResultOf([first, failed, ex('c3', { purpose: 'DriftCheck' }, { phase: 'Running' })], undefined);
    assert.deepEqual([r.condition?.status, r.condition?.reason, r.drift.lastCheckExecution], ['Unknown', 'DriftCheckFailed', 'c2']);
    assert.match(r.condition?.message ?? '', /provider error/);
  });

  it('drift put right by an apply of the drift plan, or of a later plan: Drifted False', () => {
    const c = drifted('c1');
    const applied = ex('c1-apply', { action: 'apply', planRef: { name: 'c1', digest: 'd' } }, { phase: 'Succeeded' });
    assert.equal(correctedBy([c, applied], c), 'c1-apply');
    const r = driftResultOf([c, applied], undefined);
    assert.deepEqual([r.condition?.status, r.drift.drifted], ['False', false]);
    const later = ex('p2', {}, { phase: 'Succeeded', plan: { hasChanges: false } });
    assert.equal(correctedBy([c, later], c), 'p2');
    const older = ex('p0', {}, { phase: 'Succeeded', plan: { hasChanges: false } });
    const c2 = drifted('c2');
    assert.equal(correctedBy([older, c2], c2), undefined);
  });
});

describe('notInSyncReason', () => {
  const plan = (changes: boolean) => ex('p1', {}, { phase: 'Succeeded', plan: { hasChanges: changes } });
  it('in sync when the newest plan of changes was applied or changed nothing; drift checks do not count', () => {
    const p = plan(true);
    const a = ex('p1-apply', { action: 'apply', planRef: { name: 'p1', digest: 'd' } }, { phase: 'Succeeded' });
    assert.equal(notInSyncReason({ executions: [p, a, drifted('c1')], planDue: false }), undefined);
    assert.equal(notInSyncReason({ executions: [plan(false)], planDue: false }), undefined);
  });

  it('says why not: due, running, waiting, failed, not applied, nothing yet', () => {
    const p = plan(true);
    assert.equal(notInSyncReason({ executions: [], planDue: true }), 'a new plan is due');
    assert.match(notInSyncReason({ executions: [ex('r', {}, { phase: 'Running' })], planDue: false }) ?? '', /plan r is running/);
    assert.match(notInSyncReason({ executions: [p], planDue: false, undecided: p }) ?? '', /waits for approval/);
    assert.match(notInSyncReason({ executions: [p], planDue: false }) ?? '', /was not applied/);
    assert.match(notInSyncReason({ executions: [ex('f', {}, { phase: 'Failed' })], planDue: false }) ?? '', /latest plan f failed/);
    const failedApply = ex('p1-apply', { action: 'apply', planRef: { name: 'p1', digest: 'd' } }, { phase: 'Failed' });
    assert.match(notInSyncReason({ executions: [p, failedApply], planDue: false }) ?? '', /apply p1-apply failed/);
    assert.match(notInSyncReason({ executions: [], planDue: false }) ?? '', /nothing has been planned/);
    assert.equal(
      notInSyncReason({ executions: [], planDue: false, lastExecution: { name: 'x', action: 'apply', phase: 'Succeeded' } }),
      undefined,
    );
  });
});

describe('beyondHistory', () => {
  it('keeps the last 3 quiet drift checks apart from the history limit, and what it is told to keep', () => {
    const quiet = ['q1', 'q2', 'q3', 'q4', 'q5'].map(clean);
    const changes = drifted('d1');
    const plans = ['p1', 'p2'].map((n) => ex(n, {}, { phase: 'Succeeded', plan: { hasChanges: false } }));
    const pruned = beyondHistory([...quiet, changes, ...plans], 3, 'p2', ['q1']).map((e) => e.metadata.name);
    assert.deepEqual(pruned, ['q2', 'q3'], 'a Detect check with changes is quiet too (the newest 3 stay)');
    const approve = drifted('d2');
    approve.metadata.annotations = { ...approve.metadata.annotations, [DRIFT_MODE_ANNOTATION]: 'Approve' };
    assert.deepEqual(
      beyondHistory([...quiet, approve, ...plans], 2, 'p2').map((e) => e.metadata.name),
      ['q1', 'q2', 'p1'],
      'a drift plan to approve counts in the history (the oldest plan goes)',
    );
  });
});
