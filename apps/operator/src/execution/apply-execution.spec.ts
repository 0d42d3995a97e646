import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Annotations, type TofuExecution } from '@tofu-operator/api-types';
import { applyExecutionFor, applyNameFor, NotApplicableError } from './apply-execution.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const COMMIT = 'c'.repeat(40);
const OWNER = {
  apiVersion: 'tofu-operator.io/v1alpha1',
  kind: 'TofuStack',
  name: 'web',
  uid: 'u-stack',
  controller: true,
  blockOwnerDeletion: true,
};

function plan(over: Partial<TofuExecution['spec']> = {}, name = 'web-abc'): TofuExecution {
  return {
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuExecution',
    metadata: {
      name,
      namespace: 'team',
      uid: 'u-plan',
      labels: { 'tofu-operator.io/stack': 'web', 'tofu-operator.io/module': 'net' },
      annotations: { [Annotations.trigger]: 'g1', [Annotations.approve]: DIGEST },
      ownerReferences: [OWNER],
    },
    spec: {
      action: 'plan',
      moduleRef: { name: 'net' },
      stackRef: { name: 'web' },
      source: { repository: 'https://git.example/r.git', revision: 'main', workdir: 'infra' },
      executionTemplate: { image: 'runner:1' },
      ...over,
    },
    status: { phase: 'Succeeded', plan: { digest: DIGEST, commit: COMMIT, hasChanges: true, add: 1 } },
  };
}

describe('applyExecutionFor', () => {
  it('carries out the plan: same refs, labels, owner and template, the plan commit, planRef with the digest', () => {
    const now = new Date('2026-01-02T03:04:05.678Z');
    const apply = applyExecutionFor(plan(), 'alice', now);
    assert.equal(apply.metadata.name, 'web-abc-apply');
    assert.equal(apply.metadata.namespace, 'team');
    assert.deepEqual(apply.metadata.labels, { 'tofu-operator.io/stack': 'web', 'tofu-operator.io/module': 'net' });
    assert.deepEqual(apply.metadata.ownerReferences, [OWNER]);
    assert.deepEqual(apply.metadata.annotations, {
      [Annotations.createdAt]: '2026-01-02T03:04:05.678Z',
      [Annotations.approvedBy]: 'alice',
    });
    assert.deepEqual(apply.spec, {
      action: 'apply',
      moduleRef: { name: 'net' },
      stackRef: { name: 'web' },
      source: { repository: 'https://git.example/r.git', revision: COMMIT, workdir: 'infra' },
      executionTemplate: { image: 'runner:1' },
      planRef: { name: 'web-abc', digest: DIGEST },
    });
  });

  it('makes a destroy execution for a destroy plan, without approved-by when nobody approved', () => {
    const apply = applyExecutionFor(plan({ destroy: true }));
    assert.equal(apply.spec.action, 'destroy');
    assert.equal(apply.metadata.name, 'web-abc-destroy');
    assert.equal(apply.metadata.annotations?.[Annotations.approvedBy], undefined);
  });

  it('uses the resolved source and template of a hand-made plan', () => {
    const p = plan({ source: undefined, executionTemplate: undefined });
    p.status!.resolved = { source: { repository: 'https://git.example/o.git', workdir: '.' }, executionTemplate: { image: 'r:2' } };
    const apply = applyExecutionFor(p);
    assert.deepEqual(apply.spec.source, { repository: 'https://git.example/o.git', workdir: '.', revision: COMMIT });
    assert.deepEqual(apply.spec.executionTemplate, { image: 'r:2' });
  });

  it('raises a ttlSecondsAfterFinished stored below the minimum, which the API server would refuse in a new object', () => {
    const apply = applyExecutionFor(plan({ executionTemplate: { image: 'runner:1', ttlSecondsAfterFinished: 0 } }));
    assert.deepEqual(apply.spec.executionTemplate, { image: 'runner:1', ttlSecondsAfterFinished: 60 });
  });

  it('refuses a plan without digest, commit or source', () => {
    const noDigest = plan();
    delete noDigest.status!.plan!.digest;
    assert.throws(() => applyExecutionFor(noDigest), NotApplicableError);
    const noCommit = plan();
    delete noCommit.status!.plan!.commit;
    assert.throws(() => applyExecutionFor(noCommit), /status\.plan\.commit/);
    assert.throws(() => applyExecutionFor(plan({ source: undefined })), /no source/);
  });
});

describe('applyNameFor', () => {
  it('keeps a long name within 63 characters, deterministic and distinct per plan', () => {
    const a = applyNameFor(plan({}, 'x'.repeat(70)));
    const b = applyNameFor(plan({}, `${'x'.repeat(69)}y`));
    assert.ok(a.length <= 63 && a.endsWith('-apply'), a);
    assert.equal(a, applyNameFor(plan({}, 'x'.repeat(70))));
    assert.notEqual(a, b);
    assert.match(a, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });

  it('is <plan>-apply when that fits exactly', () => {
    const name = 'p'.repeat(57);
    assert.equal(applyNameFor(plan({}, name)), `${name}-apply`);
  });
});
