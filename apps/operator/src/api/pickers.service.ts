import { Injectable } from '@nestjs/common';
import type { KeyedObject, KeyedObjectList, PickerKind } from '@tofu-operator/api-contracts';
import { Labels, type ResourceType } from '@tofu-operator/api-types';
import { KubeClient, type KubeObject } from '@tofu-operator/reconcile-runtime';

/** The core kinds the pickers list (metadata.name, data and binaryData keys; a Secret's type). */
const PICKER_TYPES: Record<PickerKind, ResourceType> = {
  configmaps: { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true },
  secrets: { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true },
};

/** A ConfigMap or Secret as the API server returns it (only the fields read here). */
export interface KeyedSource extends KubeObject {
  metadata: { name?: string; labels?: Record<string, string> };
  data?: Record<string, unknown>;
  binaryData?: Record<string, unknown>;
  type?: string;
}

/**
 * The picker's view of one object: its name and key NAMES (and a Secret's type). Built field by
 * field from names, so no value of `data` or `binaryData` can reach the answer.
 */
export function keyedObject(kind: PickerKind, o: KeyedSource): KeyedObject {
  const keys = [...new Set([...Object.keys(o.data ?? {}), ...Object.keys(o.binaryData ?? {})])].sort();
  return {
    name: o.metadata.name ?? '',
    keys,
    ...(kind === 'secrets' ? { type: typeof o.type === 'string' ? o.type : 'Opaque' } : {}),
  };
}

/** The artifact label of the one operator-written Secret users read: a stack's spec.outputs.secretName. */
const USER_FACING_ARTIFACT = 'outputs-secret';

/**
 * Whether an object is the operator's own bookkeeping (state, plans, diffs, runner tokens, inputs,
 * stored outputs): never a source of variables, so not offered. An outputs Secret a stack writes for
 * its users is offered.
 */
export function isInternalArtifact(o: KeyedSource): boolean {
  const artifact = o.metadata.labels?.[Labels.artifact];
  return artifact !== undefined && artifact !== USER_FACING_ARTIFACT;
}

/** The picker answer for a list of objects, sorted by name, without the operator's own bookkeeping. */
export function keyedObjectList(kind: PickerKind, items: readonly KeyedSource[]): KeyedObjectList {
  return {
    kind: kind === 'secrets' ? 'SecretKeyList' : 'ConfigMapKeyList',
    items: items
      .filter((o) => !isInternalArtifact(o))
      .map((o) => keyedObject(kind, o))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  };
}

/**
 * Lists a namespace's ConfigMaps or Secrets for the dashboard's varsFrom pickers, after the guard's
 * SubjectAccessReview allowed the caller `list` on them there. Read from the API server (the operator
 * caches neither kind wholesale); the values never leave this function.
 */
@Injectable()
export class PickersService {
  constructor(private readonly client: KubeClient) {}

  async list(kind: PickerKind, namespace: string): Promise<KeyedObjectList> {
    const list = await this.client.list<KeyedSource>(PICKER_TYPES[kind], namespace);
    return keyedObjectList(kind, list.items);
  }
}
