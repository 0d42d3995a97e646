// The runtime keeps its shape: no file (specs included) over 300 lines and no import cycle among its
// modules. The rules read the source files themselves (from dist/, the sources are in ../src).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAX_LINES = 300;

/** Relative modules a source imports or re-exports, as paths from the source root ("kube/x.ts"). */
function localImports(path: string, text: string): string[] {
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'";]*?(?:from\s*)?'(\.{1,2}\/[^']+)'/g)].map((m) => m[1] ?? '');
  return specifiers.map((s) => posix.normalize(posix.join(posix.dirname(path), s)).replace(/\.js$/, '.ts'));
}

/** What breaks the rules in a set of sources (path from the source root → text). */
function problems(sources: Record<string, string>): string[] {
  const found: string[] = [];
  for (const [path, text] of Object.entries(sources)) {
    const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    if (lines > MAX_LINES) found.push(`${path}: ${lines} lines (at most ${MAX_LINES})`);
  }
  const graph = new Map(Object.entries(sources).map(([path, text]) => [path, localImports(path, text)]));
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (path: string): void => {
    state.set(path, 'open');
    stack.push(path);
    for (const next of graph.get(path) ?? []) {
      if (!graph.has(next)) found.push(`${path}: imports ${next}, which does not exist`);
      else if (state.get(next) === 'open') found.push(`cycle: ${[...stack.slice(stack.indexOf(next)), next].join(' -> ')}`);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(path, 'done');
  };
  for (const path of [...graph.keys()].sort()) if (!state.has(path)) visit(path);
  return found;
}

function readSources(root: string, dir = root, into: Record<string, string> = {}): Record<string, string> {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) readSources(root, full, into);
    else if (name.endsWith('.ts')) into[relative(root, full).split('\\').join('/')] = readFileSync(full, 'utf8');
  }
  return into;
}

const line = (n: number) => 'x\n'.repeat(n);

describe('reconcile-runtime architecture', () => {
  it('finds long files, cycles and imports of missing modules', () => {
    assert.deepEqual(
      problems({
        'a.ts': "import { b } from './kube/b.js';\n",
        'kube/b.ts': "export * from '../c.js';\n",
        'c.ts': "import type { A } from './a.js';\n" + line(300),
        'd.spec.ts': line(301),
        'e.ts': "import './gone.js';\n",
      }),
      [
        'c.ts: 301 lines (at most 300)',
        'd.spec.ts: 301 lines (at most 300)',
        'cycle: a.ts -> kube/b.ts -> c.ts -> a.ts',
        'e.ts: imports gone.ts, which does not exist',
      ],
    );
    assert.deepEqual(problems({ 'a.ts': "import { b } from './b.js';\nimport { x } from 'pino';\n", 'b.ts': line(300) }), []);
  });

  it('the runtime keeps them: no file over 300 lines, no import cycle', () => {
    const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
    const sources = readSources(root);
    assert.ok(Object.keys(sources).length > 20, `read the sources in ${root}`);
    assert.deepEqual(problems(sources), []);
  });
});
