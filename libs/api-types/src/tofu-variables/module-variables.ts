// Checks a run's variables against the variables its module declares, before any Job (issue 12:
// "a variable the module does not declare, a value of the wrong type" get a clear answer, not a
// failed run). Pure: the caller reads the module's files and resolves the values.
import { jsonVariableDeclarations, topLevelAttributes, variableDeclarations, type VariableDeclaration } from './hcl-scan.js';
import { parseType, typeProblems } from './type-check.js';

/** The variables declared by the files of one module directory (name → declaration). */
export function declaredVariables(files: readonly { name: string; text: string }[]): Map<string, VariableDeclaration> {
  const out = new Map<string, VariableDeclaration>();
  for (const file of files) {
    const decls = file.name.endsWith('.tf.json')
      ? jsonVariableDeclarations(file.text)
      : file.name.endsWith('.tf')
        ? variableDeclarations(file.text)
        : [];
    for (const d of decls) out.set(d.name, d);
  }
  return out;
}

/** One variable of the run: its JSON value, and where it came from (for the message). */
export interface RunVariable {
  value: unknown;
  /** e.g. `spec.variables.region` or `ConfigMap app-vars key region.json`. */
  origin: string;
  /**
   * The value is text tofu reads as an expression (a tfvars key): its type is not checked here.
   * Only its name is.
   */
  unchecked?: boolean;
  /** The value came from a Secret (or a sensitive output): a message never quotes it. */
  sensitive?: boolean;
}

const listNames = (names: string[]) => (names.length > 12 ? `${names.slice(0, 12).join(', ')}, …` : names.join(', '));

/**
 * Problems of the run's variables against the declarations: names the module does not declare and
 * values of the wrong type, each naming the variable and where its value came from. [] when fine.
 */
export function variableProblems(declared: Map<string, VariableDeclaration>, variables: Record<string, RunVariable>): string[] {
  const problems: string[] = [];
  const names = [...declared.keys()].sort();
  for (const [name, v] of Object.entries(variables)) {
    const decl = declared.get(name);
    if (!decl) {
      const known = names.length ? `declared: ${listNames(names)}` : 'it declares no variables';
      problems.push(`${v.origin}: the module does not declare a variable "${name}" (${known})`);
      continue;
    }
    if (v.unchecked) continue;
    if (v.value === null && decl.nonNullable) {
      problems.push(`${v.origin}: variable "${name}" is not nullable (nullable = false) and cannot be null`);
      continue;
    }
    if (!decl.type) continue;
    for (const p of typeProblems(v.value, parseType(decl.type), name, !v.sensitive))
      problems.push(`${v.origin}: ${p} (type ${oneLine(decl.type)})`);
  }
  return problems;
}

const oneLine = (text: string) => {
  const flat = text.replace(/\s+/gu, ' ').trim();
  return flat.length > 80 ? `${flat.slice(0, 80)}…` : flat;
};

/** The variable names a tfvars text sets (its top-level attributes). */
export function tfvarsNames(text: string): string[] {
  return [...topLevelAttributes(text).keys()];
}
