import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RefusalMessages, referencesOf, requiredAccess } from './reference-checks.js';

const source = {
  repository: 'git://h/r',
  revision: 'main',
  workdir: '.',
  credentialsSecretRef: { name: 'git' },
  webhookSecretRef: { name: 'push' },
};
const everything = {
  source,
  stateEncryption: { keySecretRef: { name: 'pass', key: 'p' } },
  notifications: { webhookSecretRef: { name: 'hooks' } },
  varsFrom: [
    { kind: 'ConfigMap', name: 'vars' },
    { kind: 'Secret', name: 'secret-vars' },
  ],
  outputs: { secretName: 'out' },
  executionTemplate: {
    env: [
      { name: 'A', value: 'literal' },
      { name: 'B', valueFrom: { secretKeyRef: { name: 'token', key: 'k' } } },
      { name: 'C', valueFrom: { configMapKeyRef: { name: 'settings', key: 'k' } } },
    ],
    imagePullSecrets: [{ name: 'pull' }],
  },
};

describe('referencesOf', () => {
  it('names every Secret and ConfigMap a spec references, with its field', () => {
    assert.deepEqual(
      referencesOf(everything).map((r) => `${r.field} ${r.resource}/${r.name}`),
      [
        'spec.source.credentialsSecretRef secrets/git',
        'spec.source.webhookSecretRef secrets/push',
        'spec.stateEncryption.keySecretRef secrets/pass',
        'spec.notifications.webhookSecretRef secrets/hooks',
        'spec.varsFrom[0] configmaps/vars',
        'spec.varsFrom[1] secrets/secret-vars',
        'spec.executionTemplate.env[1].valueFrom.secretKeyRef secrets/token',
        'spec.executionTemplate.env[2].valueFrom.configMapKeyRef configmaps/settings',
        'spec.executionTemplate.imagePullSecrets[0] secrets/pull',
      ],
    );
  });

  it('finds nothing in a spec without references, or in no spec', () => {
    for (const spec of [undefined, null, {}, { source: { repository: 'x' } }, { executionTemplate: { env: [{ name: 'A', value: 'b' }] } }])
      assert.deepEqual(referencesOf(spec), [], JSON.stringify(spec));
  });
});

describe('requiredAccess', () => {
  it('on create: every reference once, the outputs Secret, no pod field for a plain module', () => {
    const access = requiredAccess('TofuModule', { ...everything, varsFrom: [...everything.varsFrom, { kind: 'Secret', name: 'git' }] });
    assert.equal(access.references.length, 9, 'the second mention of Secret "git" is not checked twice');
    assert.equal(access.outputsSecret, 'out');
    assert.deepEqual(access.podFields, []);
    assert.equal(access.ownSource, false);
  });

  it('on update: only what is new; a changed source or moduleRef checks every reference again', () => {
    const added = { ...everything, varsFrom: [...everything.varsFrom, { kind: 'Secret', name: 'new-one' }] };
    assert.deepEqual(
      requiredAccess('TofuModule', added, everything).references.map((r) => r.name),
      ['new-one'],
    );
    assert.deepEqual(requiredAccess('TofuModule', everything, everything), { references: [], podFields: [], ownSource: false });
    const otherRevision = { ...everything, source: { ...source, revision: 'pr-head' } };
    const again = requiredAccess('TofuModule', otherRevision, everything);
    assert.equal(again.references.length, 9);
    assert.equal(again.outputsSecret, 'out');
    const stack = { moduleRef: { name: 'a' }, varsFrom: [{ kind: 'Secret', name: 's' }] };
    assert.deepEqual(requiredAccess('TofuStack', stack, stack).references, []);
    assert.deepEqual(
      requiredAccess('TofuStack', { ...stack, moduleRef: { name: 'b' } }, stack).references.map((r) => r.name),
      ['s'],
    );
  });

  it("compares a source whose workdir was left out with the stored default '.'", () => {
    const { workdir: _w, ...noWorkdir } = source;
    assert.deepEqual(requiredAccess('TofuModule', { source: noWorkdir }, { source }).references, []);
  });

  it('gates the fields that shape the runner pod when set or changed, and env on stacks only', () => {
    const template = {
      image: 'mine',
      serviceAccountName: 'deployer',
      automountServiceAccountToken: true,
      tolerations: [{ operator: 'Exists' }],
      priorityClassName: 'high',
      affinity: {},
      podLabels: { a: 'b' },
      podAnnotations: { a: 'b' },
      nodeSelector: { a: 'b' },
      resources: { limits: { memory: '1Gi' } },
      env: [{ name: 'A', value: 'b' }],
    };
    const gated = [
      'image',
      'serviceAccountName',
      'tolerations',
      'priorityClassName',
      'affinity',
      'podLabels',
      'podAnnotations',
      'automountServiceAccountToken',
    ];
    assert.deepEqual(requiredAccess('TofuModule', { executionTemplate: template }).podFields, gated);
    assert.deepEqual(requiredAccess('TofuStack', { executionTemplate: template }).podFields, [...gated.slice(0, -1), 'env', gated.at(-1)]);
    assert.deepEqual(requiredAccess('TofuModule', { executionTemplate: template }, { executionTemplate: template }).podFields, []);
    assert.deepEqual(
      requiredAccess('TofuModule', { executionTemplate: { ...template, image: 'other' } }, { executionTemplate: template }).podFields,
      ['image'],
    );
    assert.deepEqual(requiredAccess('TofuModule', { executionTemplate: { automountServiceAccountToken: false } }).podFields, []);
  });

  it("gates an execution's own source on create only", () => {
    assert.equal(requiredAccess('TofuExecution', { action: 'plan', moduleRef: { name: 'm' }, source }).ownSource, true);
    assert.equal(requiredAccess('TofuExecution', { action: 'plan', moduleRef: { name: 'm' } }).ownSource, false);
  });
});

describe('RefusalMessages', () => {
  it('name the object, the field and the permission', () => {
    const ref = { resource: 'secrets' as const, name: 's', field: 'spec.varsFrom[0]' };
    assert.equal(
      RefusalMessages.reference('TofuModule ns/m', 'ns', ref),
      'TofuModule ns/m: spec.varsFrom[0] names the Secret "s" that you may not get in the namespace ns',
    );
    assert.match(
      RefusalMessages.podFields('TofuStack ns/s', 'ns', { podFields: ['image', 'env'], ownSource: false }),
      /^TofuStack ns\/s: setting spec\.executionTemplate\.image, spec\.executionTemplate\.env needs the permission to create jobs\.batch in the namespace ns/,
    );
    assert.match(
      RefusalMessages.outputs('TofuStack ns/s', 'ns', 'out'),
      /spec\.outputs\.secretName "out" needs the permission to create secrets/,
    );
  });
});
