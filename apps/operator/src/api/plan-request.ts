// The optional body of POST …/{modules|stacks}/{name}/plan (PlanRequest): an ordinary plan, or with
// {"destroy": true} a destroy plan (docs/adr/0007-apply-approval-and-state.md).
import type { PlanRequest } from '@tofu-operator/api-contracts';
import { ApiError, badRequest } from '../http/errors.js';

/**
 * Whether the body asks for a destroy plan. No body (Nest hands over `{}` or undefined) is an
 * ordinary plan; a body that is not an object is a 400; `destroy` that is not a boolean, or a field
 * PlanRequest does not have, is a 422 naming the field.
 */
export function wantsDestroyPlan(body: unknown): boolean {
  if (body === undefined || body === null) return false;
  if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('the body must be a JSON object: {"destroy": true} or none');
  const request = body as Record<string, unknown>;
  const unknown = Object.keys(request).filter((k) => k !== ('destroy' satisfies keyof PlanRequest));
  if (unknown.length > 0) {
    const fields = unknown.map((path) => ({ path, message: 'unknown field: the body has only "destroy"' }));
    throw new ApiError(422, 'Invalid', `unknown field ${unknown.map((k) => JSON.stringify(k)).join(', ')} in the plan request`, fields);
  }
  const destroy = request['destroy'];
  if (destroy === undefined) return false;
  if (typeof destroy !== 'boolean') {
    const message = `destroy must be a boolean, got ${JSON.stringify(destroy)}`;
    throw new ApiError(422, 'Invalid', message, [{ path: 'destroy', message }]);
  }
  return destroy;
}

/**
 * Whether an execution's trigger (its tofu-operator.io/trigger annotation, docs/adr/0002) answers the
 * request recorded as `segment` ("r<requestedAt>" for a plan, "d<requestedAt>" for a destroy plan).
 * The segment may be followed by others: an owner with inputs adds "/i<hash>" (docs/guides/variables.md).
 */
export function triggerAnswersRequest(trigger: string, segment: string): boolean {
  return trigger.split('/').includes(segment);
}
