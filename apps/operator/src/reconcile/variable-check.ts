// The run's variables (the files of its inputs, issue 12) as the checker of module variables reads
// them: each variable's final value (later files win) and where it came from. Pure.
import { tfvarsNames, type RunVariable } from '@tofu-operator/api-types';
import type { InputsFileContent } from './inputs.js';

/** Each variable the inputs set, with its winning value, origin and sensitivity. */
export function runVariablesOf(files: readonly InputsFileContent[]): Record<string, RunVariable> {
  const out: Record<string, RunVariable> = {};
  for (const file of files) {
    if (file.format === 'tfvars') {
      // tofu reads the text itself: the names are checked, the values are not.
      for (const name of tfvarsNames(file.content))
        out[name] = { value: undefined, origin: file.source, unchecked: true, sensitive: file.sensitive };
      continue;
    }
    let values: Record<string, unknown>;
    try {
      values = JSON.parse(file.content) as Record<string, unknown>;
    } catch {
      continue;
    }
    for (const [name, value] of Object.entries(values)) {
      const origin = file.source.endsWith('spec.variables') ? `${file.source}.${name}` : file.source;
      out[name] = { value, origin, sensitive: file.sensitive };
    }
  }
  return out;
}
