// The variables of a run (issue 12, docs/guides/variables.md): spec.varFiles, varsFrom and variables
// of the module, then of the stack, then the stack's inputsFrom (other stacks' outputs), merged in
// that order into the files of the execution's inputs Secret and its manifest. Pure: the inputs
// resolver reads the objects, these functions decide what they mean.
import { createHash } from 'node:crypto';
import { isVariableName, type InputSource, type InputsFile, type InputsManifest, type VarsFromSource } from '@tofu-operator/api-types';

/** Reasons of an owner's Ready=False when its inputs cannot be resolved, PascalCase per the API conventions. */
export const InputReason = {
  /** A ConfigMap or Secret varsFrom names does not exist (and is not optional). */
  InputNotFound: 'InputNotFound',
  /** A key of a varsFrom object is not a variable name, or a ".json" key is not JSON, or an output is missing. */
  InputsInvalid: 'InputsInvalid',
} as const;

/** Why the inputs cannot be resolved: the reason and a message naming the object and key (never a value). */
export class InputsError extends Error {
  override readonly name = 'InputsError';
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** One source of variables, read: what the resolver found for it. */
export type InputLayer =
  | { kind: 'File'; path: string }
  | { kind: 'varsFrom'; ref: VarsFromSource; data: Record<string, string> | undefined }
  | { kind: 'TofuModule' | 'TofuStack'; name: string; variables: Record<string, unknown> }
  | { kind: 'outputs'; stack: string; values: { variable: string; output: string; value: unknown; sensitive: boolean }[]; digest?: string };

/** A file of the inputs Secret with its content. */
export interface InputsFileContent extends InputsFile {
  content: string;
}

/** The resolved inputs of a run: the files in order, what to mask, the sources for status, and their digest. */
export interface ResolvedInputs {
  files: InputsFileContent[];
  mask: string[];
  sources: InputSource[];
  /** sha256 (hex) of the files' keys, formats and contents in order, and of the dependencies' output digests. */
  digest: string;
}

const quote = (ref: { kind: string; name: string }): string => `${ref.kind} "${ref.name}"`;

/** A name usable in a Secret key: the characters Secret keys allow, at most `max` of them. */
function keyPart(text: string, max = 80): string {
  return text.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, max);
}

/** Every string inside a JSON value (object values and list items, recursively). */
export function leafStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) leafStrings(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) leafStrings(v, out);
  return out;
}

/** The quoted strings of a tfvars text (best effort: the runner masks them as well as the whole text). */
function tfvarsStrings(text: string): string[] {
  return [...text.matchAll(/"((?:[^"\\\n]|\\.)*)"/g)].map((m) => m[1] ?? '');
}

/** The variable names a varsFrom key sets, and how its value is read. */
type KeyMeaning = { format: 'json'; variable: string; value: unknown } | { format: 'tfvars' };

function meaningOf(ref: VarsFromSource, key: string, raw: string): KeyMeaning {
  if (key.endsWith('.tfvars')) return { format: 'tfvars' };
  const json = key.endsWith('.json');
  const variable = json ? key.slice(0, -'.json'.length) : key;
  if (!isVariableName(variable)) {
    const why = json ? `sets variable "${variable}", which is not a variable name` : 'is not a variable name';
    throw new InputsError(
      InputReason.InputsInvalid,
      `${quote(ref)} key "${key}" ${why} (letters, digits, "_" and "-", not starting with a digit; or end the key in .json or .tfvars)`,
    );
  }
  if (!json) return { format: 'json', variable, value: raw };
  try {
    return { format: 'json', variable, value: JSON.parse(raw) as unknown };
  } catch {
    // The parser's message quotes the text, which may be a secret: only say where the problem is.
    throw new InputsError(InputReason.InputsInvalid, `${quote(ref)} key "${key}" is not JSON (a key ending in .json holds a JSON value)`);
  }
}

/**
 * Merges the layers, in order, into the files of a run: one JSON file of values per object (and one
 * tfvars file per ".tfvars" key), later files winning. Values from Secrets and sensitive outputs are
 * in sensitive files and their strings in `mask`. Throws InputsError naming the object and key.
 */
export function buildInputs(layers: readonly InputLayer[]): ResolvedInputs {
  const files: InputsFileContent[] = [];
  const mask = new Set<string>();
  const sources: InputSource[] = [];
  const digests: string[] = [];
  const add = (name: string, format: 'json' | 'tfvars', source: string, sensitive: boolean, content: string): void => {
    const ext = format === 'json' ? '.tfvars.json' : '.tfvars';
    files.push({ key: `${String(files.length).padStart(2, '0')}-${keyPart(name)}${ext}`, format, source, sensitive, content });
  };
  const secret = (s: string): void => {
    if (s !== '') mask.add(s);
  };
  for (const layer of layers) {
    if (layer.kind === 'File') {
      sources.push({ kind: 'File', name: layer.path });
    } else if (layer.kind === 'varsFrom') {
      const { ref, data } = layer;
      if (!data) {
        if (!ref.optional) throw new InputsError(InputReason.InputNotFound, `${quote(ref)} not found`);
        sources.push({ kind: ref.kind, name: ref.name, missing: true });
        continue;
      }
      const sensitive = ref.kind === 'Secret';
      const keys = Object.keys(data).sort();
      const values: Record<string, unknown> = {};
      const tfvars: string[] = [];
      for (const key of keys) {
        const raw = data[key] ?? '';
        const meaning = meaningOf(ref, key, raw);
        if (sensitive) secret(raw);
        if (meaning.format === 'tfvars') {
          tfvars.push(key);
          if (sensitive) tfvarsStrings(raw).forEach(secret);
          continue;
        }
        values[meaning.variable] = meaning.value;
        if (sensitive) leafStrings(meaning.value).forEach(secret);
      }
      const kind = ref.kind.toLowerCase();
      if (Object.keys(values).length > 0) add(`${kind}-${ref.name}`, 'json', quote(ref), sensitive, JSON.stringify(values));
      for (const key of tfvars)
        add(`${kind}-${ref.name}-${key.slice(0, -'.tfvars'.length)}`, 'tfvars', `${quote(ref)} key "${key}"`, sensitive, data[key] ?? '');
      sources.push({ kind: ref.kind, name: ref.name, keys });
    } else if (layer.kind === 'outputs') {
      const values: Record<string, unknown> = {};
      let sensitive = false;
      for (const v of layer.values) {
        values[v.variable] = v.value;
        if (!v.sensitive) continue;
        sensitive = true;
        leafStrings(v.value).forEach(secret);
      }
      if (layer.digest) digests.push(`${layer.stack}:${layer.digest}`);
      if (layer.values.length === 0) continue;
      add(`outputs-${layer.stack}`, 'json', `TofuStack "${layer.stack}" outputs`, sensitive, JSON.stringify(values));
      sources.push({ kind: 'TofuStack', name: layer.stack, keys: layer.values.map((v) => v.variable) });
    } else {
      const names = Object.keys(layer.variables);
      if (names.length === 0) continue;
      add(
        `${layer.kind === 'TofuModule' ? 'module' : 'stack'}-${layer.name}`,
        'json',
        `${quote(layer)} spec.variables`,
        false,
        JSON.stringify(layer.variables),
      );
      sources.push({ kind: layer.kind, name: layer.name, keys: names });
    }
  }
  return { files, mask: [...mask].sort(), sources, digest: digestOf(files, sources, digests) };
}

/** sha256 of what a run would be given: the files in order, the sources (a missing optional object too) and the output digests. */
function digestOf(files: readonly InputsFileContent[], sources: readonly InputSource[], outputs: readonly string[]): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ files: files.map((f) => [f.key, f.format, f.content]), sources, outputs }));
  return `sha256:${hash.digest('hex')}`;
}

/** The first spec.variables key that is not a variable name, as the field path `spec.variables.<key>`. */
export function badVariableKey(variables: Record<string, unknown> | undefined): string | undefined {
  const bad = Object.keys(variables ?? {}).find((k) => !isVariableName(k));
  return bad === undefined ? undefined : `spec.variables.${bad}`;
}

/** The manifest of an inputs Secret: the files (without content) in order, the values to mask, the Secret-backed env names. */
export function manifestOf(inputs: ResolvedInputs, maskEnv: readonly string[]): InputsManifest {
  return {
    files: inputs.files.map(({ key, format, source, sensitive }) => ({ key, format, source, sensitive })),
    mask: inputs.mask,
    maskEnv: [...maskEnv],
  };
}

/** The names of template env entries whose value comes from a Secret (the runner masks their values). */
export function secretEnvNames(
  env: readonly { name: string; value?: string; valueFrom?: { secretKeyRef?: unknown } }[] | undefined,
): string[] {
  return (env ?? []).filter((e) => e.valueFrom?.secretKeyRef).map((e) => e.name);
}
