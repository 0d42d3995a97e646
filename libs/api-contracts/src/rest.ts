import type { PlanDiff, TofuExecution, TofuModule, TofuStack } from '@tofu-operator/api-types';

/** Prefix of every REST route. */
export const API_PREFIX = '/api/v1';

/** The three kinds the API serves, by their path segment. */
export type ResourceKind = 'modules' | 'stacks' | 'executions';

/** Every kind, in display order. */
export const RESOURCE_KINDS: readonly ResourceKind[] = ['modules', 'stacks', 'executions'];

/** The object type of each kind. */
export interface ResourceTypes {
  modules: TofuModule;
  stacks: TofuStack;
  executions: TofuExecution;
}

/** Kinds that can be planned through `POST …/{name}/plan`. */
export type PlannableKind = 'modules' | 'stacks';

/** One field-level problem of a rejected request (a path like `spec.source.url`). */
export interface FieldError {
  path: string;
  message: string;
}

/** The one error shape of every REST answer with a 4xx/5xx status and of refused subscriptions. */
export interface ErrorBody {
  status: number;
  /** CamelCase reason, as in Kubernetes' Status (Invalid, NotFound, Conflict, Forbidden, ...). */
  reason: string;
  message: string;
  fields?: FieldError[];
  /** For 409 on plan: the execution that is already running. */
  running?: { namespace: string; name: string };
}

/** A Kubernetes-shaped list answer. */
export interface ListResponse<T = unknown> {
  apiVersion: string;
  kind: string;
  metadata: { continue?: string; remainingItemCount?: number };
  items: T[];
}

/** The answer of `GET /api/v1/namespaces`: the namespaces the caller may list our kinds in. */
export interface NamespaceList {
  items: { name: string }[];
}

/**
 * The optional body of `POST …/{modules|stacks}/{name}/plan`. `destroy: true` plans the destruction
 * of everything the module or stack manages (`tofu plan -destroy`), approved and applied like any
 * plan; without a body (or with `destroy: false`) it is an ordinary plan.
 */
export interface PlanRequest {
  destroy?: boolean;
}

/**
 * The answer of `POST …/{modules|stacks}/{name}/plan`: 201 with the new execution, or 202 without it
 * when the controller did not create it within the service's wait (the request stands; it runs when a
 * controller picks it up).
 */
export interface PlanResponse {
  /** The annotation value that requested the plan (`destroy-requested-at` for a destroy). */
  requestedAt: string;
  execution?: TofuExecution;
}

/**
 * What the caller may do in a namespace (`GET /api/v1/namespaces/{ns}/permissions`). `watch` is what
 * a `namespace:subscribe` of that kind needs; `plan` is `patch` (modules and stacks only); `create`
 * and `update` are reported for modules and stacks only (executions are made by the operator);
 * `approve` (the custom RBAC verb that approves or rejects a plan) and `cancel` (`patch`: stop a run) for
 * executions only.
 */
export type Permissions = Record<
  ResourceKind,
  Partial<Record<'list' | 'get' | 'watch' | 'create' | 'update' | 'delete' | 'plan' | 'approve' | 'cancel', boolean>>
>;

/** The body of `POST …/executions/{name}/approve` and `…/reject`: the digest of the plan that was reviewed. */
export interface ApproveRequest {
  planDigest: string;
}

/**
 * The answer of `GET …/executions/{name}/plan/diff`: the masked per-resource diff the runner stored
 * beside the saved plan (404 with ErrorBody when none is stored: not a plan, not finished, or pruned).
 */
export type PlanDiffResponse = PlanDiff;

/** The core kinds whose names and key names the dashboard's pickers list (`GET …/{configmaps|secrets}`). */
export type PickerKind = 'configmaps' | 'secrets';

/**
 * One ConfigMap or Secret as the pickers see it: its name and the NAMES of its keys (`data` and
 * `binaryData`; for a Secret also its `type`). Never a value: the answer is built from names only.
 */
export interface KeyedObject {
  name: string;
  /** Key names, sorted. */
  keys: string[];
  /** The Secret's type (`Opaque`, `kubernetes.io/tls`, ...); absent for ConfigMaps. */
  type?: string;
}

/** The answer of `GET /api/v1/namespaces/{ns}/configmaps` and `…/secrets`, sorted by name. */
export interface KeyedObjectList {
  kind: 'ConfigMapKeyList' | 'SecretKeyList';
  items: KeyedObject[];
}

/**
 * Labels on every execution (and its Job and Pod) naming its module and stack, for `labelSelector`:
 * `tofu-operator.io/stack=<stack>` lists a stack's runs; `tofu-operator.io/module=<module>` lists a
 * module's own runs and those of its stacks. Names longer than 63 characters are shortened with a hash.
 */
export const OwnerLabels = { module: 'tofu-operator.io/module', stack: 'tofu-operator.io/stack' } as const;

const seg = encodeURIComponent;

/** Builders of REST paths (relative to the service's origin). */
export const apiPaths = {
  namespaces: (): string => `${API_PREFIX}/namespaces`,
  permissions: (ns: string): string => `${API_PREFIX}/namespaces/${seg(ns)}/permissions`,
  list: (ns: string, kind: ResourceKind): string => `${API_PREFIX}/namespaces/${seg(ns)}/${kind}`,
  item: (ns: string, kind: ResourceKind, name: string): string => `${API_PREFIX}/namespaces/${seg(ns)}/${kind}/${seg(name)}`,
  /** Plans a module or stack now (PlanRequest, optional): 201 with the plan execution (PlanResponse). */
  plan: (ns: string, kind: PlannableKind, name: string): string => `${API_PREFIX}/namespaces/${seg(ns)}/${kind}/${seg(name)}/plan`,
  /** Names and key names (never values) of the namespace's ConfigMaps or Secrets (KeyedObjectList). */
  picker: (ns: string, kind: PickerKind): string => `${API_PREFIX}/namespaces/${seg(ns)}/${kind}`,
  /** The masked per-resource diff of a plan execution (PlanDiffResponse). */
  planDiff: (ns: string, name: string): string => `${API_PREFIX}/namespaces/${seg(ns)}/executions/${seg(name)}/plan/diff`,
  /** Approves a plan execution (ApproveRequest): 201 with the apply execution. */
  approve: (ns: string, name: string): string => `${API_PREFIX}/namespaces/${seg(ns)}/executions/${seg(name)}/approve`,
  /** Cancels an unfinished execution (no body): 200 with it, 409 when it has finished. */
  cancel: (ns: string, name: string): string => `${API_PREFIX}/namespaces/${seg(ns)}/executions/${seg(name)}/cancel`,
  /** Rejects a plan execution (ApproveRequest). */
  reject: (ns: string, name: string): string => `${API_PREFIX}/namespaces/${seg(ns)}/executions/${seg(name)}/reject`,
  logs: (ns: string, name: string, opts: { follow?: boolean; offset?: number } = {}): string => {
    const q = new URLSearchParams();
    if (opts.follow) q.set('follow', 'true');
    if (opts.offset) q.set('offset', String(opts.offset));
    const qs = q.toString();
    return `${API_PREFIX}/namespaces/${seg(ns)}/executions/${seg(name)}/logs${qs ? `?${qs}` : ''}`;
  },
} as const;
