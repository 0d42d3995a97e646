import type { ApproveRequest } from '@tofu-operator/api-contracts';

/** The JSON schema of ApproveRequest (the body of approve and reject), for the OpenAPI document. */
export const approveRequestSchema: { [keyword: string]: unknown } = {
  type: 'object',
  description: 'The plan a decision is about, by the digest of the saved plan that was reviewed.',
  properties: {
    planDigest: {
      type: 'string',
      description: "The plan's `status.plan.digest`: `sha256:` and 64 lowercase hex digits.",
      pattern: '^sha256:[0-9a-f]{64}$',
    },
  } satisfies Record<keyof ApproveRequest, unknown>,
  required: ['planDigest'],
  additionalProperties: false,
};
