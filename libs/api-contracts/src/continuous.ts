// REST contracts of continuous reconciliation (issue 13): "check drift now" and the run queue.
import type { ExecutionAction, ExecutionPurpose } from '@tofu-operator/api-types';
import { API_PREFIX, type PlannableKind } from './rest.js';

/**
 * The answer (202) of `POST …/{modules|stacks}/{name}/drift-check`: the value written to the
 * annotation tofu-operator.io/drift-check-requested-at. The operator runs the check when it picks the
 * request up; the owner's status.drift reports it.
 */
export interface DriftCheckResponse {
  requestedAt: string;
}

/** One execution waiting in the run queue (its status.queue is set). */
export interface QueueEntry {
  namespace: string;
  /** The execution. */
  name: string;
  /** Its stack (stackRef) or, for a module's own run, its module (moduleRef). */
  owner: { kind: 'TofuModule' | 'TofuStack'; name: string };
  action: ExecutionAction;
  /** Change (default) or DriftCheck. */
  purpose: ExecutionPurpose;
  /** Place in its queue, 1 = next. */
  position: number;
  /** How many runs wait in the same queue, when the operator reported it. */
  length?: number;
  /** Which cap it waits for: Operator (MAX_CONCURRENT_RUNS) or Namespace (the namespace's cap). */
  limit: 'Operator' | 'Namespace';
  /** When it started waiting. */
  since?: string;
}

/**
 * The answer of `GET /api/v1/namespaces/{ns}/queue` and `GET /api/v1/queue` (every namespace the
 * caller may list executions in): the waiting executions ordered by position.
 */
export interface QueueList {
  kind: 'QueueList';
  items: QueueEntry[];
}

const seg = encodeURIComponent;

/** Builders of the REST paths of continuous reconciliation (relative to the service's origin). */
export const continuousPaths = {
  /** Requests a drift check now (no body): 202 with DriftCheckResponse, 409 without driftDetection. */
  driftCheck: (ns: string, kind: PlannableKind, name: string): string =>
    `${API_PREFIX}/namespaces/${seg(ns)}/${kind}/${seg(name)}/drift-check`,
  /** The run queue of one namespace, or of every namespace the caller may list executions in (QueueList). */
  queue: (ns?: string): string => (ns ? `${API_PREFIX}/namespaces/${seg(ns)}/queue` : `${API_PREFIX}/queue`),
} as const;

/**
 * The queue entries of executions (those with status.queue), ordered by position, then by when they
 * started waiting, then by namespace and name: the order in which they get a slot.
 */
export function queueEntries(
  executions: readonly {
    metadata: { namespace?: string; name?: string };
    spec?: { action?: ExecutionAction; purpose?: ExecutionPurpose; moduleRef?: { name: string }; stackRef?: { name: string } };
    status?: { queue?: { position: number; length?: number; limit: 'Operator' | 'Namespace'; since?: string } };
  }[],
): QueueEntry[] {
  const out: QueueEntry[] = [];
  for (const e of executions) {
    const q = e.status?.queue;
    if (!q) continue;
    const stack = e.spec?.stackRef?.name;
    out.push({
      namespace: e.metadata.namespace ?? '',
      name: e.metadata.name ?? '',
      owner: stack ? { kind: 'TofuStack', name: stack } : { kind: 'TofuModule', name: e.spec?.moduleRef?.name ?? '' },
      action: e.spec?.action ?? 'plan',
      purpose: e.spec?.purpose ?? 'Change',
      position: q.position,
      ...(q.length !== undefined ? { length: q.length } : {}),
      limit: q.limit,
      ...(q.since !== undefined ? { since: q.since } : {}),
    });
  }
  const key = (e: QueueEntry) => `${e.namespace}/${e.name}`;
  return out.sort(
    (a, b) => a.position - b.position || (a.since ?? '').localeCompare(b.since ?? '') || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0),
  );
}
