import { jsonEqual, type Controller, type InformerEvent, type KubeObject, type Reconciler } from '@tofu-operator/reconcile-runtime';
import type { ClusterCache } from '../kube/cluster-cache.js';

/** The controllers' queues, by the kind they reconcile: watches map cache events to keys on them. */
export interface Queues {
  modules: Controller;
  stacks: Controller;
  executions: Controller;
}

/**
 * A reconciler that declares what it watches next to how it reconciles, like kubebuilder's
 * SetupWithManager beside Reconcile: the cache indexes it reads, and which cache events bring which
 * keys to which queue. Event handlers only compute keys; the reconcile reads the cache itself.
 */
export interface WatchingReconciler extends Reconciler {
  /** Registers the indexes and event handlers; called once, before the caches start. */
  setupWatches(queues: Queues): void;
}

/**
 * Whether an event can matter to the object's own reconciler: not a write of its status alone
 * (which the reconciler itself made). Like controller-runtime's GenerationChanged and
 * AnnotationChanged predicates together.
 */
export function specOrMetaChanged(event: InformerEvent, obj: KubeObject, old: KubeObject | undefined): boolean {
  if (event !== 'update' || !old) return true;
  const a = old.metadata ?? {};
  const b = obj.metadata ?? {};
  return (
    a.generation !== b.generation ||
    !a.deletionTimestamp !== !b.deletionTimestamp ||
    !jsonEqual(a.annotations, b.annotations) ||
    !jsonEqual(a.ownerReferences, b.ownerReferences)
  );
}

/** Whether an event changed the object's spec (its generation) or its deletion: not its status, labels or annotations. */
export function specChanged(event: InformerEvent, obj: KubeObject, old: KubeObject | undefined): boolean {
  return (
    event !== 'update' ||
    old?.metadata?.generation !== obj.metadata?.generation ||
    !old?.metadata?.deletionTimestamp !== !obj.metadata?.deletionTimestamp
  );
}

/**
 * Calls `changed` with the "namespace/Kind/name" key of each ConfigMap or Secret that appears,
 * changes (a new resourceVersion) or goes away: the owners whose varsFrom name it resolve again.
 */
export function onInputObjectChange(cache: Pick<ClusterCache, 'configMaps' | 'secrets'>, changed: (key: string) => void): void {
  for (const [kind, informer] of [
    ['ConfigMap', cache.configMaps],
    ['Secret', cache.secrets],
  ] as const) {
    informer.onEvent((e, o, old) => {
      if (e === 'update' && old?.metadata?.resourceVersion === o.metadata?.resourceVersion) return;
      changed(`${o.metadata?.namespace}/${kind}/${o.metadata?.name}`);
    });
  }
}
