'use client';
import type { TofuStack } from '@tofu-operator/api-types';
import { stackGraph, type GraphNode } from '../lib/stack-graph.ts';

const COL = 210;
const ROW = 64;
const W = 170;
const H = 42;
const PAD = 16;
/** Room on the left for the arcs between stacks of one cycle (drawn left of their column). */
const LEFT = 56;

const PHASE_COLOR: Record<string, string> = {
  Ready: 'var(--ok)',
  Succeeded: 'var(--ok)',
  Failed: 'var(--bad)',
  Running: 'var(--run)',
  Planning: 'var(--run)',
  Applying: 'var(--run)',
  Pending: 'var(--warn)',
  AwaitingApproval: 'var(--warn)',
};

const x = (n: GraphNode) => LEFT + n.layer * COL;
const y = (n: GraphNode) => PAD + n.row * ROW;

/**
 * The dependency graph of a namespace's stacks as plain SVG: one column per layer (dependencies on
 * the left), an arrow from each dependency to the stack that needs it, edges of a cycle in red and
 * dashed (the operator refuses those stacks). Each node links to its stack.
 */
export function StackGraphView({ ns, stacks }: { ns: string; stacks: readonly TofuStack[] }) {
  const g = stackGraph(stacks);
  if (g.edges.length === 0) return <p className="muted">No stack depends on another.</p>;
  const byName = new Map(g.nodes.map((n) => [n.name, n]));
  const rows = Math.max(...g.nodes.map((n) => n.row)) + 1;
  const width = LEFT + PAD + (g.layers - 1) * COL + W;
  const height = PAD * 2 + (rows - 1) * ROW + H;
  return (
    <div data-testid="stack-graph">
      {g.cycles.length > 0 && (
        <p className="form-error" role="alert" data-testid="graph-cycles">
          {g.cycles.length === 1 ? 'A cycle' : `${g.cycles.length} cycles`}: {g.cycles.map((c) => c.join(' → ')).join('; ')}. These stacks
          do not plan until it is broken.
        </p>
      )}
      <div style={{ overflowX: 'auto' }}>
        <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`Dependencies of the stacks in ${ns}`}>
          <defs>
            <marker id="graph-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path d="M 0 0 L 10 5 L 0 10 z" fill="var(--muted)" />
            </marker>
            <marker
              id="graph-arrow-cycle"
              viewBox="0 0 10 10"
              refX="9"
              refY="5"
              markerWidth="7"
              markerHeight="7"
              orient="auto-start-reverse"
            >
              <path d="M 0 0 L 10 5 L 0 10 z" fill="var(--bad)" />
            </marker>
          </defs>
          {g.edges.map((e) => {
            const a = byName.get(e.from)!;
            const b = byName.get(e.to)!;
            let d: string;
            if (a === b) {
              // A stack depending on itself: a loop above its box.
              d = `M ${x(a) + W - 30} ${y(a)} C ${x(a) + W - 10} ${y(a) - 30}, ${x(a) + W + 20} ${y(a) + 5}, ${x(a) + W} ${y(a) + 12}`;
            } else if (a.layer === b.layer) {
              // In one cycle: an arc left of the column, clear of the edges leaving it on the right.
              const x1 = x(a);
              const bend = Math.min(LEFT - 6, 20 + 12 * Math.abs(a.row - b.row));
              d = `M ${x1} ${y(a) + H / 2} C ${x1 - bend} ${y(a) + H / 2}, ${x1 - bend} ${y(b) + H / 2}, ${x1} ${y(b) + H / 2}`;
            } else {
              const x1 = x(a) + W;
              const x2 = x(b);
              const mid = (x1 + x2) / 2;
              d = `M ${x1} ${y(a) + H / 2} C ${mid} ${y(a) + H / 2}, ${mid} ${y(b) + H / 2}, ${x2} ${y(b) + H / 2}`;
            }
            const title = `${e.from} → ${e.to}: ${e.via.join(' and ')}${e.outputs.length ? ` (outputs ${e.outputs.join(', ')})` : ''}${e.cycle ? ' — in a cycle' : ''}`;
            return (
              <path
                key={`${e.from}>${e.to}`}
                d={d}
                fill="none"
                stroke={e.cycle ? 'var(--bad)' : 'var(--muted)'}
                strokeWidth={e.cycle ? 2 : 1.5}
                strokeDasharray={e.cycle ? '6 4' : undefined}
                markerEnd={`url(#${e.cycle ? 'graph-arrow-cycle' : 'graph-arrow'})`}
                data-testid={`graph-edge-${e.from}-${e.to}`}
                data-cycle={e.cycle ? 'true' : 'false'}
              >
                <title>{title}</title>
              </path>
            );
          })}
          {g.nodes.map((n) => (
            <a
              key={n.name}
              href={n.missing ? undefined : `/ns/${encodeURIComponent(ns)}/stacks/${encodeURIComponent(n.name)}`}
              data-testid={`graph-node-${n.name}`}
            >
              <rect
                x={x(n)}
                y={y(n)}
                width={W}
                height={H}
                rx={6}
                fill="var(--surface)"
                stroke={n.missing || n.problem ? 'var(--bad)' : (PHASE_COLOR[n.phase ?? ''] ?? 'var(--border)')}
                strokeWidth={2}
                strokeDasharray={n.missing ? '4 3' : undefined}
              />
              <text x={x(n) + 10} y={y(n) + 17} fill="var(--text)" fontSize="13" fontWeight="600">
                {n.name.length > 22 ? `${n.name.slice(0, 21)}…` : n.name}
              </text>
              <text x={x(n) + 10} y={y(n) + 33} fill={n.problem ? 'var(--bad)' : 'var(--muted)'} fontSize="11">
                {n.missing ? 'not found' : (n.problem ?? n.phase ?? 'Unknown')}
              </text>
              <title>{n.name}</title>
            </a>
          ))}
        </svg>
      </div>
    </div>
  );
}
