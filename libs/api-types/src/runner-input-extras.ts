// The runner's input about variables, masking, the provider mirror and cache and ssh host keys (issue 12).
// Encoded into and parsed from the runner container's environment like the rest of RunnerInput.
import { FieldRules } from './crds/field-rules.js';
import { RunnerEnv, RunnerInputError } from './runner-env.js';
import type { RunnerInput } from './runner-input.js';

/** Where the provider mirror is and which CA the runner trusts for it. */
export interface ProviderMirror {
  /** https URL of an OpenTofu provider network mirror (ends with "/"). */
  url: string;
  /** A PEM file of extra CA certificates (a mounted ConfigMap key), added to the system roots. */
  caFile?: string;
}

/** The name of the inputs manifest in the inputs directory (the execution's inputs Secret). */
export const INPUTS_MANIFEST_KEY = 'manifest.json';

/** One variable file of a run, in the order tofu gets them (later wins). */
export interface InputsFile {
  /** Key of the file in the inputs Secret (and so its file name in the inputs directory). */
  key: string;
  /** "json": a tfvars.json object of variable values; "tfvars": tofu's own tfvars text. */
  format: 'json' | 'tfvars';
  /** Where its values came from, for messages, e.g. `Secret "db" key "password"` or `TofuStack "net" outputs`. Never a value. */
  source: string;
  /** Whether its values came from a Secret (or a sensitive output): the runner masks them. */
  sensitive: boolean;
}

/**
 * What the operator writes into an execution's inputs Secret beside the files: the files in order,
 * the literal values the runner must mask (from Secrets and sensitive outputs; the runner adds their
 * base64 and JSON-escaped forms), and the names of runner environment variables that came from
 * Secrets (executionTemplate.env valueFrom.secretKeyRef), whose values it masks too.
 */
export interface InputsManifest {
  files: InputsFile[];
  mask: string[];
  maskEnv: string[];
}

/** Refuses a manifest that is not what encodeInputsManifest writes. Pure; throws RunnerInputError. */
export function parseInputsManifest(text: string): InputsManifest {
  const fail = (why: string): never => {
    throw new RunnerInputError(RunnerEnv.inputsDir, `${INPUTS_MANIFEST_KEY} ${why}`);
  };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return fail('is not JSON');
  }
  const m = raw as Partial<InputsManifest> | null;
  if (!m || typeof m !== 'object' || !Array.isArray(m.files) || !Array.isArray(m.mask) || !Array.isArray(m.maskEnv))
    return fail('must be an object with arrays files, mask and maskEnv');
  for (const f of m.files) {
    if (!f || typeof f.key !== 'string' || !/^[A-Za-z0-9._-]+$/.test(f.key) || f.key === INPUTS_MANIFEST_KEY)
      fail('names a file with a bad key');
    if (f.format !== 'json' && f.format !== 'tfvars') fail(`file ${f.key}: format must be json or tfvars`);
    if (typeof f.source !== 'string' || typeof f.sensitive !== 'boolean') fail(`file ${f.key}: needs source and sensitive`);
  }
  if (!m.mask.every((v) => typeof v === 'string')) fail('mask must hold strings');
  if (!m.maskEnv.every((v) => typeof v === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(v))) fail('maskEnv must hold variable names');
  return { files: m.files, mask: m.mask, maskEnv: m.maskEnv };
}

/** The extra runner environment for these fields (literals only; the inputs arrive as a mounted Secret). */
export function encodeExtraInput(input: RunnerInput, literal: (name: string, value: string | undefined) => void): void {
  literal(RunnerEnv.inputsDir, input.inputsDir);
  if (input.varFiles?.length) literal(RunnerEnv.varFiles, JSON.stringify(input.varFiles));
  if (input.sshInsecureSkipHostKey) literal(RunnerEnv.sshInsecureSkipHostKey, 'true');
  literal(RunnerEnv.providerMirrorUrl, input.providerMirror?.url);
  literal(RunnerEnv.providerMirrorCaFile, input.providerMirror?.caFile);
  literal(RunnerEnv.pluginCacheDir, input.pluginCacheDir);
}

/** Parses the fields of encodeExtraInput. Pure; throws RunnerInputError naming the variable. */
export function parseExtraInput(get: (name: string) => string): Partial<RunnerInput> {
  const out: Partial<RunnerInput> = {};
  const inputsDir = get(RunnerEnv.inputsDir);
  if (inputsDir) {
    if (!inputsDir.startsWith('/')) throw new RunnerInputError(RunnerEnv.inputsDir, `"${inputsDir}" must be an absolute path`);
    out.inputsDir = inputsDir;
  }
  const varFiles = get(RunnerEnv.varFiles);
  if (varFiles) {
    let list: unknown;
    try {
      list = JSON.parse(varFiles);
    } catch {
      throw new RunnerInputError(RunnerEnv.varFiles, 'must be a JSON array of paths');
    }
    if (!Array.isArray(list) || !list.every((p) => typeof p === 'string' && p.length > 0))
      throw new RunnerInputError(RunnerEnv.varFiles, 'must be a JSON array of paths');
    for (const p of list as string[]) {
      if (!FieldRules.workdirRelative.test(p) || !FieldRules.workdirNoDotDot.test(p))
        throw new RunnerInputError(RunnerEnv.varFiles, `"${p}" must be a relative path without ".." segments`);
    }
    out.varFiles = list as string[];
  }
  const skip = get(RunnerEnv.sshInsecureSkipHostKey).toLowerCase();
  if (skip && !['true', 'false', '1', '0'].includes(skip))
    throw new RunnerInputError(RunnerEnv.sshInsecureSkipHostKey, `"${skip}" must be true or false`);
  if (skip === 'true' || skip === '1') out.sshInsecureSkipHostKey = true;
  const mirror = get(RunnerEnv.providerMirrorUrl);
  if (mirror) {
    let url: URL;
    try {
      url = new URL(mirror);
    } catch {
      throw new RunnerInputError(RunnerEnv.providerMirrorUrl, `"${mirror}" is not a URL`);
    }
    if (url.protocol !== 'https:')
      throw new RunnerInputError(RunnerEnv.providerMirrorUrl, `"${mirror}" must be an https:// URL (OpenTofu requires one)`);
    if (url.username || url.password) throw new RunnerInputError(RunnerEnv.providerMirrorUrl, 'must not carry credentials');
    const caFile = get(RunnerEnv.providerMirrorCaFile);
    if (caFile && !caFile.startsWith('/'))
      throw new RunnerInputError(RunnerEnv.providerMirrorCaFile, `"${caFile}" must be an absolute path`);
    out.providerMirror = { url: url.href.endsWith('/') ? url.href : `${url.href}/`, ...(caFile ? { caFile } : {}) };
  }
  const cache = get(RunnerEnv.pluginCacheDir);
  if (cache) {
    if (!cache.startsWith('/')) throw new RunnerInputError(RunnerEnv.pluginCacheDir, `"${cache}" must be an absolute path`);
    out.pluginCacheDir = cache;
  }
  return out;
}
