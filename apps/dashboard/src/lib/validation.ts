/**
 * Client-side validation of the module and stack forms, mirroring the CRD schema
 * (libs/api-types/src/crds: lengths, ranges and the CEL rules' regular expressions) so most mistakes
 * are shown before a request. Errors are keyed by the field path the API uses in `ErrorBody.fields`
 * (`spec.source.repository`), so the API's own field errors land next to the same inputs.
 */

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

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const REPOSITORY_URL = /^(https|ssh|git|file):\/\/[^\s]+$/;
const REPOSITORY_SCP = /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s]+$/;
const REVISION_CHARS = /^[^\s~^:?*[\\]*$/;
const DOTDOT_SEGMENT = /(^|\/)\.\.(\/|$)/;
const C_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A lowercase RFC 1123 subdomain, at most `max` characters (253 for object names). */
export function checkObjectName(value: string, max = 253): string | undefined {
  if (value === '') return 'required';
  if (value.length > max) return `at most ${max} characters`;
  if (!DNS_SUBDOMAIN.test(value)) return 'lowercase letters, digits, "-" and "."; starting and ending with a letter or digit';
  return undefined;
}

export function checkRepository(value: string): string | undefined {
  if (value === '') return 'required';
  if (value.length > 2048) return 'at most 2048 characters';
  if (!REPOSITORY_URL.test(value) && !REPOSITORY_SCP.test(value))
    return 'must be an https://, ssh://, git:// or file:// URL, or scp-like user@host:path, without spaces';
  return undefined;
}

export function checkRevision(value: string): string | undefined {
  if (value.length > 255) return 'at most 255 characters';
  if (value.startsWith('-') || value.includes('..') || !REVISION_CHARS.test(value))
    return 'must be a git branch, tag or commit: no whitespace, no leading "-", no "..", and none of ~ ^ : ? * [ \\';
  return undefined;
}

export function checkWorkdir(value: string): string | undefined {
  if (value === '') return undefined; // defaults to "."
  if (value.length > 1024) return 'at most 1024 characters';
  if (value.startsWith('/')) return 'must be a relative path inside the repository';
  if (DOTDOT_SEGMENT.test(value)) return 'must not contain ".." path segments';
  return undefined;
}

/** An optional whole number in [min, max]. */
export function checkInt(value: string, min: number, max: number): string | undefined {
  if (value.trim() === '') return undefined;
  if (!/^-?\d+$/.test(value.trim())) return 'a whole number';
  const n = Number(value);
  if (n < min || n > max) return `between ${min} and ${max}`;
  return undefined;
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
    if (!C_IDENTIFIER.test(name) || name.length > 256)
      return { env, error: `line ${i + 1}: "${name}" must be a C identifier (letters, digits, "_")` };
    if (seen.has(name)) return { env, error: `line ${i + 1}: "${name}" is set twice` };
    seen.add(name);
    env.push({ name, value: line.slice(eq + 1) });
  }
  if (env.length > 256) return { env, error: 'at most 256 variables' };
  return { env };
}

function checkTemplate(f: TemplateFields, errors: FieldErrors): void {
  if (f.image !== '' && f.image.length > 1024) errors['spec.executionTemplate.image'] = 'at most 1024 characters';
  if (/\s/.test(f.image)) errors['spec.executionTemplate.image'] = 'no whitespace';
  set(errors, 'spec.executionTemplate.activeDeadlineSeconds', checkInt(f.activeDeadlineSeconds, 1, 604800));
  set(errors, 'spec.historyLimit', checkInt(f.historyLimit, 1, 1000));
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
