import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { API_GROUP_VERSION, Reason, type Condition, type RunnerResult, type TofuExecution } from '@tofu-operator/api-types';
import type { ContainerState, Job, JobCondition, Pod, PodCondition } from '@tofu-operator/reconcile-runtime';
import { RUNNER_CONTAINER } from '../execution/runner-pod.js';
import { deriveRun, executionStatusFor, planRecordOf, trimMessage, type DerivedRun, type RunObservation } from './execution-status.js';

const NOW = new Date('2024-03-01T12:00:00.456Z');
const NOW_TEXT = '2024-03-01T12:00:00Z';
const STARTED = '2024-03-01T11:59:00Z';
const FINISHED = '2024-03-01T11:59:30Z';

function job(conditions: JobCondition[] = [], extra: { completionTime?: string; activeDeadlineSeconds?: number } = {}): Job {
  return {
    metadata: { name: 'web-abc', namespace: 'ns' },
    spec: { activeDeadlineSeconds: extra.activeDeadlineSeconds ?? 3600, template: { spec: { containers: [] } } },
    status: { conditions, ...(extra.completionTime ? { completionTime: extra.completionTime } : {}) },
  };
}

function pod(
  opts: {
    name?: string;
    created?: string;
    state?: ContainerState;
    lastState?: ContainerState;
    conditions?: PodCondition[];
    startTime?: string;
  } = {},
): Pod {
  return {
    metadata: { name: opts.name ?? 'web-abc-xyz', creationTimestamp: opts.created ?? '2024-03-01T11:58:00Z' },
    status: {
      ...(opts.startTime ? { startTime: opts.startTime } : {}),
      conditions: opts.conditions ?? [],
      containerStatuses:
        opts.state || opts.lastState
          ? [
              {
                name: RUNNER_CONTAINER,
                ...(opts.state ? { state: opts.state } : {}),
                ...(opts.lastState ? { lastState: opts.lastState } : {}),
              },
            ]
          : [],
    },
  };
}

function terminated(exitCode: number, message?: object | string, reason?: string): ContainerState {
  return {
    terminated: {
      exitCode,
      startedAt: STARTED,
      finishedAt: FINISHED,
      ...(reason ? { reason } : {}),
      ...(message !== undefined ? { message: typeof message === 'string' ? message : JSON.stringify(message) } : {}),
    },
  };
}

const unschedulable: PodCondition = {
  type: 'PodScheduled',
  status: 'False',
  reason: 'Unschedulable',
  message: '0/3 nodes are available: 3 Insufficient memory.',
};
const complete: JobCondition = { type: 'Complete', status: 'True', lastTransitionTime: '2024-03-01T11:59:31Z' };
const failedAt = '2024-03-01T11:59:40Z';
const failed = (reason: string, message = ''): JobCondition => ({
  type: 'Failed',
  status: 'True',
  reason,
  message,
  lastTransitionTime: failedAt,
});

const okResult: RunnerResult = {
  v: 1,
  ok: true,
  summary: { add: 2, change: 0, destroy: 1, hasChanges: true, text: 'Plan: 2 to add, 0 to change, 1 to destroy.' },
  commit: 'abc123',
};

describe('deriveRun', () => {
  const table: { name: string; obs: Omit<RunObservation, 'now'>; expected: DerivedRun }[] = [
    {
      name: 'no Job yet: Pending',
      obs: { pods: [] },
      expected: { phase: 'Pending', reason: Reason.Pending, message: 'creating the Job' },
    },
    {
      name: 'the Job is gone: Failed JobDeleted',
      obs: { jobGone: true, pods: [] },
      expected: {
        phase: 'Failed',
        reason: Reason.JobDeleted,
        message: 'the Job was deleted before the run finished; it is not re-run automatically (request a new plan)',
        failureCategory: Reason.JobDeleted,
        completionTime: NOW_TEXT,
      },
    },
    {
      name: 'Complete with a runner result: Succeeded with the summary',
      obs: { job: job([complete], { completionTime: '2024-03-01T11:59:32Z' }), pods: [pod({ state: terminated(0, okResult) })] },
      expected: {
        phase: 'Succeeded',
        reason: Reason.Succeeded,
        message: 'Plan: 2 to add, 0 to change, 1 to destroy.',
        summary: okResult.summary,
        podName: 'web-abc-xyz',
        startTime: STARTED,
        commit: 'abc123',
        completionTime: '2024-03-01T11:59:32Z',
      },
    },
    {
      name: 'Complete without a runner result: Succeeded, completion from the condition',
      obs: { job: job([complete]), pods: [pod({ state: terminated(0, 'not json') })] },
      expected: {
        phase: 'Succeeded',
        reason: Reason.Succeeded,
        message: 'the plan finished',
        summary: undefined,
        podName: 'web-abc-xyz',
        startTime: STARTED,
        completionTime: complete.lastTransitionTime,
      },
    },
    {
      name: 'Complete without pods or times: completion now',
      obs: { job: job([{ type: 'Complete', status: 'True' }]), pods: [] },
      expected: {
        phase: 'Succeeded',
        reason: Reason.Succeeded,
        message: 'the plan finished',
        summary: undefined,
        podName: undefined,
        startTime: undefined,
        completionTime: NOW_TEXT,
      },
    },
    {
      name: 'Failed with DeadlineExceeded: DeadlineExceeded',
      obs: {
        job: job([failed('DeadlineExceeded', 'Job was active longer than specified deadline')], { activeDeadlineSeconds: 600 }),
        pods: [pod({ state: terminated(143, undefined, 'Error') })],
      },
      expected: {
        phase: 'Failed',
        reason: Reason.DeadlineExceeded,
        message: 'the run exceeded activeDeadlineSeconds (600s) and was stopped',
        failureCategory: Reason.DeadlineExceeded,
        podName: 'web-abc-xyz',
        startTime: STARTED,
        completionTime: failedAt,
      },
    },
    {
      name: 'Failed with DeadlineExceeded and the pod never scheduled: Unschedulable',
      obs: {
        job: job([failed('DeadlineExceeded')], { activeDeadlineSeconds: 600 }),
        pods: [pod({ conditions: [unschedulable] })],
      },
      expected: {
        phase: 'Failed',
        reason: Reason.Unschedulable,
        message: 'the runner pod was never scheduled before the deadline (600s): 0/3 nodes are available: 3 Insufficient memory.',
        failureCategory: Reason.Unschedulable,
        podName: 'web-abc-xyz',
        startTime: undefined,
        completionTime: failedAt,
      },
    },
    {
      name: 'Failed after OOMKilled: OOMKilled',
      obs: { job: job([failed('BackoffLimitExceeded')]), pods: [pod({ state: terminated(137, undefined, 'OOMKilled') })] },
      expected: {
        phase: 'Failed',
        reason: Reason.OOMKilled,
        message:
          'the runner container was killed for exceeding its memory limit (OOMKilled); raise executionTemplate.resources.limits.memory',
        failureCategory: Reason.OOMKilled,
        podName: 'web-abc-xyz',
        startTime: STARTED,
        completionTime: failedAt,
      },
    },
    {
      name: 'Failed with a runner result ok:false: RunnerFailed with its category and message',
      obs: {
        job: job([failed('BackoffLimitExceeded')]),
        pods: [pod({ state: terminated(1, { v: 1, ok: false, category: 'RevisionNotFound', message: 'revision "nope" not found' }) })],
      },
      expected: {
        phase: 'Failed',
        reason: Reason.RunnerFailed,
        message: 'revision "nope" not found',
        failureCategory: 'RevisionNotFound',
        podName: 'web-abc-xyz',
        startTime: STARTED,
        completionTime: failedAt,
      },
    },
    {
      name: 'Failed after the clone: the commit it failed on (status.commit)',
      obs: {
        job: job([failed('BackoffLimitExceeded')]),
        pods: [pod({ state: terminated(1, { v: 1, ok: false, category: 'PlanFailed', message: 'syntax error', commit: 'abc123' }) })],
      },
      expected: {
        phase: 'Failed',
        reason: Reason.RunnerFailed,
        message: 'syntax error',
        failureCategory: 'PlanFailed',
        podName: 'web-abc-xyz',
        startTime: STARTED,
        commit: 'abc123',
        completionTime: failedAt,
      },
    },
    {
      name: 'Failed with a bare runner result ok:false: RunnerFailed with defaults',
      obs: { job: job([failed('BackoffLimitExceeded')]), pods: [pod({ state: terminated(1, { v: 1, ok: false }) })] },
      expected: {
        phase: 'Failed',
        reason: Reason.RunnerFailed,
        message: 'the runner failed',
        failureCategory: Reason.RunnerFailed,
        podName: 'web-abc-xyz',
        startTime: STARTED,
        completionTime: failedAt,
      },
    },
    {
      name: 'FailureTarget counts as failed',
      obs: {
        job: job([{ type: 'FailureTarget', status: 'True', reason: 'BackoffLimitExceeded' }]),
        pods: [pod({ state: terminated(2, 'panic: boom', 'Error') })],
      },
      expected: {
        phase: 'Failed',
        reason: Reason.JobFailed,
        message: 'the runner exited with code 2 (Error): panic: boom',
        failureCategory: Reason.JobFailed,
        podName: 'web-abc-xyz',
        startTime: STARTED,
        completionTime: FINISHED,
      },
    },
    {
      name: 'Failed without a pod: JobFailed with the Job condition',
      obs: { job: job([failed('BackoffLimitExceeded', 'Job has reached the specified backoff limit')]), pods: [] },
      expected: {
        phase: 'Failed',
        reason: Reason.JobFailed,
        message: 'the Job failed: BackoffLimitExceeded Job has reached the specified backoff limit',
        failureCategory: Reason.JobFailed,
        podName: undefined,
        startTime: undefined,
        completionTime: failedAt,
      },
    },
    {
      name: 'waiting ErrImageNeverPull: Failed ImagePullFailed',
      obs: {
        job: job(),
        pods: [
          pod({
            state: {
              waiting: { reason: 'ErrImageNeverPull', message: 'Container image "runner:1" is not present with pull policy of Never' },
            },
          }),
        ],
      },
      expected: {
        phase: 'Failed',
        reason: Reason.ImagePullFailed,
        message: 'the runner image cannot be used (ErrImageNeverPull): Container image "runner:1" is not present with pull policy of Never',
        failureCategory: Reason.ImagePullFailed,
        podName: 'web-abc-xyz',
        startTime: undefined,
        completionTime: NOW_TEXT,
      },
    },
    {
      name: 'running container: Running with its start time',
      obs: { job: job(), pods: [pod({ state: { running: { startedAt: STARTED } }, startTime: '2024-03-01T11:58:30Z' })] },
      expected: { phase: 'Running', reason: Reason.Running, message: 'tofu is running', podName: 'web-abc-xyz', startTime: STARTED },
    },
    {
      name: 'terminated container before the Job condition: still Running',
      obs: { job: job(), pods: [pod({ state: terminated(0, okResult) })] },
      expected: {
        phase: 'Running',
        reason: Reason.Running,
        message: 'tofu is running',
        podName: 'web-abc-xyz',
        startTime: STARTED,
        commit: 'abc123',
      },
    },
    {
      name: 'PodScheduled False Unschedulable: Pending Unschedulable',
      obs: { job: job(), pods: [pod({ conditions: [unschedulable] })] },
      expected: {
        phase: 'Pending',
        reason: Reason.Unschedulable,
        message: 'the runner pod cannot be scheduled: 0/3 nodes are available: 3 Insufficient memory.',
        podName: 'web-abc-xyz',
        startTime: undefined,
      },
    },
    {
      name: 'waiting for another reason: Pending with it',
      obs: { job: job(), pods: [pod({ state: { waiting: { reason: 'CreateContainerConfigError', message: 'secret "s" not found' } } })] },
      expected: {
        phase: 'Pending',
        reason: Reason.Pending,
        message: 'the runner container is waiting: CreateContainerConfigError: secret "s" not found',
        podName: 'web-abc-xyz',
        startTime: undefined,
      },
    },
    {
      name: 'ContainerCreating: Pending, starting',
      obs: { job: job(), pods: [pod({ state: { waiting: { reason: 'ContainerCreating' } } })] },
      expected: {
        phase: 'Pending',
        reason: Reason.Pending,
        message: 'the runner pod is starting',
        podName: 'web-abc-xyz',
        startTime: undefined,
      },
    },
    {
      name: 'Job without pods: Pending, waiting for the pod',
      obs: { job: job(), pods: [] },
      expected: {
        phase: 'Pending',
        reason: Reason.Pending,
        message: 'waiting for the Job controller to create the runner pod',
        podName: undefined,
        startTime: undefined,
      },
    },
  ];

  for (const { name, obs, expected } of table) {
    it(name, () => {
      assert.deepEqual(deriveRun({ ...obs, now: NOW }), expected);
    });
  }

  const permanentPulls: { reason: string; message?: string }[] = [
    { reason: 'InvalidImageName' },
    { reason: 'ErrImageNeverPull', message: 'Container image "runner:1" is not present with pull policy of Never' },
    { reason: 'ErrImagePull', message: 'rpc error: code = NotFound desc = failed to pull and unpack image "r/x:1": not found' },
    { reason: 'ErrImagePull', message: 'failed to resolve reference "r/x:1": r/x:1: manifest unknown' },
    { reason: 'ErrImagePull', message: 'pull access denied, repository does not exist or may require authorization' },
    { reason: 'ErrImagePull', message: 'failed to authorize: 401 Unauthorized' },
    { reason: 'ErrImagePull', message: 'dial tcp: lookup registry.example: no such host' },
  ];
  for (const { reason, message } of permanentPulls) {
    it(`waiting ${reason} (${message ?? 'no message'}): Failed ImagePullFailed`, () => {
      const run = deriveRun({ job: job(), pods: [pod({ state: { waiting: { reason, ...(message ? { message } : {}) } } })], now: NOW });
      assert.equal(run.phase, 'Failed');
      assert.equal(run.reason, Reason.ImagePullFailed);
      assert.equal(run.failureCategory, Reason.ImagePullFailed);
      assert.match(run.message, new RegExp(`\\(${reason}\\)`));
    });
  }

  const transientPulls: { reason: string; message?: string }[] = [
    { reason: 'ErrImagePull', message: 'failed to do request: Head "https://r/v2/x/manifests/1": dial tcp 10.0.0.1:443: i/o timeout' },
    { reason: 'ErrImagePull', message: 'unexpected status code 503 Service Unavailable' },
    { reason: 'ErrImagePull', message: 'toomanyrequests: 429 Too Many Requests' },
    { reason: 'ErrImagePull' },
    { reason: 'ImagePullBackOff', message: 'Back-off pulling image "r/x:1"' },
  ];
  for (const { reason, message } of transientPulls) {
    it(`waiting ${reason} (${message ?? 'no message'}): Pending ImagePullRetrying until the deadline`, () => {
      const run = deriveRun({ job: job(), pods: [pod({ state: { waiting: { reason, ...(message ? { message } : {}) } } })], now: NOW });
      assert.equal(run.phase, 'Pending');
      assert.equal(run.reason, Reason.ImagePullRetrying);
      assert.equal(run.failureCategory, undefined);
      assert.match(run.message, new RegExp(`\\(${reason}`));
      assert.match(run.message, /retries until the run's deadline/);
    });
  }

  it('prefers OOMKilled over DeadlineExceeded', () => {
    const run = deriveRun({
      job: job([failed('DeadlineExceeded')]),
      pods: [pod({ state: terminated(137, undefined, 'OOMKilled') })],
      now: NOW,
    });
    assert.equal(run.reason, Reason.OOMKilled);
  });

  it('reads the runner result from lastState when the state has none', () => {
    const run = deriveRun({
      job: job([complete]),
      pods: [pod({ state: { waiting: { reason: 'ContainerCreating' } }, lastState: terminated(0, okResult) })],
      now: NOW,
    });
    assert.equal(run.phase, 'Succeeded');
    assert.deepEqual(run.summary, okResult.summary);
  });

  it('looks at the newest pod', () => {
    const old = pod({ name: 'old', created: '2024-03-01T11:00:00Z', state: terminated(1, 'old failure', 'Error') });
    const fresh = pod({ name: 'new', created: '2024-03-01T11:30:00Z', state: { running: { startedAt: STARTED } } });
    for (const pods of [
      [old, fresh],
      [fresh, old],
    ]) {
      const run = deriveRun({ job: job(), pods, now: NOW });
      assert.equal(run.podName, 'new');
      assert.equal(run.phase, 'Running');
    }
  });

  it('ignores containers other than the runner', () => {
    const p = pod();
    p.status!.containerStatuses = [{ name: 'sidecar', state: { running: { startedAt: STARTED } } }];
    assert.equal(deriveRun({ job: job(), pods: [p], now: NOW }).phase, 'Pending');
  });

  it('trims very long failure messages', () => {
    const long = 'x'.repeat(10_000);
    const run = deriveRun({
      job: job([failed('BackoffLimitExceeded')]),
      pods: [pod({ state: terminated(1, { v: 1, ok: false, category: 'PlanFailed', message: long }) })],
      now: NOW,
    });
    assert.equal(run.message.length, 4000);
    assert.ok(run.message.endsWith('…'));
  });
});

describe('trimMessage', () => {
  const table: { text: string; max?: number; expected: string }[] = [
    { text: '  short  ', expected: 'short' },
    { text: 'abcdef', max: 6, expected: 'abcdef' },
    { text: 'abcdefg', max: 6, expected: 'abcde…' },
  ];
  for (const { text, max, expected } of table) {
    it(`trims ${JSON.stringify(text)} to ${JSON.stringify(expected)}`, () => {
      assert.equal(trimMessage(text, max), expected);
    });
  }
});

describe('executionStatusFor', () => {
  function execution(status?: TofuExecution['status'], generation = 3): TofuExecution {
    return {
      apiVersion: API_GROUP_VERSION,
      kind: 'TofuExecution',
      metadata: { name: 'web-abc', namespace: 'ns', generation },
      spec: { action: 'plan' },
      ...(status ? { status } : {}),
    };
  }
  const cond = (list: Condition[] | undefined, type: string) => list?.find((c) => c.type === type);

  const table: { phase: DerivedRun['phase']; ready: Condition['status']; reconciling: Condition['status'] }[] = [
    { phase: 'Pending', ready: 'Unknown', reconciling: 'True' },
    { phase: 'Running', ready: 'Unknown', reconciling: 'True' },
    { phase: 'Succeeded', ready: 'True', reconciling: 'False' },
    { phase: 'Failed', ready: 'False', reconciling: 'False' },
  ];
  for (const { phase, ready, reconciling } of table) {
    it(`${phase}: Ready ${ready}, Reconciling ${reconciling}`, () => {
      const run: DerivedRun = { phase, reason: Reason.Running, message: 'the message' };
      const status = executionStatusFor(execution(), 'web-abc', run, NOW);
      assert.equal(status.phase, phase);
      assert.equal(status.observedGeneration, 3);
      assert.equal(status.message, 'the message');
      assert.deepEqual(cond(status.conditions, 'Ready'), {
        type: 'Ready',
        status: ready,
        reason: Reason.Running,
        message: 'the message',
        observedGeneration: 3,
        lastTransitionTime: NOW_TEXT,
      });
      const rec = cond(status.conditions, 'Reconciling');
      assert.equal(rec?.status, reconciling);
      assert.equal(rec?.observedGeneration, 3);
      assert.equal(rec?.message, reconciling === 'False' ? 'the run has finished' : 'the message');
    });
  }

  it('copies the run details and the Job name into the status', () => {
    const run: DerivedRun = {
      phase: 'Succeeded',
      reason: Reason.Succeeded,
      message: 'No changes.',
      podName: 'web-abc-xyz',
      startTime: STARTED,
      completionTime: FINISHED,
      summary: { hasChanges: false, text: 'No changes.' },
      commit: 'abc123',
    };
    const status = executionStatusFor(execution(), 'web-abc', run, NOW);
    assert.equal(status.jobName, 'web-abc');
    assert.equal(status.podName, 'web-abc-xyz');
    assert.equal(status.commit, 'abc123');
    assert.equal(status.startTime, STARTED);
    assert.equal(status.completionTime, FINISHED);
    assert.deepEqual(status.summary, { hasChanges: false, text: 'No changes.' });
    assert.equal('failureCategory' in status, false);
  });

  it('keeps fields of the previous status the run does not set', () => {
    const prev: TofuExecution['status'] = {
      jobName: 'old-job',
      podName: 'old-pod',
      resolved: { source: { repository: 'r' } },
      failureCategory: 'PlanFailed',
    };
    const status = executionStatusFor(execution(prev), undefined, { phase: 'Running', reason: Reason.Running, message: 'm' }, NOW);
    assert.equal(status.jobName, 'old-job');
    assert.equal(status.podName, 'old-pod');
    assert.deepEqual(status.resolved, { source: { repository: 'r' } });
    assert.equal('failureCategory' in status, false, 'a stale failure category is dropped');
  });

  it('sets failureCategory on failure', () => {
    const run: DerivedRun = { phase: 'Failed', reason: Reason.RunnerFailed, message: 'm', failureCategory: 'PlanFailed' };
    assert.equal(executionStatusFor(execution(), 'j', run, NOW).failureCategory, 'PlanFailed');
  });

  it('keeps lastTransitionTime while the condition status stays the same', () => {
    const earlier = new Date('2024-03-01T11:00:00Z');
    const first = executionStatusFor(execution(), 'j', { phase: 'Pending', reason: Reason.Pending, message: 'a' }, earlier);
    const second = executionStatusFor(execution(first), 'j', { phase: 'Running', reason: Reason.Running, message: 'b' }, NOW);
    assert.equal(cond(second.conditions, 'Ready')?.lastTransitionTime, '2024-03-01T11:00:00Z');
    assert.equal(cond(second.conditions, 'Reconciling')?.lastTransitionTime, '2024-03-01T11:00:00Z');
    const third = executionStatusFor(execution(second), 'j', { phase: 'Succeeded', reason: Reason.Succeeded, message: 'c' }, NOW);
    assert.equal(cond(third.conditions, 'Ready')?.lastTransitionTime, NOW_TEXT);
    assert.deepEqual(
      third.conditions?.map((c) => c.type),
      ['Ready', 'Reconciling'],
    );
  });

  it('a finished plan with a stored plan says whether it waits for approval (AwaitingApproval)', () => {
    const digest = `sha256:${'d'.repeat(64)}`;
    const done = (hasChanges: boolean) =>
      executionStatusFor(
        execution(),
        'j',
        { phase: 'Succeeded', reason: Reason.Succeeded, message: 'm', plan: { digest, hasChanges } },
        NOW,
      );
    const waiting = cond(done(true).conditions, 'AwaitingApproval');
    assert.equal(waiting?.status, 'True');
    assert.equal(waiting?.reason, 'PlanWaiting');
    assert.match(waiting?.message ?? '', /sha256:d{64}/);
    const nothing = cond(done(false).conditions, 'AwaitingApproval');
    assert.equal(nothing?.status, 'False');
    assert.equal(nothing?.reason, 'NoChanges');
    const running = executionStatusFor(execution(), 'j', { phase: 'Running', reason: Reason.Running, message: 'm' }, NOW);
    assert.equal(cond(running.conditions, 'AwaitingApproval'), undefined);
  });

  it('records a stored plan (status.plan) and an apply summary (status.apply)', () => {
    const plan = { digest: `sha256:${'d'.repeat(64)}`, commit: 'c1', hasChanges: true, add: 1 };
    const apply = { add: 1, change: 0, destroy: 0, text: 'Apply complete! Resources: 1 added, 0 changed, 0 destroyed.' };
    const status = executionStatusFor(execution(), 'j', { phase: 'Succeeded', reason: Reason.Succeeded, message: 'm', plan, apply }, NOW);
    assert.deepEqual(status.plan, plan);
    assert.deepEqual(status.apply, apply);
  });

  it('does not modify the execution', () => {
    const ex = execution({ phase: 'Running', conditions: [] });
    const before = structuredClone(ex);
    executionStatusFor(ex, 'j', { phase: 'Failed', reason: Reason.JobFailed, message: 'm', failureCategory: 'JobFailed' }, NOW);
    assert.deepEqual(ex, before);
  });
});

describe('planRecordOf and deriveRun with a stored plan or an apply', () => {
  const digest = `sha256:${'e'.repeat(64)}`;
  it('takes digest, commit, hasChanges and counts from a stored plan result', () => {
    assert.deepEqual(planRecordOf({ ...okResult, planDigest: digest }), {
      digest,
      commit: 'abc123',
      hasChanges: true,
      add: 2,
      change: 0,
      destroy: 1,
    });
  });

  it('records no plan without a digest (a plan that was not stored cannot be approved)', () => {
    assert.equal(planRecordOf(okResult), undefined);
    assert.equal(planRecordOf(undefined), undefined);
  });

  it('a plan with no changes says so', () => {
    const none: RunnerResult = { v: 1, ok: true, planDigest: digest, summary: { hasChanges: false, text: 'No changes.' } };
    assert.deepEqual(planRecordOf(none), { digest, hasChanges: false });
  });

  it('an apply result gives status.apply and its text as the message', () => {
    const apply = { add: 1, change: 0, destroy: 0, text: 'Apply complete! Resources: 1 added, 0 changed, 0 destroyed.' };
    const run = deriveRun({ job: job([complete]), pods: [pod({ state: terminated(0, { v: 1, ok: true, apply }) })], now: NOW });
    assert.equal(run.phase, 'Succeeded');
    assert.deepEqual(run.apply, apply);
    assert.equal(run.message, apply.text);
    assert.equal(run.plan, undefined);
  });
});
