import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TofuModule, TofuStack } from '@tofu-operator/api-types';
import { applyContinuous, continuousFormFrom, validateContinuous, type ContinuousForm } from './continuous-form.ts';

const empty = continuousFormFrom();
const form = (f: Partial<ContinuousForm>): ContinuousForm => ({ ...empty, ...f });

describe('validateContinuous', () => {
  it('accepts an empty form and the operator defaults', () => {
    assert.deepEqual(validateContinuous(empty, 'modules'), {});
    assert.deepEqual(validateContinuous(form({ drift: true }), 'stacks'), {});
    assert.deepEqual(validateContinuous(form({ pollInterval: '0', drift: true, driftInterval: '1h30m' }), 'modules'), {});
  });
  it('checks durations with the CRD rules (10s..24h or 0; 1m..720h)', () => {
    const errors = validateContinuous(form({ pollInterval: '5s', drift: true, driftInterval: '721h' }), 'modules');
    assert.match(errors['spec.source.pollInterval'] ?? '', /between 10s and 24h, or "0" for off/);
    assert.match(errors['spec.driftDetection.interval'] ?? '', /between 1m and 720h/);
    assert.match(validateContinuous(form({ pollInterval: 'soon' }), 'modules')['spec.source.pollInterval'] ?? '', /duration/);
  });
  it('needs a Secret name for a key, and for notifications', () => {
    assert.equal(
      validateContinuous(form({ webhookKey: 'token' }), 'modules')['spec.source.webhookSecretRef'],
      'choose the Secret the key is in',
    );
    assert.equal(validateContinuous(form({ notify: true }), 'stacks')['spec.notifications.webhookSecretRef'], 'choose a Secret');
    assert.ok(validateContinuous(form({ notify: true, notifySecret: 'Bad_Name' }), 'stacks')['spec.notifications.webhookSecretRef']);
  });
  it('ignores source fields for stacks', () => {
    assert.deepEqual(validateContinuous(form({ pollInterval: 'x' }), 'stacks'), {});
  });
});

describe('applyContinuous and continuousFormFrom', () => {
  const spec: TofuModule['spec'] = { source: { repository: 'https://e/r.git', pollInterval: '1m', webhookSecretRef: { name: 'old' } } };
  it('writes what the form sets and removes what it leaves empty', () => {
    const out = applyContinuous(
      spec,
      form({
        pollInterval: '',
        webhookSecret: 'hook',
        webhookKey: '',
        drift: true,
        driftInterval: '2h',
        driftMode: 'Approve',
        notify: true,
        notifySecret: 'notify',
        notifyKey: 'url',
        notifyEvents: ['Drifted', 'RunFailed'],
      }),
      'modules',
    );
    assert.deepEqual(out, {
      source: { repository: 'https://e/r.git', webhookSecretRef: { name: 'hook' } },
      driftDetection: { interval: '2h', mode: 'Approve' },
      notifications: { webhookSecretRef: { name: 'notify', key: 'url' }, events: ['RunFailed', 'Drifted'] },
    });
    assert.deepEqual(applyContinuous(out, empty, 'modules'), { source: { repository: 'https://e/r.git' } });
  });
  it('round-trips a stack', () => {
    const s: TofuStack = {
      apiVersion: 'tofu-operator.io/v1alpha1',
      kind: 'TofuStack',
      metadata: { name: 's' },
      spec: { moduleRef: { name: 'm' }, driftDetection: { mode: 'Detect' }, notifications: { webhookSecretRef: { name: 'n' } } },
    };
    const f = continuousFormFrom(s);
    assert.equal(f.drift, true);
    assert.equal(f.driftMode, 'Detect');
    assert.deepEqual(applyContinuous(s.spec, f, 'stacks'), s.spec);
  });
});
