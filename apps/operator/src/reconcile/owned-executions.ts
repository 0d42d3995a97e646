// The owner reconciler's writes on executions it did not just create: adopting hand-made ones and
// deleting finished ones beyond the history limit.
import { Annotations, Defaults, nameOf, TofuExecutions, type TofuExecution } from '@tofu-operator/api-types';
import { isConflict, isNotFound, type KubeClient, type ReconcileContext } from '@tofu-operator/reconcile-runtime';
import { executionsToPrune, type Owner } from './owner-status.js';

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

/** Deletes the owner's finished executions beyond its history limit, oldest first, never `keep`. */
export async function pruneHistory(
  client: KubeClient,
  owner: Owner,
  executions: TofuExecution[],
  keep: string | undefined,
  ctx: ReconcileContext,
): Promise<void> {
  const limit = owner.spec.historyLimit ?? Defaults.historyLimit;
  for (const e of executionsToPrune(executions, limit, keep)) {
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
