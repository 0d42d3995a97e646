// The outputs of an owner's latest successful apply or destroy as the operator stores them (issue 12):
// what `tofu output -json` printed, checked, with a digest dependent stacks compare. Pure.
import { createHmac } from 'node:crypto';

/** One output: its value, whether tofu marks it sensitive, and its tofu type (JSON, as tofu prints it). */
export interface StoredOutput {
  value: unknown;
  sensitive: boolean;
  type?: unknown;
}

/** An owner's stored outputs (the record in its outputs Secret). */
export interface StoredOutputs {
  outputs: Record<string, StoredOutput>;
  /** The apply or destroy execution that sent them. */
  execution: string;
  /** When they were stored (RFC 3339). */
  updatedAt: string;
  /** `sha256:<hex>`: HMAC-SHA256, keyed with the owner's uid, of the canonical JSON of every output's value and sensitivity. */
  digest: string;
  /** Why spec.outputs.secretName was not written (a Secret of that name that the owner does not own, say); no value in it. */
  secretProblem?: string;
}

/** A body that is not what `tofu output -json` prints. The message names the output, never a value. */
export class OutputsFormatError extends Error {
  override readonly name = 'OutputsFormatError';
}

/** Longest output name kept (the CRD's status lists allow 128), and a Secret key's character set. */
const OUTPUT_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;
/** Most outputs kept (the CRD's status lists allow 1024). */
export const MAX_OUTPUTS = 1024;

/**
 * JSON with object keys sorted at every level and no whitespace: the same value always gives the same
 * text (what digests and the status size cap are computed over).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const entries = Object.keys(value)
    .sort()
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

/**
 * Parses the body of `PUT /outputs/…`: exactly what `tofu output -json` prints,
 * `{"<name>": {"sensitive": bool, "type": <type>, "value": <any>}}` (`{}` when there are none, as
 * after a destroy). Output names must be tofu identifiers (they become Secret keys).
 */
export function parseTofuOutputs(text: string): Record<string, StoredOutput> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new OutputsFormatError('the outputs must be the JSON that `tofu output -json` prints', { cause: err });
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new OutputsFormatError('the outputs must be a JSON object of output name to {sensitive, type, value}');
  const names = Object.keys(body);
  if (names.length > MAX_OUTPUTS) throw new OutputsFormatError(`there are ${names.length} outputs; at most ${MAX_OUTPUTS} are kept`);
  const outputs: Record<string, StoredOutput> = {};
  for (const name of names.sort()) {
    if (!OUTPUT_NAME.test(name)) throw new OutputsFormatError(`output name ${JSON.stringify(name.slice(0, 140))} is not a tofu identifier`);
    const entry = (body as Record<string, unknown>)[name];
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry) || !('value' in entry))
      throw new OutputsFormatError(`output "${name}" must be an object with "value"`);
    const { sensitive, type, value } = entry as { sensitive?: unknown; type?: unknown; value: unknown };
    if (sensitive !== undefined && typeof sensitive !== 'boolean')
      throw new OutputsFormatError(`output "${name}": "sensitive" must be a boolean`);
    // Absent "sensitive" is read as sensitive: a value is shown only when tofu says it may be.
    outputs[name] = { value, sensitive: sensitive !== false, ...(type !== undefined ? { type } : {}) };
  }
  return outputs;
}

/**
 * The digest of a set of outputs: HMAC-SHA256 keyed with the owner's uid over the canonical JSON of
 * every output's value and sensitivity. Keyed, so the digest of a low-entropy secret output (published
 * in status) cannot be looked up in a table made for another owner.
 */
export function outputsDigest(outputs: Record<string, StoredOutput>, ownerUid: string): string {
  const content = Object.fromEntries(Object.entries(outputs).map(([name, o]) => [name, { sensitive: o.sensitive, value: o.value }]));
  return `sha256:${createHmac('sha256', `tofu-operator/outputs/${ownerUid}`).update(canonicalJson(content)).digest('hex')}`;
}

/** Reads a stored record back, checking its shape; throws OutputsFormatError when it is not one. */
export function parseStoredOutputs(text: string): StoredOutputs {
  let record: Partial<StoredOutputs>;
  try {
    record = JSON.parse(text) as Partial<StoredOutputs>;
  } catch (err) {
    throw new OutputsFormatError('the stored outputs record is not JSON', { cause: err });
  }
  const ok =
    record !== null &&
    typeof record === 'object' &&
    typeof record.execution === 'string' &&
    typeof record.updatedAt === 'string' &&
    typeof record.digest === 'string' &&
    (record.secretProblem === undefined || typeof record.secretProblem === 'string') &&
    record.outputs !== null &&
    typeof record.outputs === 'object' &&
    Object.values(record.outputs).every((o) => o !== null && typeof o === 'object' && typeof o.sensitive === 'boolean' && 'value' in o);
  if (!ok) throw new OutputsFormatError('the stored outputs record has not the expected shape');
  return record as StoredOutputs;
}
