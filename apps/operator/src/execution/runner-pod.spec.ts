import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerState, Pod } from '@tofu-operator/reconcile-runtime';
import { newestPod, RUNNER_CONTAINER, runnerStarted, runnerTerminated } from './runner-pod.js';

const pod = (phase: string, state?: ContainerState, container = RUNNER_CONTAINER): Pod => ({
  status: { phase, containerStatuses: state ? [{ name: container, state }] : [] },
});

describe('runner container facts', () => {
  const table: [string, Pod | undefined, { started: boolean; terminated: boolean }][] = [
    ['no pod', undefined, { started: false, terminated: false }],
    ['pending, no container status', pod('Pending'), { started: false, terminated: false }],
    ['waiting', pod('Pending', { waiting: { reason: 'ContainerCreating' } }), { started: false, terminated: false }],
    ['running', pod('Running', { running: { startedAt: '2024-01-01T00:00:00Z' } }), { started: true, terminated: false }],
    ['terminated', pod('Running', { terminated: { exitCode: 0 } }), { started: true, terminated: true }],
    ['pod failed before the runner started', pod('Failed'), { started: false, terminated: true }],
    ['pod succeeded', pod('Succeeded', { terminated: { exitCode: 0 } }), { started: true, terminated: true }],
    ['another container running', pod('Running', { running: {} }, 'sidecar'), { started: false, terminated: false }],
  ];
  for (const [what, p, expected] of table) {
    it(what, () => {
      assert.equal(runnerStarted(p), expected.started);
      assert.equal(runnerTerminated(p), expected.terminated);
    });
  }
});

describe('newestPod', () => {
  it('picks the most recently created pod', () => {
    const at = (name: string, creationTimestamp: string): Pod => ({ metadata: { name, creationTimestamp } });
    assert.equal(
      newestPod([at('a', '2024-01-01T00:00:01Z'), at('b', '2024-01-01T00:00:03Z'), at('c', '2024-01-01T00:00:02Z')])?.metadata?.name,
      'b',
    );
    assert.equal(newestPod([]), undefined);
  });
});
