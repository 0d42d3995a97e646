import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SENSITIVE_MASK as STORED_MASK, UNKNOWN_VALUE as STORED_UNKNOWN, type PlanDiff } from '@tofu-operator/api-types';
import { diffAction, diffModel, formatValue, SENSITIVE_MASK, shortDigest, UNKNOWN_VALUE } from './plan-diff-model.ts';

describe('diffAction', () => {
  const cases: { actions: string[]; want: ReturnType<typeof diffAction> }[] = [
    { actions: ['create'], want: 'create' },
    { actions: ['update'], want: 'update' },
    { actions: ['delete'], want: 'delete' },
    { actions: ['delete', 'create'], want: 'replace' },
    { actions: ['create', 'delete'], want: 'replace' },
    { actions: ['read'], want: 'read' },
    { actions: ['forget'], want: 'forget' },
    { actions: ['no-op'], want: 'no-op' },
    { actions: [], want: 'no-op' },
  ];
  for (const c of cases) it(`${JSON.stringify(c.actions)} → ${c.want}`, () => assert.equal(diffAction(c.actions), c.want));
});

describe('formatValue', () => {
  const cases: { v: unknown; want: string }[] = [
    { v: 'plain', want: 'plain' },
    { v: SENSITIVE_MASK, want: '(sensitive value)' },
    { v: 3, want: '3' },
    { v: true, want: 'true' },
    { v: null, want: 'null' },
    { v: { a: [1, 'x'] }, want: '{"a":[1,"x"]}' },
    { v: ['a', SENSITIVE_MASK], want: '["a","(sensitive value)"]' },
  ];
  for (const c of cases) it(`${JSON.stringify(c.v)} → ${c.want}`, () => assert.equal(formatValue(c.v), c.want));
});

describe('diffModel', () => {
  it('uses the masks the runner stores (api-types)', () => {
    assert.equal(SENSITIVE_MASK, STORED_MASK);
    assert.equal(UNKNOWN_VALUE, STORED_UNKNOWN);
  });

  const diff: PlanDiff = {
    v: 1,
    resources: [
      {
        address: 'terraform_data.a',
        actions: ['create'],
        attributes: [
          { name: 'input', after: 'hello' },
          { name: 'id', after: UNKNOWN_VALUE, unknown: true },
        ],
        unchanged: 0,
      },
      {
        address: 'module.db.random_password.p',
        actions: ['delete', 'create'],
        actionReason: 'replace_because_cannot_update',
        attributes: [
          { name: 'result', before: SENSITIVE_MASK, after: SENSITIVE_MASK, sensitive: true },
          { name: 'length', before: 16, after: 24, forcesReplacement: true },
        ],
        unchanged: 5,
      },
      { address: 'terraform_data.old', actions: ['delete'], attributes: [{ name: 'input', before: { k: 'v' } }], unchanged: 0 },
      { address: 'terraform_data.b', actions: ['update'], previousAddress: 'terraform_data.c', attributes: [], unchanged: 2 },
    ],
    outputs: [{ name: 'secret', actions: ['create'], after: SENSITIVE_MASK, sensitive: true }],
  };
  const m = diffModel(diff);

  it('keeps the resources in tofu order, one action each, with counts', () => {
    assert.deepEqual(
      m.resources.map((r) => [r.address, r.action]),
      [
        ['terraform_data.a', 'create'],
        ['module.db.random_password.p', 'replace'],
        ['terraform_data.old', 'delete'],
        ['terraform_data.b', 'update'],
      ],
    );
    assert.deepEqual(m.counts, { create: 1, update: 1, delete: 1, replace: 1, read: 0, forget: 0, 'no-op': 0 });
  });

  it('shows a create without a before and a delete without an after', () => {
    assert.deepEqual(m.resources[0]?.attributes[0], {
      name: 'input',
      after: 'hello',
      sensitive: false,
      unknown: false,
      forcesReplacement: false,
    });
    assert.equal('before' in (m.resources[0]?.attributes[0] ?? {}), false);
    assert.deepEqual(m.resources[2]?.attributes[0], {
      name: 'input',
      before: '{"k":"v"}',
      sensitive: false,
      unknown: false,
      forcesReplacement: false,
    });
    assert.equal('after' in (m.resources[2]?.attributes[0] ?? {}), false);
  });

  it('shows sensitive values as the stored mask, never anything else', () => {
    const secret = m.resources[1]?.attributes[0];
    assert.deepEqual([secret?.before, secret?.after, secret?.sensitive], [SENSITIVE_MASK, SENSITIVE_MASK, true]);
    assert.deepEqual(m.outputs, [{ name: 'secret', action: 'create', after: SENSITIVE_MASK, sensitive: true, unknown: false }]);
  });

  it('marks unknown values, forced replacements, reasons and moves', () => {
    assert.equal(m.resources[0]?.attributes[1]?.unknown, true);
    assert.equal(m.resources[0]?.attributes[1]?.after, UNKNOWN_VALUE);
    assert.equal(m.resources[1]?.attributes[1]?.forcesReplacement, true);
    assert.deepEqual([m.resources[1]?.attributes[1]?.before, m.resources[1]?.attributes[1]?.after], ['16', '24']);
    assert.equal(m.resources[1]?.reason, 'replace because cannot update');
    assert.equal(m.resources[1]?.unchanged, 5);
    assert.equal(m.resources[3]?.previousAddress, 'terraform_data.c');
  });

  it('an empty diff has no rows and zero counts', () => {
    const empty = diffModel({ v: 1, resources: [], outputs: [] });
    assert.deepEqual([empty.resources, empty.outputs, empty.counts.create], [[], [], 0]);
  });
});

describe('shortDigest', () => {
  const hex = '0123456789abcdef'.repeat(4);
  it('keeps the algorithm and the first 12 hex digits', () => assert.equal(shortDigest(`sha256:${hex}`), 'sha256:0123456789ab…'));
  it('leaves a short value whole', () => assert.equal(shortDigest('sha256:abc'), 'sha256:abc'));
  it('is empty without a digest', () => assert.equal(shortDigest(undefined), ''));
});
