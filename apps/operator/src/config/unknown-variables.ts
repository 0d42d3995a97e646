import { OPERATOR_VARIABLES } from './operator-config.js';

const PREFIX = 'TOFU_OPERATOR_';

/**
 * TOFU_OPERATOR_* variables of other parts of the project that the operator may inherit (from a
 * developer's shell, `npm start`, or a ConfigMap shared with the dashboard). They are not the
 * operator's, and not mistakes either.
 */
export const OTHER_PROJECT_VARIABLES: readonly string[] = [
  // The dashboard's address of the operator API.
  'TOFU_OPERATOR_API_URL',
  // The development tools' binary cache and local cluster directory.
  'TOFU_OPERATOR_CACHE',
  'TOFU_OPERATOR_CLUSTER_DIR',
];

/**
 * What the kubelet injects for a Service whose name starts with "tofu-operator" (the operator's own is
 * "tofu-operator") when a pod keeps enableServiceLinks: TOFU_OPERATOR_SERVICE_HOST,
 * TOFU_OPERATOR_PORT_8080_TCP_ADDR, TOFU_OPERATOR_METRICS_SERVICE_PORT_HTTP, ...
 */
const SERVICE_LINK =
  /^TOFU_OPERATOR_(?:[A-Z0-9_]+_)?(?:SERVICE_HOST|SERVICE_PORT(?:_[A-Z0-9_]+)?|PORT(?:_\d+_(?:TCP|UDP|SCTP)(?:_(?:PROTO|PORT|ADDR))?)?)$/;

/** One TOFU_OPERATOR_* variable the operator does not read, with the setting it most resembles. */
export interface UnknownVariable {
  name: string;
  nearest: string;
}

/** Edit distance (insertions, deletions, substitutions) between two strings. Pure. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The known setting closest to `name`: the smallest edit distance relative to the longer name, so a
 * name missing a word (NO_COLOR for RUNNER_NO_COLOR) is nearer its setting than to a short unrelated
 * one (ROLE). Ties go to the first in `known`. Pure.
 */
export function nearestVariable(name: string, known: readonly string[] = OPERATOR_VARIABLES): string {
  let best = known[0] ?? '';
  let bestScore = Infinity;
  for (const candidate of known) {
    const score = editDistance(name, candidate) / Math.max(name.length, candidate.length, 1);
    if (score < bestScore) [best, bestScore] = [candidate, score];
  }
  return best;
}

/**
 * The TOFU_OPERATOR_* variables of `env` that no part of the operator reads: most likely misspelt
 * settings, which would otherwise be ignored without a word. Sorted by name. Pure.
 */
export function unknownVariables(env: NodeJS.ProcessEnv): UnknownVariable[] {
  return Object.keys(env)
    .filter((name) => name.startsWith(PREFIX))
    .filter((name) => !OPERATOR_VARIABLES.includes(name) && !OTHER_PROJECT_VARIABLES.includes(name) && !SERVICE_LINK.test(name))
    .sort()
    .map((name) => ({ name, nearest: nearestVariable(name) }));
}

/** The startup warnings about unknown TOFU_OPERATOR_* variables, one line each. Pure. */
export function unknownVariableWarnings(env: NodeJS.ProcessEnv): string[] {
  return unknownVariables(env).map(
    ({ name, nearest }) =>
      `${name} is not a setting of the operator and is ignored; did you mean ${nearest}? (the settings are listed in docs/operations.md)`,
  );
}
