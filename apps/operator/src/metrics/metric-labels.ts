// Label values of the operator's metrics. Every function here maps an unbounded input (URLs, HTTP
// methods, phases written by anyone who can edit an execution) to a small closed set, so the number
// of series stays bounded whatever the traffic or the cluster holds.
import { namespaceOf, type Phase } from '@tofu-operator/api-types';

/** The `controller` label of a reconciler kind, lower-case like controller-runtime's controller names. */
export const controllerLabel = (kind: string): string => kind.toLowerCase();

/** The `route` label of requests that matched no route (404s, probes of random URLs). */
export const UNMATCHED_ROUTE = '<unmatched>';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** The `method` label: the HTTP method, or OTHER for anything outside the usual set. */
export const methodLabel = (method: string | undefined): string => {
  const m = (method ?? '').toUpperCase();
  return METHODS.has(m) ? m : 'OTHER';
};

/** The parts of an Express request that name the route it matched. */
export interface RoutedRequest {
  baseUrl?: string;
  route?: { path?: unknown };
}

/**
 * The `route` label: the template of the route the request matched (`/api/v1/namespaces/:ns/modules/:name`),
 * never the URL itself, whose names and namespaces would make one series per object. `ownRoute` is
 * the route the caller itself is mounted as, if any: Nest mounts middleware as an Express route, so a
 * request that no handler matched still carries the middleware's own (`/{*path}`).
 */
export function routeLabel(req: RoutedRequest, ownRoute?: unknown): string {
  const route = req.route;
  if (!route || route === ownRoute || typeof route.path !== 'string' || route.path === '') return UNMATCHED_ROUTE;
  const full = `${req.baseUrl ?? ''}${route.path}`;
  return full.startsWith('/') ? full : `/${full}`;
}

/** Phases of an execution as the `phase` label shows them; Unknown covers no status yet and foreign values. */
export const EXECUTION_PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'] as const;
export type ExecutionPhaseLabel = (typeof EXECUTION_PHASES)[number];

const KNOWN_PHASES: ReadonlySet<string> = new Set<Phase>(['Pending', 'Running', 'Succeeded', 'Failed']);

/** The `phase` label of an execution. */
export const phaseLabel = (phase: string | undefined): ExecutionPhaseLabel =>
  phase !== undefined && KNOWN_PHASES.has(phase) ? (phase as Phase) : 'Unknown';

/** One series of the executions gauge. */
export interface ExecutionCount {
  namespace: string;
  phase: ExecutionPhaseLabel;
  count: number;
}

/**
 * Counts executions by namespace and phase. Every namespace that holds an execution gets a series for
 * each of the four phases of the API (0 included), so `phase="Failed"` reads 0 rather than vanishing;
 * Unknown appears only when some execution has no recognised phase. Namespaces without executions
 * have no series.
 */
export function countExecutionsByPhase(
  executions: Iterable<{ metadata: { namespace?: string }; status?: { phase?: string } }>,
): ExecutionCount[] {
  const byNamespace = new Map<string, Map<ExecutionPhaseLabel, number>>();
  for (const x of executions) {
    const ns = namespaceOf(x);
    let counts = byNamespace.get(ns);
    if (!counts) {
      counts = new Map(EXECUTION_PHASES.filter((p) => p !== 'Unknown').map((p) => [p, 0]));
      byNamespace.set(ns, counts);
    }
    const phase = phaseLabel(x.status?.phase);
    counts.set(phase, (counts.get(phase) ?? 0) + 1);
  }
  const out: ExecutionCount[] = [];
  for (const [namespace, counts] of [...byNamespace].sort(([a], [b]) => a.localeCompare(b))) {
    for (const [phase, count] of counts) out.push({ namespace, phase, count });
  }
  return out;
}
