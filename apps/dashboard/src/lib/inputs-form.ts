/**
 * The inputs part of the module and stack forms (issue 12): typed variables, varsFrom references,
 * varFiles, the outputs Secret and, for stacks, dependsOn and inputsFrom. Pure: a form starts from an
 * object, is validated with the same rules as the operator (isVariableName, object names, the CRD's
 * limits), and becomes the spec fields of the request body.
 */
import {
  isVariableName,
  MAX_VARIABLES,
  tofuModuleCrd,
  validateSchema,
  type JSONSchemaProps,
  type StackOutputInput,
  type TofuModule,
  type TofuStack,
  type VarsFromKind,
  type VarsFromSource,
} from '@tofu-operator/api-types';
import { checkObjectName, type FieldErrors } from './validation.ts';

/** How a variable's value is typed in the form. */
export type VarType = 'string' | 'number' | 'bool' | 'json';

export interface VarRow {
  name: string;
  type: VarType;
  /** As typed: the string itself, a number, `true`/`false`, or JSON text. */
  value: string;
}

export interface VarsFromRow {
  kind: VarsFromKind;
  name: string;
  optional: boolean;
}

export interface InputsFromRow {
  stack: string;
  output: string;
  variable: string;
}

export interface InputsForm {
  variables: VarRow[];
  varsFrom: VarsFromRow[];
  /** Paths, one per line. */
  varFiles: string;
  outputsSecretName: string;
  /** Stacks only. */
  dependsOn: string[];
  inputsFrom: InputsFromRow[];
}

/** The row of one stored value: its type guessed from the JSON value. */
export function varRow(name: string, value: unknown): VarRow {
  if (typeof value === 'string') return { name, type: 'string', value };
  if (typeof value === 'number') return { name, type: 'number', value: String(value) };
  if (typeof value === 'boolean') return { name, type: 'bool', value: String(value) };
  return { name, type: 'json', value: JSON.stringify(value) };
}

/** Parses a row's value by its type; `error` says what is wrong, for the row. */
export function parseVarValue(row: Pick<VarRow, 'type' | 'value'>): { value?: unknown; error?: string } {
  const text = row.value;
  switch (row.type) {
    case 'string':
      return { value: text };
    case 'number': {
      const t = text.trim();
      if (t === '' || !/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t) || !Number.isFinite(Number(t))) return { error: 'not a number' };
      return { value: Number(t) };
    }
    case 'bool':
      if (text.trim() === 'true') return { value: true };
      if (text.trim() === 'false') return { value: false };
      return { error: 'true or false' };
    case 'json':
      try {
        return { value: JSON.parse(text) as unknown };
      } catch (err) {
        return { error: `not JSON: ${err instanceof Error ? err.message : String(err)}` };
      }
  }
}

type Owner = TofuModule | TofuStack;

export function inputsFormFrom(o?: Owner): InputsForm {
  const spec = o?.spec;
  const stack = o && o.kind === 'TofuStack' ? o.spec : undefined;
  return {
    variables: Object.entries((spec?.variables ?? {}) as Record<string, unknown>).map(([k, v]) => varRow(k, v)),
    varsFrom: (spec?.varsFrom ?? []).map((s) => ({ kind: s.kind, name: s.name, optional: s.optional ?? false })),
    varFiles: (spec?.varFiles ?? []).join('\n'),
    outputsSecretName: spec?.outputs?.secretName ?? '',
    dependsOn: (stack?.dependsOn ?? []).map((d) => d.name),
    inputsFrom: (stack?.inputsFrom ?? []).map((i) => ({ stack: i.stackRef.name, output: i.output, variable: i.variable })),
  };
}

const lines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

/** The CRD's schema of spec.varFiles and spec.varsFrom (a stack's are the same). */
const specSchema = (key: string): JSONSchemaProps | undefined => tofuModuleCrd.spec.properties?.[key];

/** A varFile path, checked with the CRD's own rules (relative, inside the workdir). */
function checkVarFile(path: string): string | undefined {
  const schema = specSchema('varFiles')?.items;
  const problem = schema ? validateSchema(path, schema, '', { rules: true })[0]?.message : undefined;
  return problem ? `"${path}": ${problem}` : undefined;
}

/**
 * Errors by field path: `spec.variables[i]` for a row (name or value), `spec.variables` for the
 * whole map, `spec.varsFrom[i]`, `spec.varFiles`, `spec.outputs.secretName`, `spec.dependsOn`,
 * `spec.inputsFrom[i]`. `self` is the stack's own name (a stack cannot depend on itself).
 */
export function validateInputs(f: InputsForm, kind: 'modules' | 'stacks', self = ''): FieldErrors {
  const errors: FieldErrors = {};
  const seen = new Set<string>();
  f.variables.forEach((row, i) => {
    const name = row.name.trim();
    const problem =
      name === ''
        ? 'a name is required'
        : !isVariableName(name)
          ? `"${name}" is not a variable name (a letter or "_", then letters, digits, "_" or "-")`
          : seen.has(name)
            ? `"${name}" is set twice`
            : parseVarValue(row).error;
    seen.add(name);
    if (problem) errors[`spec.variables[${i}]`] = problem;
  });
  if (f.variables.length > MAX_VARIABLES) errors['spec.variables'] = `at most ${MAX_VARIABLES} variables`;
  f.varsFrom.forEach((row, i) => {
    const problem = checkObjectName(row.name.trim());
    if (problem) errors[`spec.varsFrom[${i}]`] = `${row.kind} name: ${problem}`;
  });
  const files = lines(f.varFiles);
  const maxFiles = specSchema('varFiles')?.maxItems;
  const badFile = maxFiles !== undefined && files.length > maxFiles ? `at most ${maxFiles} files` : files.map(checkVarFile).find(Boolean);
  if (badFile) errors['spec.varFiles'] = badFile;
  const maxSources = specSchema('varsFrom')?.maxItems;
  if (maxSources !== undefined && f.varsFrom.length > maxSources) errors['spec.varsFrom'] = `at most ${maxSources} sources`;
  if (f.outputsSecretName.trim()) {
    const problem = checkObjectName(f.outputsSecretName.trim());
    if (problem) errors['spec.outputs.secretName'] = problem;
  }
  if (kind === 'stacks') {
    if (self && f.dependsOn.includes(self)) errors['spec.dependsOn'] = 'a stack cannot depend on itself';
    f.inputsFrom.forEach((row, i) => {
      const problem =
        row.stack === ''
          ? 'choose a stack'
          : row.stack === self && self
            ? 'a stack cannot read its own outputs'
            : row.output.trim() === ''
              ? 'an output name is required'
              : !isVariableName(row.variable.trim())
                ? `"${row.variable}" is not a variable name`
                : undefined;
      if (problem) errors[`spec.inputsFrom[${i}]`] = problem;
    });
  }
  return errors;
}

/**
 * The spec with the form's inputs: fields left empty are removed, so a form that never touched them
 * sends the spec as it was. Call only with a form validateInputs accepted.
 */
export function applyInputs<S extends object>(spec: S, f: InputsForm, kind: 'modules' | 'stacks'): S {
  const out = { ...spec } as Record<string, unknown>;
  const put = (key: string, value: unknown, empty: boolean) => {
    if (empty) delete out[key];
    else out[key] = value;
  };
  const variables = Object.fromEntries(f.variables.map((r) => [r.name.trim(), parseVarValue(r).value]));
  put('variables', variables, f.variables.length === 0);
  const varsFrom: VarsFromSource[] = f.varsFrom.map((r) => ({
    kind: r.kind,
    name: r.name.trim(),
    ...(r.optional ? { optional: true } : {}),
  }));
  put('varsFrom', varsFrom, varsFrom.length === 0);
  const files = lines(f.varFiles);
  put('varFiles', files, files.length === 0);
  const secretName = f.outputsSecretName.trim();
  put('outputs', { ...(out['outputs'] as object | undefined), secretName }, secretName === '');
  if (kind === 'stacks') {
    const deps = [...new Set(f.dependsOn)].map((name) => ({ name }));
    put('dependsOn', deps, deps.length === 0);
    const inputs: StackOutputInput[] = f.inputsFrom.map((r) => ({
      stackRef: { name: r.stack },
      output: r.output.trim(),
      variable: r.variable.trim(),
    }));
    put('inputsFrom', inputs, inputs.length === 0);
  }
  return out as S;
}
