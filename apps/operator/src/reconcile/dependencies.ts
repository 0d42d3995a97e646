// A stack's dependencies (issue 12): the stacks it names in spec.dependsOn and spec.inputsFrom must
// exist, must have applied successfully (status.outputsInfo is written after a successful apply), and
// must have the outputs it reads; the graph they form must have no cycle. Pure: the stack reconciler
// reads the stacks from its cache and reports the outcome as the DependenciesReady condition.
import { nameOf, type TofuStack } from '@tofu-operator/api-types';

/** Reasons of DependenciesReady=False. */
export const DependencyReason = {
  /** A named stack does not exist in the namespace, or is being deleted. */
  NotFound: 'DependencyNotFound',
  /** A named stack has not applied successfully yet (no status.outputsInfo). */
  NotApplied: 'DependencyNotApplied',
  /** The stacks depend on each other in a circle; the message names it in order. */
  Cycle: 'DependencyCycle',
  /** spec.inputsFrom names an output the stack's latest apply did not produce. */
  OutputMissing: 'OutputMissing',
} as const;

/** Whether a stack may plan now, with the variables its inputsFrom take from other stacks. */
export type DependencyState =
  | { ready: true; inputs: { variable: string; stack: string; output: string }[]; message: string }
  | { ready: false; reason: 'DependencyNotFound' | 'DependencyNotApplied' | 'DependencyCycle' | 'OutputMissing'; message: string };

/** Most stacks the cycle search visits; a graph larger than this is not searched further (no cycle is reported past it). */
export const MAX_DEPENDENCY_SEARCH = 1000;

/** The stacks a stack depends on: spec.dependsOn and every spec.inputsFrom stackRef, sorted, each once. */
export function dependencyNames(stack: TofuStack): string[] {
  const names = new Set<string>();
  for (const dep of stack.spec?.dependsOn ?? []) if (dep?.name) names.add(dep.name);
  for (const input of stack.spec?.inputsFrom ?? []) if (input?.stackRef?.name) names.add(input.stackRef.name);
  return [...names].sort();
}

const quoted = (names: readonly string[]): string => names.map((n) => `"${n}"`).join(', ');
const plural = (n: number, one: string, many: string): string => (n === 1 ? one : many);

/**
 * Whether `stack` may plan: no cycle through it or its dependencies, every dependency exists (and is
 * not being deleted), has applied successfully, and has every output spec.inputsFrom reads. The first
 * of these that fails is the reason (a cycle first: waiting would never end). `lookup` answers a stack
 * of the same namespace by name (the cache), undefined when there is none.
 */
export function evaluateDependencies(stack: TofuStack, lookup: (name: string) => TofuStack | undefined): DependencyState {
  const self = nameOf(stack);
  const find = (name: string): TofuStack | undefined => {
    const found = name === self ? stack : lookup(name);
    return found && !found.metadata?.deletionTimestamp ? found : undefined;
  };
  const cycle = findCycle(self, find);
  if (cycle) {
    const path = cycle.join(' → ');
    const message = cycle.includes(self)
      ? `dependency cycle: ${path}`
      : `dependency cycle: ${path} (reached from stack "${self}"); break the cycle to plan`;
    return { ready: false, reason: DependencyReason.Cycle, message };
  }
  const names = dependencyNames(stack);
  const missing = names.filter((n) => !find(n));
  if (missing.length > 0) {
    return {
      ready: false,
      reason: DependencyReason.NotFound,
      message: `${plural(missing.length, 'dependency', 'dependencies')} ${quoted(missing)} ${plural(missing.length, 'does', 'do')} not exist in the namespace (or ${plural(missing.length, 'is', 'are')} being deleted)`,
    };
  }
  const waiting = names.filter((n) => !find(n)?.status?.outputsInfo);
  if (waiting.length > 0) {
    return {
      ready: false,
      reason: DependencyReason.NotApplied,
      message: `waiting for ${plural(waiting.length, 'stack', 'stacks')} ${quoted(waiting)} to apply successfully`,
    };
  }
  const inputs: { variable: string; stack: string; output: string }[] = [];
  const absent: string[] = [];
  for (const input of stack.spec?.inputsFrom ?? []) {
    const from = input.stackRef.name;
    const outputs = find(from)?.status?.outputsInfo?.names ?? [];
    if (!outputs.includes(input.output)) {
      const has = outputs.length > 0 ? `its outputs are ${quoted([...outputs].sort())}` : 'it has no outputs';
      absent.push(`stack "${from}" has no output "${input.output}" (for variable "${input.variable}"; ${has})`);
    } else inputs.push({ variable: input.variable, stack: from, output: input.output });
  }
  if (absent.length > 0) return { ready: false, reason: DependencyReason.OutputMissing, message: absent.join('; ') };
  const message =
    names.length === 0 ? 'no dependencies' : `${plural(names.length, 'dependency', 'dependencies')} ${quoted(names)} applied successfully`;
  return { ready: true, inputs, message };
}

/**
 * The first cycle reachable from `start` (depth first, dependencies in name order), as the names
 * around it with the first repeated at the end (`a → b → a`; a self-dependency is `a → a`), or
 * undefined. A stack that does not exist ends its branch. Iterative, and bounded by
 * MAX_DEPENDENCY_SEARCH visited stacks.
 */
export function findCycle(start: string, find: (name: string) => TofuStack | undefined): string[] | undefined {
  const done = new Set<string>();
  const path: string[] = [];
  const onPath = new Set<string>();
  const stack: { name: string; next: string[] }[] = [];
  const enter = (name: string): void => {
    const found = find(name);
    path.push(name);
    onPath.add(name);
    stack.push({ name, next: found ? dependencyNames(found).reverse() : [] });
  };
  enter(start);
  let visited = 1;
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as { name: string; next: string[] };
    const dep = top.next.pop();
    if (dep === undefined) {
      stack.pop();
      path.pop();
      onPath.delete(top.name);
      done.add(top.name);
      continue;
    }
    if (onPath.has(dep)) return [...path.slice(path.indexOf(dep)), dep];
    if (done.has(dep)) continue;
    if (++visited > MAX_DEPENDENCY_SEARCH) return undefined;
    enter(dep);
  }
  return undefined;
}
