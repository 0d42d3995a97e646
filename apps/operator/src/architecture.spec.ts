// The operator's rooms and their floors (docs/architecture.md, "Rooms"): a folder imports only from
// folders on lower floors, never from a sibling on its own floor or from above; the files import no
// cycle; no product file is over 300 lines. The rules read the source files themselves.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The floors, lowest first. A new folder has no floor until it is given one here (and in
 * docs/architecture.md): the test fails until then. "." is the files at the root (the application
 * module and main).
 */
const FLOORS: readonly (readonly string[])[] = [
  ['config'],
  ['kube'],
  ['execution'],
  ['http'],
  ['metrics', 'health'],
  ['runner-api', 'source', 'notify'],
  ['reconcile', 'logs'],
  ['api'],
  ['.'],
];

/** Longest product file, in lines. */
const MAX_LINES = 300;

const isSpec = (path: string) => path.endsWith('.spec.ts');
const folderOf = (path: string) => (path.includes('/') ? path.slice(0, path.indexOf('/')) : '.');
const floorOf = (folder: string) => FLOORS.findIndex((f) => f.includes(folder));

/** The files a source file imports from this tree (relative imports), as paths relative to the root. */
function localImports(path: string, text: string): string[] {
  const specifiers = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(?\s*)'(\.\.?\/[^']+)'/g)].map((m) => m[1] ?? '');
  return specifiers.map((s) => posix.normalize(posix.join(posix.dirname(path), s)).replace(/\.js$/, '.ts'));
}

/** Everything the rules find wrong with a tree of source files (path relative to src -> text). */
function violations(files: ReadonlyMap<string, string>): string[] {
  const found: string[] = [];
  const graph = new Map<string, string[]>();
  for (const [path, text] of files) {
    const folder = folderOf(path);
    if (floorOf(folder) < 0) found.push(`${path}: the folder "${folder}" has no floor: give it one in FLOORS`);
    const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    if (!isSpec(path) && lines > MAX_LINES) found.push(`${path}: ${lines} lines (at most ${MAX_LINES})`);
    if (isSpec(path)) continue; // a test may reach up, e.g. to the application module it checks
    const targets = localImports(path, text);
    graph.set(path, targets);
    for (const target of targets) {
      const to = folderOf(target);
      if (to === folder || floorOf(to) < 0 || floorOf(folder) < 0) continue;
      if (floorOf(to) >= floorOf(folder)) found.push(`${path} imports ${target}: "${to}" is not on a lower floor than "${folder}"`);
    }
  }
  // Cycles among product files: a depth-first search that meets a file still on its path.
  const state = new Map<string, 'open' | 'done'>();
  const visit = (file: string, path: string[]): void => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') {
      found.push(`import cycle: ${[...path.slice(path.indexOf(file)), file].join(' -> ')}`);
      return;
    }
    state.set(file, 'open');
    for (const next of graph.get(file) ?? []) if (graph.has(next)) visit(next, [...path, file]);
    state.set(file, 'done');
  };
  for (const file of graph.keys()) visit(file, []);
  return found;
}

/** The .ts files under a directory, by path relative to it (with "/"). */
function sources(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
        out.set(relative(root, full).split(sep).join('/'), readFileSync(full, 'utf8'));
    }
  };
  walk(root);
  return out;
}

describe('architecture rules', () => {
  // The rules on a made-up tree first, so a rule that cannot fail is noticed.
  const line = (n: number) => Array.from({ length: n }, (_, i) => `// ${i}`).join('\n') + '\n';
  const table: [string, Record<string, string>, RegExp | undefined][] = [
    ['a downward import', { 'reconcile/a.ts': "import { x } from '../kube/b.js';", 'kube/b.ts': '' }, undefined],
    ['an import within a folder', { 'logs/a.ts': "import { x } from './b.js';", 'logs/b.ts': '' }, undefined],
    [
      'an upward import',
      { 'kube/a.ts': "import { X } from '../reconcile/b.js';", 'reconcile/b.ts': '' },
      /kube\/a.ts imports reconcile\/b.ts/,
    ],
    ['a type-only upward import', { 'http/a.ts': "import type { X } from '../api/b.js';", 'api/b.ts': '' }, /http\/a.ts imports api\/b.ts/],
    [
      'a sibling on the same floor',
      { 'logs/a.ts': "export { x } from '../reconcile/b.js';", 'reconcile/b.ts': '' },
      /"reconcile" is not on a lower floor than "logs"/,
    ],
    ['a dynamic import upward', { 'execution/a.ts': "await import('../api/b.js');", 'api/b.ts': '' }, /execution\/a.ts imports api\/b.ts/],
    ['the root importing a folder', { 'main.ts': "import { A } from './api/a.js';", 'api/a.ts': '' }, undefined],
    ['a folder without a floor', { 'attic/a.ts': '' }, /"attic" has no floor/],
    [
      'a cycle',
      { 'api/a.ts': "import './b.js';", 'api/b.ts': "import './c.js';", 'api/c.ts': "import './a.js';" },
      /import cycle: api\/a.ts -> api\/b.ts -> api\/c.ts -> api\/a.ts/,
    ],
    ['a long product file', { 'api/a.ts': line(MAX_LINES + 1) }, /api\/a.ts: 301 lines/],
    ['a file of exactly the limit', { 'api/a.ts': line(MAX_LINES) }, undefined],
    ['a long spec, and a spec reaching up', { 'kube/a.spec.ts': line(400) + "import '../app.module.js';", 'app.module.ts': '' }, undefined],
  ];
  for (const [what, files, expected] of table) {
    it(`${what}: ${expected ? 'refused' : 'allowed'}`, () => {
      const found = violations(new Map(Object.entries(files)));
      if (expected)
        assert.ok(
          found.some((v) => expected.test(v)),
          `expected ${expected} in ${JSON.stringify(found)}`,
        );
      else assert.deepEqual(found, []);
    });
  }

  it('the operator keeps them: folders import only downward, no cycle, no product file over 300 lines', () => {
    const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
    const files = sources(src);
    assert.ok(files.has('app.module.ts') && files.size > 50, `read the sources from ${src}`);
    assert.deepEqual(violations(files), []);
  });
});
