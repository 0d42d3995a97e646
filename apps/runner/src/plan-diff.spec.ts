import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SENSITIVE_MASK as MASK, UNKNOWN_VALUE as UNKNOWN } from '@tofu-operator/api-types';
import { markUnknown, maskSensitive, planDiff } from './plan-diff.js';

const SECRET = 'hunter2-secret';

describe('maskSensitive', () => {
  const table: [string, unknown, unknown, unknown][] = [
    ['a sensitive string', 'x', true, MASK],
    ['a sensitive null', null, true, MASK],
    ['a sensitive object as a whole', { a: 1 }, true, MASK],
    ['a plain string', 'x', false, 'x'],
    ['no marking', 'x', undefined, 'x'],
    ['one key of an object', { a: SECRET, b: 'plain' }, { a: true }, { a: MASK, b: 'plain' }],
    [
      'nested keys and list elements',
      { input: { a: SECRET, b: 'plain', l: ['x', SECRET] }, id: 'i' },
      { input: { a: true, l: [false, true] } },
      { input: { a: MASK, b: 'plain', l: ['x', MASK] }, id: 'i' },
    ],
    ['objects in a list', [{ k: 'v', s: SECRET }, { k: 'w' }], [{ s: true }, {}], [{ k: 'v', s: MASK }, { k: 'w' }]],
    ['a list marked shorter than it is', ['a', SECRET], [false], ['a', SECRET]],
    ['a primitive marked as an object with a secret (shapes differ)', SECRET, { a: true }, MASK],
    ['an object marked as a list with a secret (shapes differ)', { a: SECRET }, [true], MASK],
    ['an object marked as a list without one', { a: 'x' }, [false], { a: 'x' }],
    ['a marking of an unknown kind', SECRET, 'yes', MASK],
    ['an empty marking', { a: 'x' }, {}, { a: 'x' }],
  ];
  for (const [what, value, marks, expected] of table) {
    it(what, () => assert.deepEqual(maskSensitive(value, marks), expected));
  }
});

describe('markUnknown', () => {
  const table: [string, unknown, unknown, unknown][] = [
    ['a value unknown as a whole (absent)', undefined, true, UNKNOWN],
    ['a known value', 'x', false, 'x'],
    ['a key tofu left out', { id: 'x' }, { output: true }, { id: 'x', output: UNKNOWN }],
    ['a list element', ['a'], [false, true], ['a', UNKNOWN]],
    ['a nested key', { a: { b: 1 } }, { a: { c: true } }, { a: { b: 1, c: UNKNOWN } }],
    ['a marking with nothing unknown', { a: 1 }, { a: false, l: [false] }, { a: 1 }],
    ['a null object with an unknown key', null, { a: true }, { a: UNKNOWN }],
  ];
  for (const [what, value, marks, expected] of table) {
    it(what, () => assert.deepEqual(markUnknown(value, marks), expected));
  }
});

/** Parts of a real `tofu show -json` (OpenTofu 1.12): an update with nested sensitive values. */
const sensitiveUpdate = {
  address: 'terraform_data.a',
  mode: 'managed',
  type: 'terraform_data',
  name: 'a',
  provider_name: 'terraform.io/builtin/terraform',
  change: {
    actions: ['update'],
    before: {
      id: 'f566',
      input: { a: SECRET, b: 'plain', l: ['x', SECRET] },
      output: { a: SECRET, b: 'plain', l: ['x', SECRET] },
      triggers_replace: null,
    },
    after: { id: 'f566', input: { a: SECRET, b: 'plain2', l: ['x', SECRET] }, triggers_replace: null },
    after_unknown: { input: { l: [false, false] }, output: true },
    before_sensitive: { input: { a: true, l: [false, true] }, output: { a: true, l: [false, true] } },
    after_sensitive: { input: { a: true, l: [false, true] }, output: {} },
  },
};

describe('planDiff', () => {
  it('masks nested sensitive values of an update and lists only what changes', () => {
    const diff = planDiff({ resource_changes: [sensitiveUpdate], variables: { pw: { value: SECRET } }, prior_state: { x: SECRET } });
    assert.deepEqual(diff, {
      v: 1,
      resources: [
        {
          address: 'terraform_data.a',
          mode: 'managed',
          type: 'terraform_data',
          name: 'a',
          provider: 'terraform.io/builtin/terraform',
          actions: ['update'],
          attributes: [
            { name: 'input', before: { a: MASK, b: 'plain', l: ['x', MASK] }, after: { a: MASK, b: 'plain2', l: ['x', MASK] } },
            { name: 'output', before: { a: MASK, b: 'plain', l: ['x', MASK] }, after: UNKNOWN, unknown: true },
          ],
          unchanged: 2,
        },
      ],
      outputs: [],
    });
    assert.ok(!JSON.stringify(diff).includes(SECRET));
  });

  it('lists a changed sensitive attribute although both sides read the same masked', () => {
    const rc = {
      address: 'x.y',
      change: {
        actions: ['update'],
        before: { password: 'old-secret-value', name: 'n' },
        after: { password: 'new-secret-value', name: 'n' },
        before_sensitive: { password: true },
        after_sensitive: { password: true },
      },
    };
    assert.deepEqual(planDiff({ resource_changes: [rc] }).resources[0]?.attributes, [
      { name: 'password', before: MASK, after: MASK, sensitive: true },
    ]);
  });

  it('shows a create with the attributes it sets, unknown ones marked', () => {
    const rc = {
      address: 'terraform_data.b',
      change: {
        actions: ['create'],
        before: null,
        after: { input: 'b', triggers_replace: null },
        after_unknown: { id: true, output: true },
        before_sensitive: false,
        after_sensitive: {},
      },
    };
    assert.deepEqual(planDiff({ resource_changes: [rc] }).resources[0], {
      address: 'terraform_data.b',
      actions: ['create'],
      attributes: [
        { name: 'id', after: UNKNOWN, unknown: true },
        { name: 'input', after: 'b' },
        { name: 'output', after: UNKNOWN, unknown: true },
      ],
      unchanged: 0,
    });
  });

  it('shows a delete with the attributes it had, a wholly sensitive resource masked', () => {
    const rc = {
      address: 'x.gone',
      action_reason: 'delete_because_no_resource_config',
      change: {
        actions: ['delete'],
        before: { id: 'i', key: SECRET, empty: null },
        after: null,
        before_sensitive: true,
        after_sensitive: false,
      },
    };
    const [r] = planDiff({ resource_changes: [rc] }).resources;
    assert.equal(r?.actionReason, 'delete_because_no_resource_config');
    assert.deepEqual(r?.attributes, [
      { name: 'id', before: MASK, sensitive: true },
      { name: 'key', before: MASK, sensitive: true },
    ]);
  });

  it('marks what forces a replacement, and the move and import details', () => {
    const rc = {
      address: 'x.new',
      previous_address: 'x.old',
      action_reason: 'replace_because_cannot_update',
      change: {
        actions: ['delete', 'create'],
        before: { id: 'a', zone: 'z1' },
        after: { zone: 'z2' },
        after_unknown: { id: true },
        replace_paths: [['zone']],
        importing: { id: 'imp-1' },
      },
    };
    const [r] = planDiff({ resource_changes: [rc] }).resources;
    assert.equal(r?.previousAddress, 'x.old');
    assert.equal(r?.importingId, 'imp-1');
    assert.deepEqual(r?.attributes, [
      { name: 'id', before: 'a', after: UNKNOWN, unknown: true },
      { name: 'zone', before: 'z1', after: 'z2', forcesReplacement: true },
    ]);
  });

  it('leaves out no-op resources and outputs, masks sensitive outputs', () => {
    const diff = planDiff({
      resource_changes: [{ address: 'x.same', change: { actions: ['no-op'], before: { a: 1 }, after: { a: 1 } } }],
      output_changes: {
        same: { actions: ['no-op'], before: 'v', after: 'v' },
        token: { actions: ['update'], before: SECRET, after: 'other-secret', before_sensitive: true, after_sensitive: true },
        id: { actions: ['create'], before: null, after: null, after_unknown: true, before_sensitive: false, after_sensitive: false },
        old: { actions: ['delete'], before: 'gone', after: null },
      },
    });
    assert.deepEqual(diff.resources, []);
    assert.deepEqual(diff.outputs, [
      { name: 'token', actions: ['update'], before: MASK, after: MASK, sensitive: true },
      { name: 'id', actions: ['create'], after: UNKNOWN, unknown: true },
      { name: 'old', actions: ['delete'], before: 'gone' },
    ]);
  });

  it('refuses what is not a plan', () => {
    assert.throws(() => planDiff([]), TypeError);
    assert.deepEqual(planDiff({}), { v: 1, resources: [], outputs: [] });
  });
});
