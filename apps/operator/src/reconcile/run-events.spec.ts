import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Job, Pod } from '@tofu-operator/reconcile-runtime';
import { decidesRun, podDecidesRun } from './run-events.js';

const job = (conditions: { type: string; status: string }[] = [], active = 0): Job => ({ status: { active, conditions } });
const pod = (phase: string, terminated = false): Pod => ({
  status: { phase, containerStatuses: [{ name: 'runner', state: terminated ? { terminated: { exitCode: 0 } } : { running: {} } }] },
});

describe('decidesRun', () => {
  it('a new finishing condition decides the run', () => {
    assert.equal(decidesRun(job([{ type: 'Complete', status: 'True' }]), job()), true);
    assert.equal(decidesRun(job([{ type: 'FailureTarget', status: 'True' }]), job()), true);
    assert.equal(
      decidesRun(
        job([
          { type: 'Failed', status: 'True' },
          { type: 'FailureTarget', status: 'True' },
        ]),
        job([{ type: 'FailureTarget', status: 'True' }]),
      ),
      true,
    );
  });
  it('counts and unrelated or false conditions do not', () => {
    assert.equal(decidesRun(job([], 1), job([], 0)), false);
    assert.equal(decidesRun(job([{ type: 'Suspended', status: 'True' }]), job()), false);
    assert.equal(decidesRun(job([{ type: 'Complete', status: 'False' }]), job()), false);
    assert.equal(decidesRun(job([{ type: 'Complete', status: 'True' }], 0), job([{ type: 'Complete', status: 'True' }], 1)), false);
  });
  it('a new Job is decided only when it arrives finished', () => {
    assert.equal(decidesRun(job(), undefined), false);
    assert.equal(decidesRun(job([{ type: 'Complete', status: 'True' }]), undefined), true);
  });
});

describe('podDecidesRun', () => {
  it('a terminated runner or a finished pod decides the run', () => {
    assert.equal(podDecidesRun(pod('Running', true), pod('Running')), true);
    assert.equal(podDecidesRun(pod('Failed'), pod('Running')), true);
    // Decided once: the phase following a terminated runner changes nothing.
    assert.equal(podDecidesRun(pod('Succeeded', true), pod('Running', true)), false);
  });
  it('scheduling and starting do not', () => {
    assert.equal(podDecidesRun(pod('Running'), pod('Pending')), false);
    assert.equal(podDecidesRun(pod('Pending'), undefined), false);
  });
});
