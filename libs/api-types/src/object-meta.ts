/** The subset of Kubernetes ObjectMeta the project reads and writes. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
}

/** metav1.OwnerReference. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** Any object with Kubernetes metadata (ours, Jobs, Pods). */
export interface HasMetadata {
  metadata?: ObjectMeta;
}

/** The object's name; '' when it has none (an object not created yet, or a partial cache entry). */
export const nameOf = (obj: HasMetadata): string => obj.metadata?.name ?? '';

/** The object's namespace; '' for a cluster-scoped object. */
export const namespaceOf = (obj: HasMetadata): string => obj.metadata?.namespace ?? '';

/** The object's uid; '' before the API server has assigned one. */
export const uidOf = (obj: HasMetadata): string => obj.metadata?.uid ?? '';

/** The owner reference marked `controller`, if any: the one object that manages this one. */
export const controllerOf = (obj: HasMetadata): OwnerReference | undefined => obj.metadata?.ownerReferences?.find((r) => r.controller);

/** The uid of the object's controller owner, if it has one. */
export const controllerUid = (obj: HasMetadata): string | undefined => controllerOf(obj)?.uid;

/**
 * A controller owner reference to `owner`: the garbage collector deletes the owned object with it,
 * and a foreground deletion of the owner waits for it (blockOwnerDeletion).
 */
export function controllerRef(apiVersion: string, kind: string, owner: HasMetadata): OwnerReference {
  return { apiVersion, kind, name: nameOf(owner), uid: uidOf(owner), controller: true, blockOwnerDeletion: true };
}
