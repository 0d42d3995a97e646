/**
 * What the module and stack pages show about inputs and outputs (issue 12), as pure view models:
 * the effective variables of a stack (its module's, overridden or added by its own), the references
 * its values come from (never their values), and its outputs with sensitive ones masked.
 */
import type { Condition, OutputsInfo, TofuModule, TofuStack } from '@tofu-operator/api-types';

/** What the page shows in place of a sensitive output's value (it never has the value). */
export const SENSITIVE_MASK = '(sensitive)';

export interface VariableView {
  name: string;
  /** JSON text of the value as the spec sets it. */
  value: string;
  /** module: only the module sets it; stack: only the stack; overridden: the stack's wins over the module's. */
  from: 'module' | 'stack' | 'overridden';
}

/** A reference a value comes from, in the order the runner applies them. */
export interface SourceView {
  kind: 'ConfigMap' | 'Secret' | 'File' | 'Output';
  name: string;
  /** Whose spec names it. */
  of: 'module' | 'stack';
  detail?: string;
}

const vars = (o: TofuModule | TofuStack | undefined) => (o?.spec.variables ?? {}) as Record<string, unknown>;

/** The variables of a module (all "module"), or of a stack with its module's (`module` may be missing). */
export function effectiveVariables(owner: TofuModule | TofuStack, module?: TofuModule): VariableView[] {
  const isStack = owner.kind === 'TofuStack';
  const base = isStack ? vars(module) : vars(owner);
  const own = isStack ? vars(owner) : {};
  const names = [...new Set([...Object.keys(base), ...Object.keys(own)])].sort();
  return names.map((name) => {
    const inOwn = Object.hasOwn(own, name);
    const inBase = Object.hasOwn(base, name);
    return {
      name,
      value: JSON.stringify(inOwn ? own[name] : base[name]),
      from: inOwn && inBase ? 'overridden' : inOwn ? 'stack' : 'module',
    };
  });
}

/** The ConfigMaps, Secrets, files and other stacks' outputs the values come from, as references. */
export function inputSources(owner: TofuModule | TofuStack, module?: TofuModule): SourceView[] {
  const isStack = owner.kind === 'TofuStack';
  const of = (o: TofuModule | TofuStack | undefined, who: 'module' | 'stack'): SourceView[] => [
    ...(o?.spec.varFiles ?? []).map((p) => ({ kind: 'File' as const, name: p, of: who })),
    ...(o?.spec.varsFrom ?? []).map((s) => ({ kind: s.kind, name: s.name, of: who, ...(s.optional ? { detail: 'optional' } : {}) })),
  ];
  const stack = isStack ? owner : undefined;
  return [
    ...of(isStack ? module : owner, 'module'),
    ...(isStack ? of(owner, 'stack') : []),
    ...(stack?.spec.inputsFrom ?? []).map((i) => ({
      kind: 'Output' as const,
      name: i.stackRef.name,
      of: 'stack' as const,
      detail: `output ${i.output} → variable ${i.variable}`,
    })),
  ];
}

export interface OutputView {
  name: string;
  state: 'value' | 'sensitive' | 'omitted' | 'absent';
  /** JSON text of a non-sensitive value; never set for a sensitive one. */
  value?: string;
}

/**
 * One row per output name of `outputsInfo.names` (and any value without a name there). A name listed
 * as sensitive is masked even if a value were present: the page never prints one.
 */
export function outputViews(outputs: Record<string, unknown> | undefined, info: OutputsInfo | undefined): OutputView[] {
  const sensitive = new Set(info?.sensitive ?? []);
  const omitted = new Set(info?.omitted ?? []);
  const values = outputs ?? {};
  const names = [...new Set([...(info?.names ?? []), ...Object.keys(values), ...sensitive, ...omitted])].sort();
  return names.map((name): OutputView => {
    if (sensitive.has(name)) return { name, state: 'sensitive' };
    if (Object.hasOwn(values, name)) return { name, state: 'value', value: JSON.stringify(values[name]) };
    return { name, state: omitted.has(name) ? 'omitted' : 'absent' };
  });
}

/** The DependenciesReady condition of a stack, if it has one. */
export function dependenciesReady(conditions: readonly Condition[] | undefined): Condition | undefined {
  return conditions?.find((c) => c.type === 'DependenciesReady');
}
