/**
 * The dependency graph of a namespace's stacks (dependsOn and inputsFrom) laid out in layers: a
 * stack sits one layer right of its deepest dependency. Stacks in a cycle share one layer and the
 * edges between them are marked, as the operator refuses such stacks (DependenciesReady False).
 * Pure: the page draws what this returns.
 */
import type { TofuStack } from '@tofu-operator/api-types';
import { ownerProblem } from './owner-state.ts';

export interface GraphNode {
  name: string;
  /** status.phase; undefined for a stack that is referenced but does not exist. */
  phase: string | undefined;
  missing: boolean;
  /** The reason of a stack that cannot run until someone acts (its module is gone), when it has one. */
  problem?: string;
  layer: number;
  /** Position in its layer, from the top. */
  row: number;
}

export interface GraphEdge {
  /** The dependency. */
  from: string;
  /** The stack that depends on it. */
  to: string;
  /** Why: dependsOn, inputsFrom (with the output names), or both. */
  via: ('dependsOn' | 'inputsFrom')[];
  outputs: string[];
  /** Both ends are in the same cycle. */
  cycle: boolean;
}

export interface StackGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Each cycle's stacks, sorted; a stack depending on itself is a cycle of one. */
  cycles: string[][];
  layers: number;
}

/** Strongly connected components (Tarjan), each sorted, in no particular order. */
function components(names: readonly string[], next: (n: string) => readonly string[]): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of next(v)) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      out.push(comp.sort());
    }
  };
  for (const n of names) if (!idx.has(n)) visit(n);
  return out;
}

export function stackGraph(stacks: readonly TofuStack[]): StackGraph {
  const phase = new Map(stacks.map((s) => [s.metadata.name ?? '', s.status?.phase as string | undefined]));
  const problems = new Map(stacks.map((s) => [s.metadata.name ?? '', ownerProblem(s)?.reason]));
  const edges = new Map<string, GraphEdge>();
  const add = (from: string, to: string, via: 'dependsOn' | 'inputsFrom', output?: string) => {
    const key = `${from}\u0000${to}`;
    const e = edges.get(key) ?? { from, to, via: [], outputs: [], cycle: false };
    if (!e.via.includes(via)) e.via.push(via);
    if (output && !e.outputs.includes(output)) e.outputs.push(output);
    edges.set(key, e);
  };
  for (const s of stacks) {
    const to = s.metadata.name ?? '';
    for (const d of s.spec.dependsOn ?? []) add(d.name, to, 'dependsOn');
    for (const i of s.spec.inputsFrom ?? []) add(i.stackRef.name, to, 'inputsFrom', i.output);
  }
  const names = [...new Set([...phase.keys(), ...[...edges.values()].flatMap((e) => [e.from, e.to])])].sort();
  const deps = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const e of edges.values()) deps.get(e.to)!.push(e.from);
  const comps = components(names, (n) => deps.get(n) ?? []);
  const compOf = new Map<string, number>();
  comps.forEach((c, i) => c.forEach((n) => compOf.set(n, i)));
  const cycles = comps.filter((c) => c.length > 1 || edges.has(`${c[0]}\u0000${c[0]}`));
  for (const e of edges.values()) e.cycle = compOf.get(e.from) === compOf.get(e.to);
  // Tarjan emits a component after every component it depends on: one pass gives the layers.
  const layerOfComp: number[] = [];
  comps.forEach((c, i) => {
    let layer = 0;
    for (const n of c)
      for (const d of deps.get(n) ?? []) {
        const j = compOf.get(d)!;
        if (j !== i) layer = Math.max(layer, layerOfComp[j]! + 1);
      }
    layerOfComp[i] = layer;
  });
  const rows = new Map<number, number>();
  const nodes: GraphNode[] = names.map((name) => {
    const layer = layerOfComp[compOf.get(name)!]!;
    const row = rows.get(layer) ?? 0;
    rows.set(layer, row + 1);
    const problem = problems.get(name);
    return { name, phase: phase.get(name), missing: !phase.has(name), ...(problem ? { problem } : {}), layer, row };
  });
  const sortedEdges = [...edges.values()].sort((a, b) => (a.from + a.to < b.from + b.to ? -1 : 1));
  return { nodes, edges: sortedEdges, cycles, layers: nodes.length ? Math.max(...nodes.map((n) => n.layer)) + 1 : 0 };
}
