import { isVariableName, tofuModuleCrd, tofuStackCrd, validateSchema, type JSONSchemaProps } from '@tofu-operator/api-types';
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

/** The spec fields of continuous reconciliation (issue 13), by kind: the source's polling fields and the owner's own. */
const CONTINUOUS_FIELDS: Record<string, { path: string[]; schema: JSONSchemaProps | undefined }[]> = Object.fromEntries(
  [tofuModuleCrd, tofuStackCrd].map((crd) => {
    const props = crd.spec.properties ?? {};
    const source = props['source']?.properties ?? {};
    return [
      crd.kind,
      [
        ...(props['source'] ? ['pollInterval', 'webhookSecretRef'].map((f) => ({ path: ['source', f], schema: source[f] })) : []),
        ...['driftDetection', 'notifications'].map((f) => ({ path: [f], schema: props[f] })),
      ],
    ];
  }),
);

/**
 * Problems of spec.source.pollInterval, spec.source.webhookSecretRef, spec.driftDetection and
 * spec.notifications against the CRD schema, with the CEL rules that have a JavaScript twin
 * (FieldRules.pollInterval, FieldRules.driftInterval): the API server would refuse the same, but the
 * caller gets every field path in one answer.
 */
export function continuousFieldErrors(kind: string, spec: unknown): FieldError[] {
  if (!isRecord(spec)) return [];
  const out: FieldError[] = [];
  for (const { path, schema } of CONTINUOUS_FIELDS[kind] ?? []) {
    let value: unknown = spec;
    for (const key of path) value = isRecord(value) ? value[key] : undefined;
    if (value === undefined || !schema) continue;
    out.push(
      ...validateSchema(value, schema, `spec.${path.join('.')}`, { rules: true }).map((v) => ({
        path: v.path,
        message: `Invalid value: ${v.message}`,
      })),
    );
  }
  return out;
}

/** Throws 422 Invalid naming each bad spec.variables key and each bad continuous reconciliation field. */
export function checkOwnerSpec(kind: string, name: string, spec: unknown): void {
  const fields = [...variableKeyErrors(spec), ...continuousFieldErrors(kind, spec)];
  if (fields.length === 0) return;
  const what = fields.map((f) => `${f.path}: ${f.message}`).join(', ');
  throw new ApiError(422, 'Invalid', `${kind} "${name}" is invalid: ${what}`, fields);
}
