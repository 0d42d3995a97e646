import { notFound } from 'next/navigation';
import { RESOURCE_KINDS, type ResourceKind } from '@tofu-operator/api-contracts';

export const TITLES: Record<ResourceKind, { plural: string; one: string; rbac: string }> = {
  modules: { plural: 'Modules', one: 'module', rbac: 'tofumodules' },
  stacks: { plural: 'Stacks', one: 'stack', rbac: 'tofustacks' },
  executions: { plural: 'Executions', one: 'execution', rbac: 'tofuexecutions' },
};

/** The kind of the URL, or a 404 page. */
export function kindOf(segment: string | undefined): ResourceKind {
  const k = RESOURCE_KINDS.find((x) => x === segment);
  if (!k) notFound();
  return k;
}

/** Why an action is not offered: the RBAC verb the token lacks. */
export function denied(verb: string, kind: ResourceKind, ns: string): string {
  return `Your token may not ${verb} ${TITLES[kind].rbac} in ${ns} (Kubernetes RBAC).`;
}
