import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  Annotations,
  ConditionType,
  type TofuExecution,
  type TofuExecutionStatus,
  type TofuModule,
  type TofuModuleStatus,
} from '@tofu-operator/api-types';
import type { EventRecorder, ReconcileContext } from '@tofu-operator/reconcile-runtime';
import type { MetricsService } from '../metrics/metrics.service.js';
import type { PlanStore } from '../runner-api/plan-store.service.js';
import { DriftChecks, type DriftInput } from './drift-checks.js';
import type { ResolvedRun } from './run-resolver.js';

const COMMIT = 'c'.repeat(40);
const NOW = new Date('2026-11-30T12:00:00Z');
const ctx = { log: { info() {}, warn() {}, debug() {}, error() {} } } as unknown as ReconcileContext;

function fakes() {
  const events: string[] = [];
  const counted: string[] = [];
  let reads = 0;
  const recorder = { record: (_o: unknown, type: string, reason: string) => events.push(`${type} ${reason}`) } as unknown as EventRecorder;
  const metrics = { driftChecked: (r: string) => counted.push(r) } as unknown as MetricsService;
  const diff = {
    v: 1,
    resources: [
      { address: 'a.x', actions: ['update'] },
      { address: 'data.d.y', actions: ['read'] },
    ],
    outputs: [],
  };
  const plans = {
    read: () => {
      reads++;
      return Promise.resolve({ data: Buffer.from(JSON.stringify(diff)), digest: 'd' });
    },
  } as unknown as PlanStore;
  return { events, counted, reads: () => reads, checks: new DriftChecks(plans, recorder, metrics) };
}

function moduleWith(status: TofuModuleStatus, annotations: Record<string, string> = {}): TofuModule {
  return {
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuModule',
    metadata: { name: 'web', namespace: 'ns', uid: 'u1', creationTimestamp: '2026-11-30T10:00:00Z', annotations },
    spec: { source: { repository: 'git://h/r' }, driftDetection: { interval: '10m' } },
    status,
  };
}

let second = 0;
function ex(name: string, spec: Partial<TofuExecution['spec']>, status: TofuExecutionStatus): TofuExecution {
  second++;
  return {
    metadata: { name, annotations: { [Annotations.createdAt]: `2026-11-30T11:00:${String(second).padStart(2, '0')}Z` } },
    spec: { action: 'plan', ...spec },
    status,
  } as unknown as TofuExecution;
}
const applied = () => [
  ex('p1', {}, { phase: 'Succeeded', plan: { hasChanges: true, commit: COMMIT } }),
  ex('p1-apply', { action: 'apply', planRef: { name: 'p1', digest: 'd' } }, { phase: 'Succeeded', completionTime: '2026-11-30T11:01:00Z' }),
];
const input = (owner: TofuModule, executions: TofuExecution[], over: Partial<DriftInput> = {}): DriftInput => ({
  owner,
  run: { module: owner } as unknown as ResolvedRun,
  executions,
  planDue: false,
  planned: COMMIT,
  now: NOW,
  ...over,
});
const drifted = (s: TofuModuleStatus) => s.conditions?.find((c) => c.type === ConditionType.Drifted);

describe('DriftChecks.step', () => {
  it('asks for the due check at the commit planned last, with the mode; none without driftDetection', async () => {
    const { checks } = fakes();
    const owner = moduleWith({ drift: { lastCheckTime: '2026-11-30T11:30:00Z' } });
    const step = await checks.step(input(owner, applied()), ctx);
    assert.equal(step.create?.mode, 'Detect');
    assert.equal(step.create?.due.commit, COMMIT);
    assert.match(step.create?.due.trigger ?? '', /^drift\/t\d+$/);
    const off = await checks.step(input({ ...owner, spec: { source: owner.spec.source } }, applied()), ctx);
    assert.equal(off.create, undefined);
    const cleared = off.status({
      drift: { drifted: true },
      conditions: [{ type: 'Drifted', status: 'True', reason: 'x', message: '', lastTransitionTime: '' }],
    });
    assert.deepEqual(cleared, { conditions: [] });
  });

  it('skips a due check while not in sync: Unknown DriftCheckPending with why, the next check an interval on', async () => {
    const { checks } = fakes();
    const owner = moduleWith({ drift: { lastCheckTime: '2026-11-30T11:30:00Z' } });
    const step = await checks.step(input(owner, applied(), { planDue: true }), ctx);
    assert.equal(step.create, undefined);
    const s = step.status({});
    assert.deepEqual([drifted(s)?.status, drifted(s)?.reason], ['Unknown', 'DriftCheckPending']);
    assert.match(drifted(s)?.message ?? '', /skipped: a new plan is due; next check at/);
    assert.ok(Date.parse(s.drift?.nextCheckTime ?? '') > NOW.getTime());
    assert.ok((step.requeueAfterMs ?? 0) > 0 && (step.requeueAfterMs ?? 0) <= 10 * 60_000);
  });

  it('a finished drifted check: Drifted True with the addresses (data reads left out), one Event and one count', async () => {
    const { checks, events, counted, reads } = fakes();
    const history = applied();
    const check = ex(
      'd1',
      { purpose: 'DriftCheck' },
      { phase: 'Succeeded', completionTime: '2026-11-30T11:50:00Z', plan: { hasChanges: true, change: 1 } },
    );
    const owner = moduleWith({ drift: {} });
    const first = await checks.step(input(owner, [...history, check]), ctx);
    const s = first.status({});
    assert.deepEqual([drifted(s)?.status, drifted(s)?.reason], ['True', 'DriftDetected']);
    assert.deepEqual(s.drift?.resources, ['a.x']);
    // The same state again (the status write not landed yet): no second Event, count or read.
    await checks.step(input(owner, [...history, check]), ctx);
    assert.deepEqual(events, ['Warning DriftDetected']);
    assert.deepEqual(counted, ['drifted']);
    assert.equal(reads(), 1);
    // Once the status names the check, a new process does not count or record it again.
    const fresh = fakes();
    await fresh.checks.step(input(moduleWith(s), [...history, check]), ctx);
    assert.deepEqual([fresh.events, fresh.counted], [[], []]);
  });

  it('a request runs once per value and its check is kept from pruning', async () => {
    const { checks } = fakes();
    const owner = moduleWith({ drift: { lastCheckTime: '2026-11-30T11:55:00Z' } }, { [Annotations.driftCheckRequestedAt]: 'now' });
    const step = await checks.step(input(owner, applied()), ctx);
    assert.equal(step.create?.due.trigger, 'drift/rnow');
    assert.ok(step.keep.includes(step.create?.due.name ?? '-'));
    const waiting = await checks.step(input(owner, applied(), { undecided: applied()[0] }), ctx);
    assert.equal(waiting.create, undefined);
    assert.match(drifted(waiting.status({}))?.message ?? '', /the requested drift check waits: plan p1 waits for approval/);
  });
});
