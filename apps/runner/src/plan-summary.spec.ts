import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countPlan, outputsChange, planText, summarizePlan, summarizePlanJson } from './plan-summary.js';

/** Trimmed from `tofu show -json` of a real plan: two terraform_data resources to create, one output. */
const twoCreates = {
  format_version: '1.2',
  terraform_version: '1.12.6',
  resource_changes: [
    { address: 'terraform_data.one', mode: 'managed', type: 'terraform_data', name: 'one', change: { actions: ['create'], before: null } },
    { address: 'terraform_data.two', mode: 'managed', type: 'terraform_data', name: 'two', change: { actions: ['create'], before: null } },
  ],
  output_changes: { x: { actions: ['create'], before: null, after_unknown: true } },
  errored: false,
};

/**
 * Trimmed from a real plan over applied state (tofu printed "Plan: 1 to add, 1 to change, 2 to
 * destroy."): a removed resource, an unchanged one, a replacement and an in-place update.
 */
const mixed = {
  format_version: '1.2',
  resource_changes: [
    {
      address: 'terraform_data.gone',
      mode: 'managed',
      change: { actions: ['delete'] },
      action_reason: 'delete_because_no_resource_config',
    },
    { address: 'terraform_data.keep', mode: 'managed', change: { actions: ['no-op'] } },
    {
      address: 'terraform_data.rep',
      mode: 'managed',
      change: { actions: ['delete', 'create'] },
      action_reason: 'replace_because_cannot_update',
    },
    { address: 'terraform_data.upd', mode: 'managed', change: { actions: ['update'] } },
  ],
  output_changes: { o: { actions: ['no-op'], before: 'same', after: 'same' } },
};

/** Trimmed from a real plan of a module with an output and no resources. */
const outputsOnly = {
  format_version: '1.2',
  planned_values: { outputs: { g: { sensitive: false, type: 'string', value: 'hi' } }, root_module: {} },
  output_changes: { g: { actions: ['create'], before: null, after: 'hi' } },
};

describe('summarizePlan', () => {
  it('counts creates', () => {
    assert.deepEqual(summarizePlan(twoCreates), {
      add: 2,
      change: 0,
      destroy: 0,
      hasChanges: true,
      text: 'Plan: 2 to add, 0 to change, 0 to destroy.',
    });
  });

  it('counts a replacement as one add and one destroy, and ignores no-op', () => {
    assert.deepEqual(summarizePlan(mixed), {
      add: 1,
      change: 1,
      destroy: 2,
      hasChanges: true,
      text: 'Plan: 1 to add, 1 to change, 2 to destroy.',
    });
  });

  it('counts create-before-destroy replacements too', () => {
    const plan = { resource_changes: [{ change: { actions: ['create', 'delete'] } }] };
    assert.deepEqual(summarizePlan(plan), {
      add: 1,
      change: 0,
      destroy: 1,
      hasChanges: true,
      text: 'Plan: 1 to add, 0 to change, 1 to destroy.',
    });
  });

  it('ignores data source reads', () => {
    const plan = { resource_changes: [{ mode: 'data', change: { actions: ['read'] } }], output_changes: {} };
    assert.deepEqual(summarizePlan(plan), { add: 0, change: 0, destroy: 0, hasChanges: false, text: 'No changes.' });
  });

  it('reports output-only changes as changes with zero resource counts', () => {
    const summary = summarizePlan(outputsOnly);
    assert.equal(summary.hasChanges, true);
    assert.deepEqual([summary.add, summary.change, summary.destroy], [0, 0, 0]);
    assert.equal(summary.text, 'Plan: 0 to add, 0 to change, 0 to destroy.');
  });

  it('says "No changes." for an empty plan', () => {
    assert.deepEqual(summarizePlan({ format_version: '1.2' }), { add: 0, change: 0, destroy: 0, hasChanges: false, text: 'No changes.' });
  });

  it('treats unchanged outputs as no change', () => {
    const plan = { resource_changes: [{ change: { actions: ['no-op'] } }], output_changes: { a: { actions: ['no-op'] } } };
    assert.equal(summarizePlan(plan).hasChanges, false);
    assert.equal(summarizePlan(plan).text, 'No changes.');
  });

  it('mentions imports and forgets the way tofu does', () => {
    const plan = {
      resource_changes: [
        { change: { actions: ['no-op'], importing: { id: 'abc' } } },
        { change: { actions: ['forget'] } },
        { change: { actions: ['create'] } },
      ],
    };
    const summary = summarizePlan(plan);
    assert.equal(summary.hasChanges, true);
    assert.equal(summary.text, 'Plan: 1 to import, 1 to add, 0 to change, 0 to destroy, 1 to forget.');
  });

  it('refuses what is not a plan', () => {
    assert.throws(() => summarizePlan(null), TypeError);
    assert.throws(() => summarizePlan([]), TypeError);
    assert.throws(() => summarizePlan({ resource_changes: {} }), TypeError);
  });

  it('skips malformed entries instead of failing', () => {
    const plan = {
      resource_changes: [null, 1, { change: null }, { change: { actions: 'create' } }, { change: { actions: ['create', 7] } }],
    };
    assert.deepEqual(countPlan(plan as never), { add: 1, change: 0, destroy: 0, import: 0, forget: 0 });
  });
});

describe('outputsChange', () => {
  it('is true for any action other than no-op', () => {
    assert.equal(outputsChange({ output_changes: { a: { actions: ['update'] } } }), true);
    assert.equal(outputsChange({ output_changes: { a: { actions: ['delete'] } } }), true);
    assert.equal(outputsChange({ output_changes: { a: { actions: ['no-op'] } } }), false);
    assert.equal(outputsChange({}), false);
  });
});

describe('planText', () => {
  it('matches tofu wording', () => {
    assert.equal(planText({ add: 3, change: 2, destroy: 1, import: 0, forget: 0 }), 'Plan: 3 to add, 2 to change, 1 to destroy.');
  });
});

describe('summarizePlanJson', () => {
  it('parses tofu show -json output', () => {
    assert.equal(summarizePlanJson(JSON.stringify(twoCreates)).text, 'Plan: 2 to add, 0 to change, 0 to destroy.');
  });

  it('refuses text that is not JSON', () => {
    assert.throws(() => summarizePlanJson('Error: something'), /did not print JSON/);
  });
});
