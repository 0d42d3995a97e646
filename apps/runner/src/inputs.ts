// The run's variables: spec.varFiles from the checkout, then the files of the execution's inputs
// Secret (mounted at TOFU_OPERATOR_INPUTS_DIR, described by its manifest.json), in that order.
import { chmod, copyFile, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { INPUTS_MANIFEST_KEY, parseInputsManifest, RunnerInputError, type InputsManifest } from '@tofu-operator/api-types';
import { InvalidInputError } from './errors.js';
import { tfvarsNames } from './variable-errors.js';
import { isInside } from './workdir.js';

/** The inputs directory, read and checked. */
export interface RunInputs {
  manifest: InputsManifest;
  /** The variable names each json file sets (by key), to say which source set a variable. */
  jsonKeys: Map<string, string[]>;
  /** Values of the json files whose values came from a Secret: masked like the manifest's mask. */
  sensitiveValues: string[];
}

/** Where a variable file passed to tofu came from, for messages: `spec.varFiles[0] "prod.tfvars"` or the manifest's source. */
export interface VarFileSource {
  /** The path tofu was given. */
  path: string;
  source: string;
  /** The variables it sets, when known (json files). */
  keys?: string[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Every string (and number, as text) inside a JSON value. Booleans are left out: masking every
 * "true" would make the log unreadable and hides nothing. Pure.
 */
export function jsonLeaves(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'number') return [String(value)];
  if (Array.isArray(value)) return value.flatMap(jsonLeaves);
  if (isRecord(value)) return Object.values(value).flatMap(jsonLeaves);
  return [];
}

/**
 * The secret values of a json variables file: every leaf, and each object or list as JSON (tofu
 * prints a whole one too). Pure.
 */
export function secretValuesOf(vars: Record<string, unknown>): string[] {
  const values: string[] = [];
  for (const value of Object.values(vars)) {
    values.push(...jsonLeaves(value));
    if (typeof value === 'object' && value !== null) values.push(JSON.stringify(value));
  }
  return values;
}

/** Reads the manifest and checks every file it names; InvalidInput naming the key and its source, never a value. */
export async function readInputs(dir: string): Promise<RunInputs> {
  let manifest: InputsManifest;
  try {
    manifest = parseInputsManifest(await readFile(path.join(dir, INPUTS_MANIFEST_KEY), 'utf8'));
  } catch (err) {
    if (err instanceof RunnerInputError) throw new InvalidInputError(`the inputs: ${err.message}`, { cause: err });
    throw new InvalidInputError(`the inputs directory has no readable ${INPUTS_MANIFEST_KEY}: ${(err as Error).message}`, { cause: err });
  }
  const jsonKeys = new Map<string, string[]>();
  const sensitiveValues: string[] = [];
  for (const file of manifest.files) {
    let text: string;
    try {
      text = await readFile(path.join(dir, file.key), 'utf8');
    } catch (err) {
      throw new InvalidInputError(
        `the inputs file "${file.key}" (from ${file.source}) cannot be read: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
        {
          cause: err,
        },
      );
    }
    if (file.format !== 'json') continue;
    let vars: unknown;
    try {
      vars = JSON.parse(text);
    } catch {
      // The parser's message quotes the text: say where, not what.
      throw new InvalidInputError(`the variables from ${file.source} (inputs file "${file.key}") are not valid JSON`);
    }
    if (!isRecord(vars)) throw new InvalidInputError(`the variables from ${file.source} (inputs file "${file.key}") are not a JSON object`);
    jsonKeys.set(file.key, Object.keys(vars));
    if (file.sensitive) sensitiveValues.push(...secretValuesOf(vars));
  }
  return { manifest, jsonKeys, sensitiveValues };
}

/**
 * The values a run masks besides its own credentials: the manifest's mask, the sensitive json
 * files' values, and the environment variables named in maskEnv (an unset one is listed apart). Pure.
 */
export function maskedInputValues(inputs: RunInputs, env: NodeJS.ProcessEnv): { values: string[]; unsetEnv: string[] } {
  const values = [...inputs.manifest.mask, ...inputs.sensitiveValues];
  const unsetEnv: string[] = [];
  for (const name of inputs.manifest.maskEnv) {
    const value = env[name];
    if (value === undefined || value === '') unsetEnv.push(name);
    else values.push(value);
  }
  return { values, unsetEnv };
}

/** The file name tofu gets for an inputs file: its extension decides how tofu reads it. Pure. */
export function inputsFileName(index: number, key: string, format: 'json' | 'tfvars'): string {
  const base = key.replace(/\.(tfvars\.json|tfvars|json)$/, '');
  return `${String(index).padStart(2, '0')}-${base}${format === 'json' ? '.tfvars.json' : '.tfvars'}`;
}

/** spec.varFiles[i], resolved in the workdir: InvalidInput when missing, not a file, or outside the workdir. */
async function resolveVarFile(workdir: string, file: string, index: number): Promise<string> {
  const field = `spec.varFiles[${index}] "${file}"`;
  const target = path.resolve(workdir, file);
  if (path.isAbsolute(file) || !isInside(workdir, target)) throw new InvalidInputError(`${field} must be a path inside the workdir`);
  let real: string;
  try {
    real = await realpath(target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new InvalidInputError(`${field} does not exist in the workdir`);
    if (code === 'ELOOP') throw new InvalidInputError(`${field} is a symlink loop`);
    throw err;
  }
  if (!isInside(workdir, real)) throw new InvalidInputError(`${field} leads outside the workdir through a symlink`);
  if (!(await stat(real)).isFile()) throw new InvalidInputError(`${field} is not a file`);
  return real;
}

/**
 * The variable files of a plan in tofu's order (later wins): spec.varFiles from the workdir (its
 * real path), then the inputs files, copied into `tmp` (mode 0600) under names whose extension
 * tells tofu their format.
 */
export async function prepareVarFiles(
  workdir: string,
  varFiles: readonly string[],
  inputsDir: string | undefined,
  inputs: RunInputs | undefined,
  tmp: string,
): Promise<VarFileSource[]> {
  const files: VarFileSource[] = [];
  for (const [i, file] of varFiles.entries()) {
    const real = await resolveVarFile(workdir, file, i);
    files.push({ path: real, source: `spec.varFiles[${i}] "${file}"`, keys: namesIn(real, await readFile(real, 'utf8')) });
  }
  if (!inputs || !inputsDir) return files;
  for (const [i, file] of inputs.manifest.files.entries()) {
    const dest = path.join(tmp, inputsFileName(i, file.key, file.format));
    await copyFile(path.join(inputsDir, file.key), dest);
    await chmod(dest, 0o600);
    const keys = inputs.jsonKeys.get(file.key) ?? namesIn(dest, await readFile(dest, 'utf8'));
    files.push({ path: dest, source: file.source, keys });
  }
  return files;
}

/** The variables a file sets, as far as the runner can tell (for messages): a JSON object's keys, a tfvars file's assignments. Pure. */
export function namesIn(file: string, text: string): string[] {
  if (!file.endsWith('.json')) return tfvarsNames(text);
  try {
    const vars: unknown = JSON.parse(text);
    return isRecord(vars) ? Object.keys(vars) : [];
  } catch {
    return [];
  }
}

/** tofu's arguments for the variable files. Pure. */
export function varFileArgs(files: readonly VarFileSource[]): string[] {
  return files.map((f) => `-var-file=${f.path}`);
}
