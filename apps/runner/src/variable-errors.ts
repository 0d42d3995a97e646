// tofu's diagnostics about variables, turned into InvalidVariables failures that name the variable
// and where its value came from (a var file, a Secret or ConfigMap key, an output), never the value.
import { FailureCategory } from '@tofu-operator/api-types';
import { RunnerError } from './errors.js';
import type { VarFileSource } from './inputs.js';
import { tofuDiagnosticBlocks } from './tofu.js';

/** One diagnostic tofu printed, without its source snippet (which may show a value). */
export interface Diagnostic {
  severity: 'Error' | 'Warning';
  summary: string;
  /** The file of its "on <file> line <n>:" line. */
  file?: string;
  /** The explanation after the snippet, its wrapped lines joined with spaces. */
  detail: string;
}

/** The diagnostics in tofu's output (coloured with the ╷│╵ frame, or plain), read by tofuDiagnosticBlocks. Pure. */
export function tofuDiagnostics(output: string): Diagnostic[] {
  return tofuDiagnosticBlocks(output).map(({ severity, lines: [head = '', ...rest] }) => {
    const d: Diagnostic = { severity, summary: head.slice(`${severity}: `.length), detail: '' };
    const text: string[] = [];
    for (const line of rest) {
      const on = /^\s+on (.+) line \d+/.exec(line);
      if (on) d.file ??= on[1];
      // Snippet lines ("  12: name = ...") and expression values ("    │ var.x is ...") may show values.
      else if (/^\s+\d+: /.test(line) || /^\s+[│├└]/.test(line)) continue;
      else text.push(line);
    }
    d.detail = text.join(' ').replace(/\s+/g, ' ').trim();
    return d;
  });
}

/** The top-level names a tofu tfvars text assigns (`name = ...` at the start of a line). Pure. */
export function tfvarsNames(text: string): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(/^"?([A-Za-z_][A-Za-z0-9_-]*)"?\s*=/gm)) if (m[1]) names.push(m[1]);
  return names;
}

/** What sets a variable, the last file winning as in tofu; undefined when no known file does. Pure. */
export function sourceOf(variable: string, files: readonly VarFileSource[]): string | undefined {
  for (let i = files.length - 1; i >= 0; i--) {
    const f = files[i];
    if (f?.keys?.includes(variable)) return f.source;
  }
  return undefined;
}

const setBy = (source: string | undefined): string => (source ? ` (set by ${source})` : '');

/** The variable problems in tofu's diagnostics, one message each, naming variables and sources, no values. Pure. */
export function variableProblems(output: string, files: readonly VarFileSource[]): string[] {
  const byPath = (p: string | undefined): string | undefined => files.find((f) => f.path === p)?.source;
  const problems: string[] = [];
  for (const d of tofuDiagnostics(output)) {
    let m: RegExpExecArray | null;
    if ((m = /does not declare a variable named "([^"]+)" but a value was found in file "([^"]+)"/.exec(d.detail))) {
      // Only the files the run passes: a terraform.tfvars of the repository stays tofu's warning.
      const source = byPath(m[2]);
      if (source) problems.push(`variable "${m[1]}" is not declared by the module${setBy(source)}`);
    } else if (d.summary === 'Values for undeclared variables' && (m = /(\d+) other variable/.exec(d.detail))) {
      if (problems.length > 0) problems.push(`${m[1]} more variable(s) not declared by the module`);
    } else if (d.severity !== 'Error') {
      continue;
    } else if ((m = /input variable "([^"]+)" is not set, and has no default value/.exec(d.detail))) {
      problems.push(`variable "${m[1]}" is required and has no value: set it in spec.variables, spec.varsFrom or spec.varFiles`);
    } else if ((m = /not suitable for var\.([A-Za-z0-9_-]+)(?: declared at \S+)?:\s*(.*)$/.exec(d.detail))) {
      const name = m[1] ?? '';
      problems.push(`invalid value for variable "${name}"${setBy(sourceOf(name, files))}: ${m[2] ?? ''}`);
    } else if (d.summary === 'Invalid value for variable') {
      problems.push(`a variable's value fails its validation rule: ${d.detail}`);
    } else if (byPath(d.file)) {
      problems.push(`${d.summary} in ${byPath(d.file)}: ${d.detail}`);
    }
  }
  return problems;
}

/** Variables a plan's JSON files set that its module does not declare (tofu only warns about them). Pure. */
export function undeclaredVariables(plan: unknown, files: readonly VarFileSource[]): string[] {
  const config = (plan as { configuration?: { root_module?: { variables?: unknown } } } | null)?.configuration;
  const declared = config?.root_module?.variables;
  const names = new Set(typeof declared === 'object' && declared !== null ? Object.keys(declared) : []);
  const problems: string[] = [];
  const seen = new Set<string>();
  // JSON files only: their keys are exact, a tfvars file's names are the runner's reading (tofu warns about those).
  for (const f of files.filter((file) => file.path.endsWith('.json'))) {
    for (const key of f.keys ?? []) {
      if (names.has(key) || seen.has(key)) continue;
      seen.add(key);
      problems.push(`variable "${key}" is not declared by the module${setBy(sourceOf(key, files))}`);
    }
  }
  return problems;
}

/** The InvalidVariables failure for some problems, or undefined when there are none. Pure. */
export function invalidVariables(problems: readonly string[]): RunnerError | undefined {
  if (problems.length === 0) return undefined;
  return new RunnerError(FailureCategory.InvalidVariables, `the variables cannot be used: ${[...new Set(problems)].join('; ')}`);
}
