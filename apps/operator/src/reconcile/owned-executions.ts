// The owner reconciler's writes on executions it did not just create: adopting hand-made ones and
// deleting finished ones beyond the history limit.
import { Annotations, Defaults, nameOf, TofuExecutions, type TofuExecution } from '@tofu-operator/api-types';
import { isConflict, isNotFound, type KubeClient, type ReconcileContext } from '@tofu-operator/reconcile-runtime';
import { isTerminal } from '../execution/finished.js';
import { isDetectOnly } from './approval.js';
import { isDriftCheck } from './owner-source.js';
import { byNewest, executionsToPrune, type Owner } from './owner-status.js';

/** How many finished drift checks that found nothing (or failed) an owner keeps. */
export const KEPT_QUIET_DRIFT_CHECKS = 3;

/** A controller owner reference, as controllerRef makes it. */
type OwnerReference = NonNullable<TofuExecution['metadata']['ownerReferences']>[number];

/**
 * Executions a user created for an owner (moduleRef/stackRef, no owner) become its children.
 * Undefined when one changed since the cache showed it (a conflict): decide again once it shows
 * the current object, whose update event brings the owner back.
 */
export async function adoptOrphans(
  client: KubeClient,
  orphans: readonly TofuExecution[],
  ownerRef: OwnerReference,
  ctx: ReconcileContext,
): Promise<TofuExecution[] | undefined> {
  const adopted: TofuExecution[] = [];
  let changed = false;
  for (const e of orphans) {
    try {
      const patched = await client.mergePatch<TofuExecution>(TofuExecutions, e.metadata.namespace, nameOf(e), {
        metadata: {
          resourceVersion: e.metadata.resourceVersion,
          annotations: { [Annotations.createdAt]: e.metadata.annotations?.[Annotations.createdAt] ?? new Date().toISOString() },
          ownerReferences: [...(e.metadata.ownerReferences ?? []), ownerRef],
        },
      });
      adopted.push(patched);
      ctx.log.info({ execution: e.metadata.name }, 'adopted execution');
    } catch (err) {
      if (isConflict(err)) changed = true;
      else if (!isNotFound(err)) throw err; // deleted: nothing to adopt
    }
  }
  return changed ? undefined : adopted;
}

/**
 * A finished drift check nobody acts on: it found no drift, failed, or only reports (mode Detect; the
 * status keeps what the newest one found).
 */
function isQuietDriftCheck(e: TofuExecution): boolean {
  const changes = e.status?.phase === 'Succeeded' && e.status.plan?.hasChanges === true;
  return isDriftCheck(e) && isTerminal(e) && (!changes || isDetectOnly(e));
}

/**
 * What goes beyond the history: finished executions past the history limit, oldest first, and quiet
 * drift checks past the last few (they count apart, so checks every few minutes never push plans of
 * changes and applies out of the history). Never `keep` nor one named in `alsoKeep`. Pure.
 */
export function beyondHistory(
  executions: TofuExecution[],
  limit: number,
  keep: string | undefined,
  alsoKeep: readonly string[] = [],
): TofuExecution[] {
  const kept = (e: TofuExecution) => nameOf(e) === keep || alsoKeep.includes(nameOf(e));
  const quiet = executions.filter(isQuietDriftCheck).sort(byNewest);
  const others = executions.filter((e) => !isQuietDriftCheck(e) && !alsoKeep.includes(nameOf(e)));
  const quietBeyond = quiet
    .slice(KEPT_QUIET_DRIFT_CHECKS)
    .filter((e) => !kept(e))
    .reverse();
  return [...quietBeyond, ...executionsToPrune(others, limit, keep)];
}

/**
 * Deletes the owner's finished executions beyond its history (beyondHistory), oldest first, never
 * `keep` nor those in `alsoKeep`. Their log chunks and stored plans are owned by them and go with them.
 */
export async function pruneHistory(
  client: KubeClient,
  owner: Owner,
  executions: TofuExecution[],
  keep: string | undefined,
  ctx: ReconcileContext,
  alsoKeep: readonly string[] = [],
): Promise<void> {
  const limit = owner.spec.historyLimit ?? Defaults.historyLimit;
  for (const e of beyondHistory(executions, limit, keep, alsoKeep)) {
    try {
      await client.delete(TofuExecutions, e.metadata.namespace, nameOf(e), {
        propagationPolicy: 'Background',
        preconditions: { uid: e.metadata.uid },
      });
      ctx.log.info({ execution: e.metadata.name, historyLimit: limit }, 'deleted execution beyond the history limit');
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
