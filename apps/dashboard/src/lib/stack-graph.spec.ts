import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TofuStack } from '@tofu-operator/api-types';
import { stackGraph } from './stack-graph.ts';

function stack(name: string, deps: string[] = [], inputs: [string, string][] = [], phase?: string): TofuStack {
  return {
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuStack',
    metadata: { name },
    spec: {
      moduleRef: { name: 'm' },
      ...(deps.length ? { dependsOn: deps.map((d) => ({ name: d })) } : {}),
      ...(inputs.length ? { inputsFrom: inputs.map(([s, o]) => ({ stackRef: { name: s }, output: o, variable: o })) } : {}),
    },
    ...(phase ? { status: { phase } } : {}),
  } as TofuStack;
}

const layerOf = (g: ReturnType<typeof stackGraph>) => Object.fromEntries(g.nodes.map((n) => [n.name, n.layer]));

describe('stackGraph', () => {
  it('puts each stack one layer right of its deepest dependency', () => {
    const g = stackGraph([
      stack('app', ['net'], [['db', 'url']]),
      stack('db', ['net'], [], 'Ready'),
      stack('net', [], [], 'Ready'),
      stack('alone'),
    ]);
    assert.deepEqual(layerOf(g), { alone: 0, app: 2, db: 1, net: 0 });
    assert.equal(g.layers, 3);
    assert.deepEqual(g.cycles, []);
    assert.deepEqual(
      g.edges.map((e) => `${e.from}->${e.to} ${e.via.join('+')} ${e.outputs.join(',')}`),
      ['db->app inputsFrom url', 'net->app dependsOn ', 'net->db dependsOn '],
    );
    assert.equal(g.nodes.find((n) => n.name === 'db')?.phase, 'Ready');
    const rows = g.nodes.filter((n) => n.layer === 0).map((n) => n.row);
    assert.deepEqual(rows, [0, 1], 'distinct rows within a layer');
  });

  it('merges dependsOn and inputsFrom on the same pair into one edge', () => {
    const g = stackGraph([
      stack('net'),
      stack(
        'app',
        ['net'],
        [
          ['net', 'a'],
          ['net', 'b'],
        ],
      ),
    ]);
    assert.deepEqual(
      g.edges.map((e) => [e.via, e.outputs]),
      [
        [
          ['dependsOn', 'inputsFrom'],
          ['a', 'b'],
        ],
      ],
    );
  });

  it('marks the edges of a cycle, names its stacks and lays the rest out after it', () => {
    const g = stackGraph([stack('a', ['c']), stack('b', ['a']), stack('c', ['b']), stack('d', ['c']), stack('self', ['self'])]);
    assert.deepEqual(g.cycles.sort(), [['a', 'b', 'c'], ['self']]);
    assert.deepEqual(
      g.edges.filter((e) => e.cycle).map((e) => `${e.from}->${e.to}`),
      ['a->b', 'b->c', 'c->a', 'self->self'],
    );
    assert.equal(g.edges.find((e) => e.to === 'd')?.cycle, false);
    const l = layerOf(g);
    assert.equal(l['a'], l['b']);
    assert.equal(l['d'], l['a']! + 1);
  });

  it('shows a dependency that does not exist as a missing node', () => {
    const g = stackGraph([stack('app', ['gone'])]);
    assert.deepEqual(
      g.nodes.map((n) => [n.name, n.missing, n.layer]),
      [
        ['app', false, 1],
        ['gone', true, 0],
      ],
    );
  });

  it("marks a stack whose module is gone with the Ready condition's reason", () => {
    const stranded = stack('app', [], [], 'Pending');
    stranded.status!.conditions = [
      {
        type: 'Ready',
        status: 'False',
        reason: 'ModuleNotFound',
        message: 'TofuModule "m" not found',
        lastTransitionTime: '2026-01-01T00:00:00Z',
      },
    ];
    const g = stackGraph([stranded, stack('queued', [], [], 'Pending')]);
    assert.deepEqual(
      g.nodes.map((n) => [n.name, n.phase, n.problem]),
      [
        ['app', 'Pending', 'ModuleNotFound'],
        ['queued', 'Pending', undefined],
      ],
    );
  });

  it('is empty for no stacks', () => {
    assert.deepEqual(stackGraph([]), { nodes: [], edges: [], cycles: [], layers: 0 });
  });
});
