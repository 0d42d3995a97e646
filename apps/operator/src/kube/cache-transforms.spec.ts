import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerState, Job, KubeClient, KubeObject, Logger, Pod } from '@tofu-operator/reconcile-runtime';
import type { OperatorConfig } from '../config/operator-config.js';
import { finishedJobConditions } from '../execution/finished.js';
import { newestPod, podFinished, runnerStarted, runnerTerminated } from '../execution/runner-pod.js';
import { deriveRun } from '../reconcile/execution-status.js';
import { cacheTransforms, jobForCache, podForCache, withoutManagedFields } from './cache-transforms.js';
import { ClusterCache } from './cluster-cache.js';

const managedFields = [{ manager: 'kube-controller-manager', operation: 'Update', fieldsV1: { 'f:status': { 'f:active': {} } } }];
const owner = (kind: string, name: string, uid: string) => [
  { apiVersion: 'x/v1', kind, name, uid, controller: true, blockOwnerDeletion: true },
];
const RESULT = '{"v":1,"ok":true,"summary":{"add":1,"change":0,"destroy":0,"hasChanges":true,"text":"1 to add"},"planDigest":"sha256:ab"}';

/** A runner Job as the API server sends it to a watch (managedFields, pod template, counters). */
function fullJob(status: Job['status'] = {}, deletionTimestamp?: string): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: 'plan-1',
      namespace: 'team',
      uid: 'job-uid',
      resourceVersion: '42',
      generation: 1,
      creationTimestamp: '2026-11-30T15:17:20Z',
      labels: { 'app.kubernetes.io/component': 'runner', 'tofu-operator.io/execution': 'plan-1' },
      annotations: { note: 'kept nowhere' },
      finalizers: ['batch.kubernetes.io/job-tracking'],
      ownerReferences: owner('TofuExecution', 'plan-1', 'exec-uid'),
      ...(deletionTimestamp ? { deletionTimestamp } : {}),
      managedFields,
    } as Job['metadata'],
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: 600,
      template: {
        metadata: { labels: { a: 'b' } },
        spec: { containers: [{ name: 'runner', image: 'runner:1', env: [{ name: 'TF_VAR_x', value: 'plain' }] }], restartPolicy: 'Never' },
      },
    },
    status: { active: 1, ready: 0, startTime: '2026-11-30T15:17:20Z', ...status },
  };
}

/** A runner Pod as the API server sends it (managedFields, spec, container details the operator never reads). */
function fullPod(
  state: ContainerState,
  more: Partial<NonNullable<Pod['status']>> = {},
  name = 'plan-1-abcde',
  created = '2026-11-30T15:17:21Z',
): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      generateName: 'plan-1-',
      namespace: 'team',
      uid: `${name}-uid`,
      resourceVersion: '43',
      creationTimestamp: created,
      labels: { 'tofu-operator.io/execution': 'plan-1', 'job-name': 'plan-1' },
      annotations: { 'cni.example/ip': '10.0.0.1' },
      ownerReferences: owner('Job', 'plan-1', 'job-uid'),
      managedFields,
    } as Pod['metadata'],
    spec: { containers: [{ name: 'runner', image: 'runner:1' }], nodeName: 'node-1', volumes: [{ name: 'workspace', emptyDir: {} }] },
    status: {
      phase: 'Running',
      startTime: '2026-11-30T15:17:22Z',
      conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-11-30T15:17:21Z' }],
      containerStatuses: [
        {
          name: 'runner',
          ready: true,
          restartCount: 0,
          state,
          lastState: {},
          ...{
            image: 'runner:1',
            imageID: 'sha256:1',
            containerID: 'containerd://1',
            volumeMounts: [{ name: 'workspace', mountPath: '/w' }],
          },
        },
      ],
      ...{ hostIP: '10.88.0.1', podIP: '10.88.9.83', qosClass: 'BestEffort' },
      ...more,
    },
  };
}

const condition = (type: string, reason?: string, message?: string) => ({
  type,
  status: 'True',
  lastTransitionTime: '2026-11-30T15:18:05Z',
  ...(reason ? { reason } : {}),
  ...(message ? { message } : {}),
});
const terminated = (exitCode: number, reason: string, message?: string): ContainerState => ({
  terminated: { exitCode, reason, startedAt: '2026-11-30T15:17:23Z', finishedAt: '2026-11-30T15:18:04Z', ...(message ? { message } : {}) },
});

describe('cache transforms', () => {
  it('withoutManagedFields drops metadata.managedFields only (annotations, labels, spec and status stay), and copies', () => {
    const obj = {
      apiVersion: 'v1',
      kind: 'X',
      metadata: { name: 'a', annotations: { k: 'v' }, managedFields },
      spec: { s: 1 },
      status: { t: 2 },
    };
    const out = withoutManagedFields(obj);
    assert.deepEqual(out, {
      apiVersion: 'v1',
      kind: 'X',
      metadata: { name: 'a', annotations: { k: 'v' } },
      spec: { s: 1 },
      status: { t: 2 },
    });
    assert.equal(obj.metadata.managedFields, managedFields, 'the input is not changed');
    const plain: KubeObject = { metadata: { name: 'b' } };
    assert.equal(withoutManagedFields(plain), plain, 'nothing to drop: the same object');
    assert.deepEqual(withoutManagedFields({ kind: 'NoMeta' }), { kind: 'NoMeta' });
  });

  it('jobForCache keeps exactly the fields the operator reads', () => {
    const job = fullJob({ conditions: [condition('Complete')], completionTime: '2026-11-30T15:18:06Z' }, '2026-11-30T15:19:00Z');
    assert.deepEqual(jobForCache(job), {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: 'plan-1',
        namespace: 'team',
        uid: 'job-uid',
        resourceVersion: '42',
        deletionTimestamp: '2026-11-30T15:19:00Z',
        ownerReferences: owner('TofuExecution', 'plan-1', 'exec-uid'),
      },
      spec: { activeDeadlineSeconds: 600 },
      status: { conditions: [condition('Complete')], completionTime: '2026-11-30T15:18:06Z' },
    });
    assert.ok(job.spec?.template, 'the input keeps its template');
    assert.deepEqual(jobForCache({ metadata: { name: 'bare' } }), { apiVersion: undefined, kind: undefined, metadata: { name: 'bare' } });
  });

  it('podForCache keeps exactly the fields the operator reads (no spec; the runner container by name and state)', () => {
    const pod = fullPod(terminated(0, 'Completed', RESULT), { phase: 'Succeeded' });
    assert.deepEqual(podForCache(pod), {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'plan-1-abcde',
        namespace: 'team',
        resourceVersion: '43',
        creationTimestamp: '2026-11-30T15:17:21Z',
        labels: { 'tofu-operator.io/execution': 'plan-1', 'job-name': 'plan-1' },
        ownerReferences: owner('Job', 'plan-1', 'job-uid'),
      },
      status: {
        phase: 'Succeeded',
        startTime: '2026-11-30T15:17:22Z',
        conditions: [{ type: 'PodScheduled', status: 'True' }],
        containerStatuses: [{ name: 'runner', state: terminated(0, 'Completed', RESULT) }],
      },
    });
    const restarted = fullPod({ waiting: { reason: 'CrashLoopBackOff', message: 'back-off' } }, {});
    restarted.status!.containerStatuses![0]!.lastState = { terminated: { exitCode: 137, reason: 'OOMKilled', containerID: 'c' } as never };
    assert.deepEqual(podForCache(restarted).status?.containerStatuses, [
      {
        name: 'runner',
        state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off' } },
        lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } },
      },
    ]);
  });

  // The readers (deriveRun, runner-pod, finished) decide the same on the trimmed objects as on whole ones.
  const scenarios: [string, Job, Pod[]][] = [
    ['no pod yet', fullJob(), []],
    ['creating', fullJob(), [fullPod({ waiting: { reason: 'ContainerCreating' } }, { phase: 'Pending', startTime: undefined })]],
    ['image pull failing', fullJob(), [fullPod({ waiting: { reason: 'ErrImageNeverPull', message: 'never pull' } }, { phase: 'Pending' })]],
    [
      'image pull retrying',
      fullJob(),
      [fullPod({ waiting: { reason: 'ImagePullBackOff', message: 'back-off pulling' } }, { phase: 'Pending' })],
    ],
    ['running', fullJob(), [fullPod({ running: { startedAt: '2026-11-30T15:17:23Z' } })]],
    ['runner terminated, Job not yet decided', fullJob(), [fullPod(terminated(0, 'Completed', RESULT))]],
    [
      'succeeded (newest of two pods)',
      fullJob({ conditions: [condition('SuccessCriteriaMet'), condition('Complete')], completionTime: '2026-11-30T15:18:06Z' }),
      [
        fullPod(terminated(0, 'Completed', RESULT), { phase: 'Succeeded' }, 'plan-1-new', '2026-11-30T15:17:30Z'),
        fullPod(terminated(1, 'Error'), { phase: 'Failed' }),
      ],
    ],
    [
      'runner failed with a result',
      fullJob({ conditions: [condition('Failed', 'BackoffLimitExceeded')] }),
      [fullPod(terminated(1, 'Error', '{"v":1,"ok":false,"message":"no such workdir","category":"WorkdirMissing"}'), { phase: 'Failed' })],
    ],
    [
      'OOMKilled',
      fullJob({ conditions: [condition('FailureTarget', 'PodFailurePolicy')] }),
      [fullPod(terminated(137, 'OOMKilled'), { phase: 'Failed' })],
    ],
    [
      'deadline, never scheduled',
      fullJob({ conditions: [condition('Failed', 'DeadlineExceeded', 'Job was active longer than specified deadline')] }),
      [
        fullPod(
          {},
          {
            phase: 'Pending',
            conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available' }],
          },
        ),
      ],
    ],
    [
      'deadline while running',
      fullJob({ conditions: [condition('Failed', 'DeadlineExceeded')] }),
      [fullPod({ running: { startedAt: '2026-11-30T15:17:23Z' } })],
    ],
    ['failed without a pod', fullJob({ conditions: [condition('Failed', 'PodFailurePolicy', 'evicted')] }), []],
  ];
  for (const [name, job, pods] of scenarios) {
    it(`readers decide the same on trimmed objects: ${name}`, () => {
      const now = new Date('2026-11-30T15:20:00Z');
      const trimmedPods = pods.map(podForCache);
      assert.deepEqual(deriveRun({ job: jobForCache(job), pods: trimmedPods, now }), deriveRun({ job, pods, now }));
      assert.deepEqual(finishedJobConditions(jobForCache(job)), finishedJobConditions(job));
      assert.equal(newestPod(trimmedPods)?.metadata?.name, newestPod(pods)?.metadata?.name);
      for (const f of [runnerStarted, runnerTerminated, podFinished])
        assert.deepEqual(
          trimmedPods.map((p) => f(p)),
          pods.map((p) => f(p)),
          f.name,
        );
    });
  }

  it('cacheTransforms(false) leaves every cache whole (TOFU_OPERATOR_CACHE_TRANSFORM=false)', () => {
    assert.deepEqual(cacheTransforms(false), { whole: undefined, job: undefined, pod: undefined });
    // On: the trimmed objects, equal to what the functions above give (their strings shared).
    const on = cacheTransforms(true);
    const obj = { apiVersion: 'v1', kind: 'X', metadata: { name: 'a', managedFields }, spec: { s: 'x' } };
    assert.deepEqual(on.whole?.(structuredClone(obj)), withoutManagedFields(obj));
    const job = fullJob({ conditions: [{ type: 'Complete', status: 'True' }] });
    assert.deepEqual(on.job?.(structuredClone(job)), jobForCache(job));
    const pod = fullPod(terminated(0, 'Completed', RESULT), { phase: 'Succeeded' });
    assert.deepEqual(on.pod?.(structuredClone(pod)), podForCache(pod));
  });

  for (const cacheTransform of [true, false]) {
    it(`ClusterCache stores what the transforms keep (cacheTransform ${cacheTransform})`, async () => {
      const listed: Record<string, KubeObject[]> = {
        tofustacks: [
          {
            metadata: { name: 's', namespace: 'team', annotations: { a: '1' }, managedFields } as KubeObject['metadata'],
            spec: { x: 1 },
          } as KubeObject,
        ],
        jobs: [fullJob()],
        pods: [fullPod({ running: {} })],
        secrets: [{ metadata: { name: 'sec', namespace: 'team', managedFields } as KubeObject['metadata'] }],
      };
      const client = {
        list: (rt: { plural: string }) =>
          Promise.resolve({ items: structuredClone(listed[rt.plural] ?? []), metadata: { resourceVersion: '1' } }),
        watch: (_p: string, _q: unknown, _on: unknown, signal: AbortSignal) =>
          new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true })),
      } as unknown as KubeClient;
      const log = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as unknown as Logger;
      const cache = new ClusterCache(client, log, { watchNamespace: 'team', cacheTransform } as OperatorConfig);
      cache.start();
      await cache.waitForSync();
      const stack = cache.stacks.get('team', 's') as KubeObject & { spec?: unknown };
      assert.deepEqual(stack.metadata?.annotations, { a: '1' }, 'annotations always stay');
      assert.deepEqual(stack.spec, { x: 1 });
      for (const o of [stack, cache.secrets.get('team', 'sec'), cache.jobs.get('team', 'plan-1'), cache.pods.get('team', 'plan-1-abcde')])
        assert.equal('managedFields' in (o?.metadata ?? {}), !cacheTransform);
      assert.equal(Boolean((cache.jobs.get('team', 'plan-1') as Job).spec?.template), !cacheTransform);
      assert.equal(Boolean(cache.pods.get('team', 'plan-1-abcde')?.status?.containerStatuses?.[0]?.ready), !cacheTransform);
      assert.equal(cache.pods.byIndex('ownerUid', 'job-uid').length, 1, 'the pod index works on the trimmed pod');
      await cache.stop();
    });
  }
});
