// Keeps the documentation true to the code (run by tools/test.sh; conventions in docs/README.md):
//
// 1. Runnable blocks: a shell block of README.md or docs/ marked `<!-- runnable: <id> -->` must be
//    run by a test, which finds it by that same marker, so every marker must appear in some test
//    file and every marker a test looks for must exist in the docs.
// 2. Operator settings: the TOFU_OPERATOR_* variables the operator's configuration reads
//    (apps/operator/src/config/operator-config.ts) and those in the configuration table of
//    docs/operations.md must be the same, both ways, each written out in full.
//
//   node tools/check-docs.ts      exit 0 when both hold, else 1 with one line per problem
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** A shell block marked as run by a test. */
export interface RunnableBlock {
  /** The marker's id, unique across the docs. */
  id: string;
  /** The Markdown file, relative to the repository root. */
  file: string;
  /** 1-based line of the marker. */
  line: number;
}

/** Fence info strings that make a block a shell block. */
const SHELL_INFO = new Set(['sh', 'bash', 'shell']);
const MARKER = /^\s*<!--\s*runnable:\s*(.*?)\s*-->\s*$/;
const ID = /^[a-z0-9][a-z0-9-]*$/;
const FENCE = /^\s*(`{3,}|~{3,})\s*([^\s`]*)/;

/**
 * The runnable markers of one Markdown file, and what is wrong with them: a marker must carry an id
 * (lower-case letters, digits, "-") and mark the next fenced block, which must be a shell block
 * (` ```sh `, `bash` or `shell`), with no other marker in between. Markers inside code blocks are
 * text, not markers.
 */
export function findRunnableBlocks(markdown: string, file: string): { blocks: RunnableBlock[]; errors: string[] } {
  const blocks: RunnableBlock[] = [];
  const errors: string[] = [];
  let open: { fence: string } | undefined;
  let pending: RunnableBlock | undefined;
  markdown.split('\n').forEach((text, i) => {
    const line = i + 1;
    const fence = FENCE.exec(text);
    if (open) {
      // A closing fence is the same character, at least as long, with nothing after it.
      if (fence && fence[1]![0] === open.fence[0] && fence[1]!.length >= open.fence.length && fence[2] === '') open = undefined;
      return;
    }
    if (fence) {
      open = { fence: fence[1]! };
      if (pending) {
        if (SHELL_INFO.has(fence[2]!)) blocks.push(pending);
        else
          errors.push(
            `${file}:${pending.line}: runnable marker "${pending.id}" is followed by a ${fence[2] || 'plain'} block, not a shell block`,
          );
        pending = undefined;
      }
      return;
    }
    const marker = MARKER.exec(text);
    if (!marker) return;
    if (pending) errors.push(`${file}:${pending.line}: runnable marker "${pending.id}" marks no block before the next marker`);
    const id = marker[1]!;
    if (!ID.test(id)) {
      errors.push(`${file}:${line}: runnable marker needs an id of lower-case letters, digits and "-", got "${id}"`);
      pending = undefined;
      return;
    }
    pending = { id, file, line };
  });
  if (pending) errors.push(`${file}:${pending.line}: runnable marker "${pending.id}" marks no block (no fenced block follows)`);
  return { blocks, errors };
}

/** The ids of the runnable markers a test file contains (it finds its block by the marker's text). */
export function referencedRunnableIds(source: string): string[] {
  return [...source.matchAll(/<!--\s*runnable:\s*([a-z0-9][a-z0-9-]*)\s*-->/g)].map((m) => m[1]!);
}

/**
 * Problems between the marked blocks and the tests: a duplicate id, a block no test refers to, a
 * test referring to a marker that no doc has. `tests` maps a test file to the ids it refers to.
 */
export function checkRunnableBlocks(blocks: readonly RunnableBlock[], tests: ReadonlyMap<string, readonly string[]>): string[] {
  const errors: string[] = [];
  const byId = new Map<string, RunnableBlock>();
  for (const b of blocks) {
    const first = byId.get(b.id);
    if (first) errors.push(`${b.file}:${b.line}: runnable marker "${b.id}" is also at ${first.file}:${first.line}; ids must be unique`);
    else byId.set(b.id, b);
  }
  const referenced = new Set<string>();
  for (const [test, ids] of tests) {
    for (const id of ids) {
      referenced.add(id);
      if (!byId.has(id)) errors.push(`${test}: looks for the runnable marker "${id}", which no file of README.md or docs/ has`);
    }
  }
  for (const b of byId.values()) {
    if (!referenced.has(b.id)) {
      errors.push(
        `${b.file}:${b.line}: the block marked runnable "${b.id}" is run by no test (no test file contains "<!-- runnable: ${b.id} -->")`,
      );
    }
  }
  return errors;
}

/**
 * The TOFU_OPERATOR_* variables a source file names as whole string literals, which is how the
 * configuration reads them (`env['TOFU_OPERATOR_ROLE']`, `int(env, 'TOFU_OPERATOR_CONCURRENCY', 8)`);
 * a name inside a longer message is not a read.
 */
export function configVariables(source: string): string[] {
  const names = [...source.matchAll(/(['"`])(TOFU_OPERATOR_[A-Z0-9_]*[A-Z0-9])\1/g)].map((m) => m[2]!);
  return [...new Set(names)].sort();
}

/**
 * The TOFU_OPERATOR_* variables the configuration table documents: the first table after the heading
 * `## Configuration…`, names taken from its first column. A backticked name that starts with "_"
 * (an abbreviation such as `_BURST`) is an error: every name must be searchable as written.
 */
export function documentedVariables(markdown: string, file: string): { names: string[]; errors: string[] } {
  const lines = markdown.split('\n');
  const heading = lines.findIndex((l) => /^##\s+Configuration\b/.test(l));
  if (heading < 0) return { names: [], errors: [`${file}: no "## Configuration" section`] };
  let i = heading + 1;
  while (i < lines.length && !lines[i]!.startsWith('|') && !lines[i]!.startsWith('#')) i++;
  if (i >= lines.length || !lines[i]!.startsWith('|')) return { names: [], errors: [`${file}: the Configuration section has no table`] };
  const names: string[] = [];
  const errors: string[] = [];
  // Header row and separator first; then one row per setting, until the table ends.
  for (let row = i + 2; row < lines.length && lines[row]!.startsWith('|'); row++) {
    const firstCell = lines[row]!.split('|')[1] ?? '';
    for (const [, token] of firstCell.matchAll(/`([^`]+)`/g)) {
      if (token!.startsWith('_')) errors.push(`${file}:${row + 1}: "${token}" is abbreviated: write the variable's whole name`);
      else if (/^TOFU_OPERATOR_[A-Z0-9_]+$/.test(token!)) names.push(token!);
    }
  }
  return { names: [...new Set(names)].sort(), errors };
}

/** Differences between the variables read and those documented, one line each. */
export function compareVariables(read: readonly string[], documented: readonly string[], docFile: string, configDir: string): string[] {
  const doc = new Set(documented);
  const code = new Set(read);
  return [
    ...read.filter((n) => !doc.has(n)).map((n) => `${n} is read by ${configDir} but not documented in ${docFile}'s configuration table`),
    ...documented.filter((n) => !code.has(n)).map((n) => `${n} is documented in ${docFile} but ${configDir} does not read it`),
  ];
}

const SKIP_DIRS = new Set(['node_modules', 'dist', '.next', '.git', '.nx', '.cluster', 'test-output', 'test-results', 'coverage']);

/** Files under `dir` (relative to `root`, with "/") whose name passes `keep`, skipping build output. */
function walk(root: string, dir: string, keep: (name: string) => boolean): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const rel = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) out.push(...walk(root, rel, keep));
    } else if (keep(entry.name)) {
      out.push(rel);
    }
  }
  return out.sort();
}

/** Every problem of the repository at `root`; empty when the docs hold. */
export function checkRepository(root: string): string[] {
  const read = (file: string) => readFileSync(join(root, file), 'utf8');
  const errors: string[] = [];

  const docs = ['README.md', ...walk(root, 'docs', (n) => n.endsWith('.md')).map((f) => f.split(sep).join('/'))];
  const blocks: RunnableBlock[] = [];
  for (const file of docs) {
    const found = findRunnableBlocks(read(file), file);
    blocks.push(...found.blocks);
    errors.push(...found.errors);
  }
  // This checker's own tests hold example markers; they are not tests of the docs.
  const self = relative(root, fileURLToPath(import.meta.url)).replace(/\.ts$/, '.spec.ts');
  const tests = new Map<string, string[]>();
  for (const file of walk(root, '', (n) => /\.(spec|test)\.[cm]?[jt]sx?$/.test(n))) {
    if (file === self) continue;
    const ids = referencedRunnableIds(read(file));
    if (ids.length > 0) tests.set(file, ids);
  }
  errors.push(...checkRunnableBlocks(blocks, tests));

  // The file that reads the configuration (and exports its variables as ConfigVariables). Its
  // neighbours name other parts' variables on purpose (unknown-variables.ts), so they are not read.
  const configFile = 'apps/operator/src/config/operator-config.ts';
  const readVars = configVariables(read(configFile));
  if (readVars.length === 0) errors.push(`${configFile}: no TOFU_OPERATOR_* variable found; has the configuration moved?`);
  const docFile = 'docs/operations.md';
  const documented = documentedVariables(read(docFile), docFile);
  errors.push(...documented.errors, ...compareVariables(readVars, documented.names, docFile, configFile));
  return errors;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const root = join(fileURLToPath(import.meta.url), '..', '..');
  const errors = checkRepository(root);
  for (const e of errors) console.error(`check-docs: ${e}`);
  if (errors.length > 0) {
    console.error('check-docs: the conventions are in docs/README.md ("Keeping the docs true")');
    process.exit(1);
  }
  console.log('check-docs: runnable blocks are run by tests; docs/operations.md names every TOFU_OPERATOR_* variable the operator reads');
}
