import { nameOf } from '@tofu-operator/api-types';
import { Inject, Injectable } from '@nestjs/common';
import { RESOURCE_KINDS, type NamespaceList, type Permissions, type ResourceKind } from '@tofu-operator/api-contracts';
import { KubeClient, manifestKinds, type KubeObject } from '@tofu-operator/reconcile-runtime';
import type { OperatorConfig } from '../config/operator-config.js';
import { OPERATOR_CONFIG } from '../kube/tokens.js';
import { AccessReviewService, type UserInfo } from '../http/access-review.service.js';
import type { ApiVerb } from '../http/authz.js';
import { ApiError } from '../http/errors.js';
import { rbacResource } from './socket-payloads.js';

const Namespaces = manifestKinds['Namespace']!;

/** The verbs a Permissions answer reports, and the RBAC verb each needs. */
const CHECKS: Record<keyof Permissions[ResourceKind], ApiVerb> = {
  list: 'list',
  get: 'get',
  watch: 'watch',
  create: 'create',
  update: 'update',
  delete: 'delete',
  plan: 'patch',
  approve: 'approve',
  cancel: 'patch',
};
const PLANNABLE = new Set<ResourceKind>(['modules', 'stacks']);
/** Kinds with the custom verb `approve`: executions (a plan is approved or rejected). */
const APPROVABLE = new Set<ResourceKind>(['executions']);
const WRITABLE = new Set<ResourceKind>(['modules', 'stacks']);

/**
 * Answers about the caller: the namespaces they may see and what they may do in one, each decided by
 * SubjectAccessReviews for the caller (so the dashboard hides exactly what the API would refuse;
 * AccessReviewService caches the answers, so page loads do not flood the authorizer).
 */
@Injectable()
export class SelfService {
  constructor(
    private readonly client: KubeClient,
    private readonly reviews: AccessReviewService,
    @Inject(OPERATOR_CONFIG) private readonly config: OperatorConfig,
  ) {}

  private async allowed(user: UserInfo, verb: ApiVerb, kind: ResourceKind, namespace: string): Promise<boolean> {
    try {
      await this.reviews.authorize(user, { verb, resource: rbacResource(kind) }, namespace, undefined);
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.status === 403) return false;
      throw err;
    }
  }

  /** Namespaces where the caller may list at least one of our kinds. */
  async namespaces(user: UserInfo): Promise<NamespaceList> {
    const candidates = this.config.watchNamespace
      ? [this.config.watchNamespace]
      : (await this.client.list<KubeObject>(Namespaces, undefined)).items.map(nameOf).filter(Boolean);
    const visible = await Promise.all(
      candidates.map(async (ns) => {
        for (const kind of RESOURCE_KINDS) if (await this.allowed(user, 'list', kind, ns)) return ns;
        return undefined;
      }),
    );
    return {
      items: visible
        .filter((n): n is string => n !== undefined)
        .sort()
        .map((name) => ({ name })),
    };
  }

  /** What the caller may do with each kind in the namespace. */
  async permissions(user: UserInfo, namespace: string): Promise<Permissions> {
    const out = {} as Permissions;
    await Promise.all(
      RESOURCE_KINDS.map(async (kind) => {
        const checks = Object.entries(CHECKS).filter(([what]) => {
          if (what === 'plan') return PLANNABLE.has(kind);
          if (what === 'approve' || what === 'cancel') return APPROVABLE.has(kind);
          if (what === 'create' || what === 'update') return WRITABLE.has(kind);
          return true;
        });
        const results = await Promise.all(
          checks.map(async ([what, verb]) => [what, await this.allowed(user, verb, kind, namespace)] as const),
        );
        out[kind] = Object.fromEntries(results);
      }),
    );
    return out;
  }
}
