import { isDeepStrictEqual } from 'node:util';
import { Defaults } from '@tofu-operator/api-types';

// What a write of a module, stack or execution asks the operator to do in the author's name, and so
// what the author's own RBAC must allow (docs/adr/0008-references-checked-against-the-author.md).
// The same rules as the admission policy deploy/rbac/reference-policy.yaml, for the REST API, whose
// writes reach the API server as the operator: the policy sees the operator there, not the caller.

/** The kinds whose writes are checked. */
export type ReferencingKind = 'TofuModule' | 'TofuStack' | 'TofuExecution';

/** A Secret or ConfigMap a spec names, with the field that names it. */
export interface NamedReference {
  resource: 'secrets' | 'configmaps';
  name: string;
  /** e.g. spec.varsFrom[2] or spec.executionTemplate.env[0].valueFrom.secretKeyRef */
  field: string;
}

/** What the author must be allowed for one write. */
export interface RequiredAccess {
  /** New references (or all, when what runs changed), once each: `get` by name in the namespace. */
  references: NamedReference[];
  /** executionTemplate fields that shape the runner pod and changed: `create jobs.batch`. */
  podFields: string[];
  /** An execution created with its own spec.source (its own code with its owner's state): `create jobs.batch`. */
  ownSource: boolean;
  /** spec.outputs.secretName when new: `create secrets` and `update` that one. */
  outputsSecret?: string;
}

/** executionTemplate fields that shape the runner pod beyond the code it runs. */
export const POD_FIELDS = [
  'image',
  'serviceAccountName',
  'tolerations',
  'priorityClassName',
  'affinity',
  'podLabels',
  'podAnnotations',
] as const;

type Rec = Record<string, unknown>;
const isRecord = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const rec = (v: unknown): Rec => (isRecord(v) ? v : {});
const list = (v: unknown): Rec[] => (Array.isArray(v) ? v.filter(isRecord) : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Every Secret and ConfigMap a spec names, in the order of the policy's `refs` variable. */
export function referencesOf(spec: unknown): NamedReference[] {
  const s = rec(spec);
  const out: NamedReference[] = [];
  const credentials = rec(s['source'])['credentialsSecretRef'];
  if (isRecord(credentials)) out.push({ resource: 'secrets', name: str(credentials['name']), field: 'spec.source.credentialsSecretRef' });
  const pushSecret = rec(s['source'])['webhookSecretRef'];
  if (isRecord(pushSecret)) out.push({ resource: 'secrets', name: str(pushSecret['name']), field: 'spec.source.webhookSecretRef' });
  const key = rec(s['stateEncryption'])['keySecretRef'];
  if (isRecord(key)) out.push({ resource: 'secrets', name: str(key['name']), field: 'spec.stateEncryption.keySecretRef' });
  const hook = rec(s['notifications'])['webhookSecretRef'];
  if (isRecord(hook)) out.push({ resource: 'secrets', name: str(hook['name']), field: 'spec.notifications.webhookSecretRef' });
  list(s['varsFrom']).forEach((v, i) =>
    out.push({ resource: v['kind'] === 'Secret' ? 'secrets' : 'configmaps', name: str(v['name']), field: `spec.varsFrom[${i}]` }),
  );
  const template = rec(s['executionTemplate']);
  list(template['env']).forEach((e, i) => {
    const from = e['valueFrom'];
    if (!isRecord(from)) return;
    const field = `spec.executionTemplate.env[${i}].valueFrom`;
    if (isRecord(from['secretKeyRef']))
      out.push({ resource: 'secrets', name: str(from['secretKeyRef']['name']), field: `${field}.secretKeyRef` });
    else out.push({ resource: 'configmaps', name: str(rec(from['configMapKeyRef'])['name']), field: `${field}.configMapKeyRef` });
  });
  list(template['imagePullSecrets']).forEach((p, i) =>
    out.push({ resource: 'secrets', name: str(p['name']), field: `spec.executionTemplate.imagePullSecrets[${i}]` }),
  );
  return out;
}

/** spec.source with the API server's default workdir, so a body that leaves it out equals the stored one. */
const sourceOf = (s: Rec): unknown => (isRecord(s['source']) ? { workdir: Defaults.workdir, ...s['source'] } : s['source']);

const keyOf = (r: NamedReference): string => `${r.resource}/${r.name}`;

/**
 * What the author of a write must be allowed. `oldSpec` is the stored spec of an update (undefined on
 * create): only what is new counts, except that a change of what runs (a module's or execution's
 * spec.source, a stack's spec.moduleRef) puts every reference in the new code's hands, so all count.
 */
export function requiredAccess(kind: ReferencingKind, spec: unknown, oldSpec?: unknown): RequiredAccess {
  const s = rec(spec);
  const old = oldSpec === undefined ? undefined : rec(oldSpec);
  const codeChanged = !old || !isDeepStrictEqual(sourceOf(s), sourceOf(old)) || !isDeepStrictEqual(s['moduleRef'], old['moduleRef']);
  const oldKeys = new Set(old ? referencesOf(old).map(keyOf) : []);
  const seen = new Set<string>();
  const references = referencesOf(s).filter((r) => {
    const k = keyOf(r);
    if ((!codeChanged && oldKeys.has(k)) || seen.has(k)) return false;
    seen.add(k);
    return true;
  });

  const template = rec(s['executionTemplate']);
  const oldTemplate = rec(old?.['executionTemplate']);
  const gated: string[] = [...POD_FIELDS, ...(kind === 'TofuStack' ? ['env'] : [])];
  const podFields = gated.filter((f) => template[f] !== undefined && (!old || !isDeepStrictEqual(template[f], oldTemplate[f])));
  if (template['automountServiceAccountToken'] === true && !(old && oldTemplate['automountServiceAccountToken'] === true))
    podFields.push('automountServiceAccountToken');

  const outputs = str(rec(s['outputs'])['secretName']);
  const oldOutputs = str(rec(old?.['outputs'])['secretName']);
  return {
    references,
    podFields,
    ownSource: kind === 'TofuExecution' && !old && s['source'] !== undefined,
    ...(outputs && (codeChanged || outputs !== oldOutputs) ? { outputsSecret: outputs } : {}),
  };
}

/** The refusals, worded as the admission policy words them. */
export const RefusalMessages = {
  podFields: (obj: string, namespace: string, access: Pick<RequiredAccess, 'podFields' | 'ownSource'>): string =>
    `${obj}: setting ${
      access.ownSource
        ? "spec.source on an execution (its own code, run with its owner's state and inputs)"
        : access.podFields.map((f) => `spec.executionTemplate.${f}`).join(', ')
    } needs the permission to create jobs.batch in the namespace ${namespace}: the operator creates the runner Job with it for you`,
  outputs: (obj: string, namespace: string, secret: string): string =>
    `${obj}: spec.outputs.secretName "${secret}" needs the permission to create secrets and to update the secret "${secret}" in the namespace ${namespace}: the operator writes it for you`,
  reference: (obj: string, namespace: string, ref: NamedReference): string =>
    `${obj}: ${ref.field} names the ${ref.resource === 'secrets' ? 'Secret' : 'ConfigMap'} "${ref.name}" that you may not get in the namespace ${namespace}`,
};
