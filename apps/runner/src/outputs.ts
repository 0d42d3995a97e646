// The outputs of a successful apply or destroy: read with `tofu output -json` (never printed, it
// holds sensitive values), stored through the runner API, and their sensitive values masked.
import { FailureCategory } from '@tofu-operator/api-types';
import { RunnerError } from './errors.js';
import { secretValuesOf } from './inputs.js';
import { maskValue } from './mask-diff.js';
import type { Redactor } from './redact.js';

/** One entry of `tofu output -json`. */
export interface TofuOutput {
  sensitive: boolean;
  type?: unknown;
  value: unknown;
}

/** Parses `tofu output -json`; OutputsNotStored when it is not the object tofu prints (the text is never quoted). Pure. */
export function parseOutputs(json: string): Record<string, TofuOutput> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new RunnerError(FailureCategory.OutputsNotStored, 'tofu output -json printed something that is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new RunnerError(FailureCategory.OutputsNotStored, 'tofu output -json printed no JSON object');
  }
  const outputs = parsed as Record<string, unknown>;
  for (const [name, output] of Object.entries(outputs)) {
    if (typeof output !== 'object' || output === null || typeof (output as { sensitive?: unknown }).sensitive !== 'boolean') {
      throw new RunnerError(FailureCategory.OutputsNotStored, `tofu output -json: output "${name}" has no sensitive flag`);
    }
  }
  return outputs as Record<string, TofuOutput>;
}

/**
 * The outputs with every output whose value holds a secret the run masks (a value from a Secret, in
 * any of its forms) marked sensitive, as if the module had said so: the operator then keeps it out
 * of status, like tofu's own sensitive outputs. Answers the names it marked. Pure.
 */
export function markSecretOutputs(
  outputs: Record<string, TofuOutput>,
  redact: Redactor,
): { outputs: Record<string, TofuOutput>; marked: string[] } {
  const marked: string[] = [];
  const out: Record<string, TofuOutput> = {};
  for (const [name, output] of Object.entries(outputs)) {
    const holdsSecret = !output.sensitive && JSON.stringify(maskValue(output.value, redact)) !== JSON.stringify(output.value);
    if (holdsSecret) marked.push(name);
    out[name] = holdsSecret ? { ...output, sensitive: true } : output;
  }
  return { outputs: out, marked };
}

/** The values of the sensitive outputs, to mask for the rest of the run. Pure. */
export function sensitiveOutputValues(outputs: Record<string, TofuOutput>): string[] {
  return Object.values(outputs)
    .filter((o) => o.sensitive)
    .flatMap((o) => secretValuesOf({ value: o.value }));
}

/** The log line about the outputs: names only, sensitive ones marked. Pure. */
export function describeOutputs(outputs: Record<string, TofuOutput>): string {
  const names = Object.entries(outputs).map(([name, o]) => (o.sensitive ? `${name} (sensitive)` : name));
  return names.length === 0 ? 'no outputs' : `${names.length} output(s): ${names.join(', ')}`;
}
