/**
 * Lists what one workspace of this npm-workspaces monorepo needs at run time, from the installed
 * node_modules tree (no registry, no lockfile): the workspace itself, the workspace libraries it
 * depends on (node_modules/@tofu-operator/* are symlinks into libs/), and every third-party package
 * of the production closure (dependencies, optionalDependencies that are installed, and required
 * peerDependencies), found the way Node resolves them: node_modules of the requiring package, then
 * of each parent directory up to the repository root.
 *
 * Prints one tab-separated line per package, sorted: `<kind>\t<source>\t<destination>`, both paths
 * relative to the repository root. kind is `app`, `lib` (a workspace: copy its package.json and
 * built dist, never its sources) or `pkg` (copy the directory without its own node_modules). The
 * destination is the path in the image's app root: a library goes to node_modules/<name>, a
 * package keeps its path (its nesting below a library follows the library).
 *
 * Usage: node tools/images/prod-deps.ts <repo-root> <workspace-dir>   e.g. . apps/operator
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

interface PackageJson {
  name?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

class DependencyError extends Error {
  override name = 'DependencyError';
}

const [rootArg, workspaceArg] = process.argv.slice(2);
if (!rootArg || !workspaceArg) throw new DependencyError('usage: prod-deps.ts <repo-root> <workspace-dir>');
const root = realpathSync(rootArg);

const readPackage = (dir: string): PackageJson => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
const rel = (abs: string): string => relative(root, abs).split(sep).join('/');
const insideNodeModules = (abs: string): boolean => rel(abs).split('/').includes('node_modules');

/** Where `name` resolves from a package at `fromDir`, the way Node looks it up; undefined if nowhere. */
function resolveFrom(fromDir: string, name: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === root || dir === dirname(dir)) return undefined;
  }
}

interface Entry {
  kind: 'app' | 'lib' | 'pkg';
  source: string;
  destination: string;
}

const entries = new Map<string, Entry>(); // by real source directory
/** Workspace directories (relative) and where they go: a path below one moves with it. */
const workspaceDestinations = new Map<string, string>();

function destinationOf(source: string): string {
  let best = '';
  for (const ws of workspaceDestinations.keys()) if ((source + '/').startsWith(ws + '/') && ws.length > best.length) best = ws;
  return best ? workspaceDestinations.get(best)! + source.slice(best.length) : source;
}

const queue: string[] = [];
function add(kind: Entry['kind'], dir: string): void {
  const real = realpathSync(dir);
  if (entries.has(real)) return;
  if (kind === 'pkg') {
    // The path it was found at decides where it goes (its nesting is what makes Node find it).
    const source = rel(dir);
    entries.set(real, { kind, source, destination: destinationOf(source) });
  } else {
    const source = rel(real);
    const destination = kind === 'app' ? source : `node_modules/${readPackage(real).name}`;
    workspaceDestinations.set(source, destination);
    entries.set(real, { kind, source, destination });
  }
  queue.push(kind === 'pkg' ? dir : real);
}

add('app', join(root, workspaceArg));
while (queue.length > 0) {
  const dir = queue.shift()!;
  const pkg = readPackage(dir);
  const optionalPeers = new Set(Object.entries(pkg.peerDependenciesMeta ?? {}).flatMap(([n, m]) => (m.optional ? [n] : [])));
  const wanted: [string, boolean][] = [
    ...Object.keys(pkg.dependencies ?? {}).map((n): [string, boolean] => [n, true]),
    ...Object.keys(pkg.optionalDependencies ?? {}).map((n): [string, boolean] => [n, false]),
    ...Object.keys(pkg.peerDependencies ?? {})
      .filter((n) => !optionalPeers.has(n))
      .map((n): [string, boolean] => [n, true]),
  ];
  for (const [name, required] of wanted) {
    const found = resolveFrom(dir, name);
    if (!found) {
      if (required) throw new DependencyError(`${name}, needed by ${rel(dir) || '.'}, is not installed (run npm ci)`);
      continue;
    }
    const real = realpathSync(found);
    add(real.startsWith(root + sep) && !insideNodeModules(real) ? 'lib' : 'pkg', found);
  }
}

const seen = new Map<string, string>();
for (const e of entries.values()) {
  const other = seen.get(e.destination);
  if (other !== undefined) throw new DependencyError(`${e.source} and ${other} would both go to ${e.destination}`);
  seen.set(e.destination, e.source);
}
const lines = [...entries.values()].map((e) => `${e.kind}\t${e.source}\t${e.destination}`).sort();
process.stdout.write(lines.join('\n') + '\n');
