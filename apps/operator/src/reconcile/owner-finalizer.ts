import { nameOf, namespaceOf, type ResourceType } from '@tofu-operator/api-types';
import { isConflict, isNotFound, type KubeClient, type ReconcileContext, type ReconcileResult } from '@tofu-operator/reconcile-runtime';
import type { OwnerKind } from '../runner-api/secret-names.js';
import type { StateStore } from '../runner-api/state-store.service.js';
import { CACHE_LAG_MS } from './delays.js';
import { finalizersWith, hasDestroyFinalizer, wantsDestroy } from './owner-deletion.js';
import type { Owner } from './owner-status.js';

/**
 * The writes of deleting a module or stack: the destroy finalizer (added and removed with a
 * resourceVersion precondition, never a blind read-modify-write of the list) and the state's removal.
 */
export class OwnerFinalizer {
  constructor(
    private readonly client: KubeClient,
    private readonly states: StateStore,
    private readonly resource: ResourceType,
    private readonly stateKind: OwnerKind,
  ) {}

  /**
   * Puts the destroy finalizer on an owner with deletionPolicy Destroy and takes it off otherwise.
   * Undefined when it matches now (the reconcile goes on: planning does not depend on it); a look
   * again when the owner changed meanwhile (a conflict).
   */
  async sync(owner: Owner, ctx: ReconcileContext): Promise<ReconcileResult | undefined> {
    const want = wantsDestroy(owner) && !owner.metadata.deletionTimestamp;
    if (hasDestroyFinalizer(owner) === want) return undefined;
    return this.patch(owner, want, ctx);
  }

  /** Removes the state (when asked) and then the finalizer: the object goes. */
  async release(owner: Owner, removeState: boolean, ctx: ReconcileContext): Promise<ReconcileResult> {
    if (removeState) {
      await this.states.remove({ namespace: namespaceOf(owner), kind: this.stateKind, owner: nameOf(owner) });
      ctx.log.info({ stateKind: this.stateKind }, 'removed the state');
    }
    return (await this.patch(owner, false, ctx)) ?? undefined;
  }

  private async patch(owner: Owner, want: boolean, ctx: ReconcileContext): Promise<ReconcileResult> {
    try {
      await this.client.mergePatch(this.resource, namespaceOf(owner), nameOf(owner), {
        // The resourceVersion makes the list replace conditional: a finalizer another controller
        // added meanwhile is never dropped (a conflict, and the next reconcile sees it).
        metadata: { resourceVersion: owner.metadata.resourceVersion, finalizers: finalizersWith(owner, want) },
      });
      ctx.log.info({ finalizer: want ? 'added' : 'removed' }, 'destroy finalizer');
      return undefined;
    } catch (err) {
      if (isNotFound(err)) return undefined; // gone already
      if (isConflict(err)) return { requeueAfterMs: CACHE_LAG_MS };
      throw err;
    }
  }
}
