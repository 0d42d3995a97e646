import { isVariableName } from '@tofu-operator/api-types';
import type { FieldError } from '@tofu-operator/api-contracts';
import { ApiError } from '../http/errors.js';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The spec.variables keys that are not variable names. The CRD schema cannot check them (a CEL rule
 * cannot see a map of free-form values), so the API does before the write, as the operator does after.
 */
export function variableKeyErrors(spec: unknown): FieldError[] {
  if (!isRecord(spec) || !isRecord(spec['variables'])) return [];
  return Object.keys(spec['variables'])
    .filter((key) => !isVariableName(key))
    .map((key) => ({
      path: `spec.variables.${key}`,
      message: 'Invalid value: not a variable name (a letter or underscore, then letters, digits, underscores or dashes; at most 128)',
    }));
}

/** Throws 422 Invalid naming each bad spec.variables key; nothing when the spec has none. */
export function checkOwnerSpec(kind: string, name: string, spec: unknown): void {
  const fields = variableKeyErrors(spec);
  if (fields.length === 0) return;
  const what = fields.map((f) => `${f.path}: ${f.message}`).join(', ');
  throw new ApiError(422, 'Invalid', `${kind} "${name}" is invalid: ${what}`, fields);
}
