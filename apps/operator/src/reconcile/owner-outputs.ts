// What a module's or stack's status says about the outputs of its latest successful apply (issue 12):
// the non-sensitive values that fit in MAX_STATUS_OUTPUTS_BYTES, and every name. Pure: a sensitive
// value never leaves the stored record through here.
import { MAX_STATUS_OUTPUTS_BYTES, type OutputsInfo } from '@tofu-operator/api-types';
import { canonicalJson, type StoredOutputs } from '../runner-api/outputs-record.js';

/** status.outputs and status.outputsInfo of an owner. */
export interface OutputsStatus {
  /** Non-sensitive values by name, at most MAX_STATUS_OUTPUTS_BYTES of canonical JSON in all. */
  outputs: Record<string, unknown>;
  outputsInfo: OutputsInfo;
}

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/**
 * The status of stored outputs. Non-sensitive values go into `outputs`, smallest first (then by name)
 * while the canonical JSON of the whole map stays within `limit` bytes, so as many as possible fit and
 * the choice is the same every time; the others are named in `omitted`. Only an output tofu marked
 * `sensitive: false` is shown; its name is in `names` either way, and sensitive ones in `sensitive`.
 * `secretName` (spec.outputs.secretName) is named unless the store could not write it (`secretProblem`).
 */
export function outputsStatus(stored: StoredOutputs, secretName?: string, limit = MAX_STATUS_OUTPUTS_BYTES): OutputsStatus {
  const names = Object.keys(stored.outputs).sort();
  const sensitive = names.filter((n) => stored.outputs[n]?.sensitive !== false);
  const shown = names
    .filter((n) => stored.outputs[n]?.sensitive === false)
    .map((name) => {
      const json = canonicalJson(stored.outputs[name]?.value);
      return { name, json, size: bytes(JSON.stringify(name)) + 1 + bytes(json) };
    })
    .sort((a, b) => a.size - b.size || (a.name < b.name ? -1 : 1));
  const outputs: Record<string, unknown> = {};
  const omitted: string[] = [];
  // `{}`, then each entry `"name":value` with a comma before all but the first.
  let total = 2;
  for (const entry of shown) {
    const added = entry.size + (total > 2 ? 1 : 0);
    if (total + added > limit) {
      omitted.push(entry.name);
      continue;
    }
    total += added;
    outputs[entry.name] = JSON.parse(entry.json) as unknown;
  }
  const outputsInfo: OutputsInfo = {
    execution: stored.execution,
    updatedAt: stored.updatedAt,
    digest: stored.digest,
    names,
    sensitive,
    omitted: omitted.sort(),
    // Named only when it holds them: a Secret of that name the owner does not own was not written.
    ...(secretName && !stored.secretProblem ? { secretName } : {}),
    ...(stored.secretProblem ? { secretProblem: stored.secretProblem } : {}),
  };
  return {
    outputs: Object.fromEntries(
      Object.keys(outputs)
        .sort()
        .map((n) => [n, outputs[n]]),
    ),
    outputsInfo,
  };
}
