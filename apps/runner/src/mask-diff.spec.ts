import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SENSITIVE_MASK, type PlanDiff } from '@tofu-operator/api-types';
import { maskPlanDiff, maskValue } from './mask-diff.js';
import { maskingRedactor } from './redact.js';

const SECRET = 'db-pa55word';
const redact = maskingRedactor([SECRET]);

describe('maskValue', () => {
  it('masks leaves equal to or containing a secret, in any form, and redacts keys', () => {
    assert.deepEqual(
      maskValue(
        {
          password: SECRET,
          url: `postgres://app:${SECRET}@db/app`,
          encoded: Buffer.from(SECRET).toString('base64'),
          json: JSON.stringify({ p: SECRET }),
          [SECRET]: 'value under a secret key',
          list: ['keep', SECRET, 3, true, null],
          plain: 'plain',
        },
        redact,
      ),
      {
        password: SENSITIVE_MASK,
        url: SENSITIVE_MASK,
        encoded: SENSITIVE_MASK,
        json: SENSITIVE_MASK,
        '***': 'value under a secret key',
        list: ['keep', SENSITIVE_MASK, 3, true, null],
        plain: 'plain',
      },
    );
  });

  it('masks numbers whose text is a secret, never booleans', () => {
    const r = maskingRedactor(['987654321', 'true']);
    assert.equal(maskValue(987654321, r), SENSITIVE_MASK);
    assert.equal(maskValue(12, r), 12);
    assert.equal(maskValue(true, r), true);
  });
});

describe('maskPlanDiff', () => {
  const diff: PlanDiff = {
    v: 1,
    resources: [
      {
        address: `terraform_data.x["${SECRET}"]`,
        actions: ['update'],
        unchanged: 1,
        attributes: [
          { name: 'input', before: 'old', after: SECRET },
          { name: 'tags', after: { env: 'prod', token: SECRET } },
          { name: 'hidden', after: SENSITIVE_MASK, sensitive: true },
        ],
      },
    ],
    outputs: [{ name: 'conn', actions: ['create'], after: `user:${SECRET}` }],
  };

  it('masks values, marks a wholly masked attribute or output sensitive, and redacts addresses', () => {
    const masked = maskPlanDiff(diff, redact);
    assert.deepEqual(masked, {
      v: 1,
      resources: [
        {
          address: 'terraform_data.x["***"]',
          actions: ['update'],
          unchanged: 1,
          attributes: [
            { name: 'input', before: 'old', sensitive: true, after: SENSITIVE_MASK },
            { name: 'tags', after: { env: 'prod', token: SENSITIVE_MASK } },
            { name: 'hidden', after: SENSITIVE_MASK, sensitive: true },
          ],
        },
      ],
      outputs: [{ name: 'conn', actions: ['create'], sensitive: true, after: SENSITIVE_MASK }],
    });
    assert.ok(!JSON.stringify(masked).includes(SECRET));
  });

  it('changes nothing without secrets', () => {
    assert.deepEqual(maskPlanDiff(diff, maskingRedactor([])), diff);
  });
});
