/**
 * Client-side validation of the module and stack forms with the CRD schema itself
 * (libs/api-types/src/crds: lengths, ranges, and the CEL rules through their JavaScript twins), so
 * most mistakes are shown before a request and no rule is written twice. Errors are keyed by the
 * field path the API uses in `ErrorBody.fields` (`spec.source.repository`), so the API's own field
 * errors land next to the same inputs.
 */
import { objectName, tofuModuleCrd, validateSchema, type JSONSchemaProps } from '@tofu-operator/api-types';

/** Field path -> message. */
export type FieldErrors = Record<string, string>;

/** What the module and stack forms edit (strings as typed; empty means "not set"). */
export interface TemplateFields {
  image: string;
  activeDeadlineSeconds: string;
  historyLimit: string;
  /** `NAME=value`, one per line. */
  env: string;
}

export interface ModuleForm extends TemplateFields {
  name: string;
  repository: string;
  revision: string;
  workdir: string;
}

export interface StackForm extends TemplateFields {
  name: string;
  module: string;
}

export const NAME_PATH = 'metadata.name';

/** The CRD's schema of a field below TofuModule.spec (a stack's template and history fields are the same). */
function specField(...path: string[]): JSONSchemaProps {
  let schema: JSONSchemaProps | undefined = tofuModuleCrd.spec;
  for (const key of path) schema = key === '[]' ? schema?.items : schema?.properties?.[key];
  if (!schema) throw new Error(`the TofuModule schema has no field spec.${path.join('.')}`);
  return schema;
}

const Fields = {
  /** Object names are not in the CRD (the API server checks metadata.name); references to them are. */
  name: objectName('An object name.'),
  repository: specField('source', 'repository'),
  revision: specField('source', 'revision'),
  workdir: specField('source', 'workdir'),
  image: specField('executionTemplate', 'image'),
  activeDeadlineSeconds: specField('executionTemplate', 'activeDeadlineSeconds'),
  historyLimit: specField('historyLimit'),
  env: specField('executionTemplate', 'env'),
  envName: specField('executionTemplate', 'env', '[]', 'name'),
  envValue: specField('executionTemplate', 'env', '[]', 'value'),
};

/** The first thing the schema (structure and CEL rules) finds wrong with a value. */
function schemaProblem(value: unknown, schema: JSONSchemaProps): string | undefined {
  return validateSchema(value, schema, '', { rules: true })[0]?.message;
}

/** A lowercase RFC 1123 subdomain, at most `max` characters (253 for object names). */
export function checkObjectName(value: string, max = 253): string | undefined {
  if (value === '') return 'required';
  if (value.length > max) return `at most ${max} characters`;
  return schemaProblem(value, Fields.name);
}

export function checkRepository(value: string): string | undefined {
  if (value === '') return 'required';
  return schemaProblem(value, Fields.repository);
}

export function checkRevision(value: string): string | undefined {
  return schemaProblem(value, Fields.revision);
}

export function checkWorkdir(value: string): string | undefined {
  if (value === '') return undefined; // defaults to "."
  return schemaProblem(value, Fields.workdir);
}

/** An optional whole number in [min, max]. */
export function checkInt(value: string, min: number, max: number): string | undefined {
  if (value.trim() === '') return undefined;
  if (!/^-?\d+$/.test(value.trim())) return 'a whole number';
  const n = Number(value);
  if (n < min || n > max) return `between ${min} and ${max}`;
  return undefined;
}

/** An optional whole number within the bounds of its schema. */
function checkIntField(value: string, schema: JSONSchemaProps): string | undefined {
  return checkInt(value, schema.minimum ?? Number.MIN_SAFE_INTEGER, schema.maximum ?? Number.MAX_SAFE_INTEGER);
}

export interface EnvEntry {
  name: string;
  value: string;
}

/** Parses `NAME=value` lines (blank lines skipped); problems name the line. */
export function parseEnv(text: string): { env: EnvEntry[]; error?: string } {
  const env: EnvEntry[] = [];
  const seen = new Set<string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const eq = line.indexOf('=');
    const name = (eq < 0 ? line : line.slice(0, eq)).trim();
    if (eq < 0) return { env, error: `line ${i + 1}: NAME=value expected` };
    const value = line.slice(eq + 1);
    const problem = schemaProblem(name, Fields.envName) ?? schemaProblem(value, Fields.envValue);
    if (problem) return { env, error: `line ${i + 1}: "${name}" ${problem}` };
    if (seen.has(name)) return { env, error: `line ${i + 1}: "${name}" is set twice` };
    seen.add(name);
    env.push({ name, value });
  }
  const max = Fields.env.maxItems;
  if (max !== undefined && env.length > max) return { env, error: `at most ${max} variables` };
  return { env };
}

function checkTemplate(f: TemplateFields, errors: FieldErrors): void {
  if (f.image !== '')
    set(errors, 'spec.executionTemplate.image', /\s/.test(f.image) ? 'no whitespace' : schemaProblem(f.image, Fields.image));
  set(errors, 'spec.executionTemplate.activeDeadlineSeconds', checkIntField(f.activeDeadlineSeconds, Fields.activeDeadlineSeconds));
  set(errors, 'spec.historyLimit', checkIntField(f.historyLimit, Fields.historyLimit));
  set(errors, 'spec.executionTemplate.env', parseEnv(f.env).error);
}

/** Validates the module form; `isNew` checks the name (it cannot change after creation). */
export function validateModuleForm(f: ModuleForm, isNew: boolean): FieldErrors {
  const errors: FieldErrors = {};
  if (isNew) set(errors, NAME_PATH, checkObjectName(f.name));
  set(errors, 'spec.source.repository', checkRepository(f.repository));
  set(errors, 'spec.source.revision', checkRevision(f.revision));
  set(errors, 'spec.source.workdir', checkWorkdir(f.workdir));
  checkTemplate(f, errors);
  return errors;
}

export function validateStackForm(f: StackForm, isNew: boolean): FieldErrors {
  const errors: FieldErrors = {};
  if (isNew) set(errors, NAME_PATH, checkObjectName(f.name));
  set(errors, 'spec.moduleRef.name', f.module === '' ? 'choose a module' : checkObjectName(f.module));
  checkTemplate(f, errors);
  return errors;
}

function set(errors: FieldErrors, path: string, message: string | undefined): void {
  if (message) errors[path] = message;
}

/**
 * Maps the API's field errors onto the form's paths: exact paths first, then the nearest form path
 * that is a prefix (`spec.executionTemplate.env[0].name` -> `spec.executionTemplate.env`). Returns
 * the errors no field shows under `''`.
 */
export function mapApiFieldErrors(fields: readonly { path: string; message: string }[], known: readonly string[]): FieldErrors {
  const out: FieldErrors = {};
  for (const { path, message } of fields) {
    const normal = path.replace(/^\./, '');
    const target =
      known.find((k) => k === normal) ??
      known.filter((k) => normal.startsWith(`${k}.`) || normal.startsWith(`${k}[`)).sort((a, b) => b.length - a.length)[0] ??
      '';
    out[target] = out[target] ? `${out[target]}; ${message}` : target === '' ? `${path}: ${message}` : message;
  }
  return out;
}
