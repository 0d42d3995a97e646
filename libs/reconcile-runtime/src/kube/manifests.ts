import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { ResourceType } from '@tofu-operator/api-types';
import { TofuExecutions, TofuModules, TofuStacks } from '@tofu-operator/api-types';
import type { KubeClient } from './kube-client.js';
import type { KubeObject } from './types.js';

const rt = (group: string, version: string, plural: string, kind: string, namespaced: boolean): ResourceType => ({
  group,
  version,
  plural,
  kind,
  namespaced,
});

/** batch/v1 Jobs: one per execution. */
export const Jobs: ResourceType = rt('batch', 'v1', 'jobs', 'Job', true);
/** Core v1 Pods: the runner pods of those Jobs. */
export const Pods: ResourceType = rt('', 'v1', 'pods', 'Pod', true);
/** Core v1 Secrets: state, plans, outputs, keys. */
export const Secrets: ResourceType = rt('', 'v1', 'secrets', 'Secret', true);

/** The kinds the project's own manifests (crds/, deploy/, samples/) contain. */
export const manifestKinds: Readonly<Record<string, ResourceType>> = {
  CustomResourceDefinition: rt('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', false),
  Namespace: rt('', 'v1', 'namespaces', 'Namespace', false),
  ServiceAccount: rt('', 'v1', 'serviceaccounts', 'ServiceAccount', true),
  ClusterRole: rt('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false),
  ClusterRoleBinding: rt('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false),
  Role: rt('rbac.authorization.k8s.io', 'v1', 'roles', 'Role', true),
  RoleBinding: rt('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', true),
  ValidatingAdmissionPolicy: rt('admissionregistration.k8s.io', 'v1', 'validatingadmissionpolicies', 'ValidatingAdmissionPolicy', false),
  ValidatingAdmissionPolicyBinding: rt(
    'admissionregistration.k8s.io',
    'v1',
    'validatingadmissionpolicybindings',
    'ValidatingAdmissionPolicyBinding',
    false,
  ),
  TofuModule: TofuModules,
  TofuStack: TofuStacks,
  TofuExecution: TofuExecutions,
};

/** Server-side applies every document of a YAML file; fails naming the file for an unknown kind. */
export async function applyManifestFile(client: KubeClient, path: string): Promise<KubeObject[]> {
  const applied: KubeObject[] = [];
  for (const doc of parseAllDocuments(readFileSync(path, 'utf8'))) {
    const obj = doc.toJS() as KubeObject | null;
    if (!obj?.kind) continue;
    const type = manifestKinds[obj.kind];
    if (!type) throw new Error(`${path}: no resource mapping for kind ${obj.kind}`);
    applied.push(await client.apply(type, obj.metadata?.namespace, obj.metadata?.name ?? '', obj));
  }
  return applied;
}
