import { Inject, Injectable } from '@nestjs/common';
import { RESOURCE_KINDS, type NamespaceList, type Permissions, type ResourceKind } from '@tofu-operator/api-contracts';
import { KubeClient, manifestKinds, type KubeObject } from '@tofu-operator/reconcile-runtime';
import type { OperatorConfig } from '../config/operator-config.js';
import { OPERATOR_CONFIG } from '../kube/tokens.js';
import { AccessReviewService, type UserInfo } from './access-review.service.js';
import type { ApiVerb } from './authz.js';
import { ApiError } from './errors.js';
import { rbacResource } from './socket-payloads.js';

/** Answers are kept this long per user, so a dashboard's page loads do not flood the authorizer. */
const CACHE_MS = 10_000;
const Namespaces = manifestKinds['Namespace']!;

/** The verbs a Permissions answer reports, and the RBAC verb each needs. */
const CHECKS: Record<keyof Permissions[ResourceKind], ApiVerb> = {
  list: 'list',
  get: 'get',
  create: 'create',
  update: 'update',
  delete: 'delete',
  plan: 'patch',
};
const PLANNABLE = new Set<ResourceKind>(['modules', 'stacks']);
const WRITABLE = new Set<ResourceKind>(['modules', 'stacks']);

/**
 * Answers about the caller: the namespaces they may see and what they may do in one, each decided by
 * SubjectAccessReviews for the caller (so the dashboard hides exactly what the API would refuse).
 */
@Injectable()
export class SelfService {
  private readonly cache = new Map<string, { at: number; value: unknown }>();

  constructor(
    private readonly client: KubeClient,
    private readonly reviews: AccessReviewService,
    @Inject(OPERATOR_CONFIG) private readonly config: OperatorConfig,
  ) {}

  private async cached<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && now - hit.at < CACHE_MS) return hit.value as T;
    const value = await compute();
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(key, { at: now, value });
    return value;
  }

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
    return this.cached(`ns/${user.username}/${(user.groups ?? []).join(',')}`, async () => {
      const candidates = this.config.watchNamespace
        ? [this.config.watchNamespace]
        : (await this.client.list<KubeObject>(Namespaces, undefined)).items.map((n) => n.metadata?.name ?? '').filter(Boolean);
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
    });
  }

  /** What the caller may do with each kind in the namespace. */
  async permissions(user: UserInfo, namespace: string): Promise<Permissions> {
    return this.cached(`perm/${user.username}/${(user.groups ?? []).join(',')}/${namespace}`, async () => {
      const out = {} as Permissions;
      await Promise.all(
        RESOURCE_KINDS.map(async (kind) => {
          const checks = Object.entries(CHECKS).filter(([what]) => {
            if (what === 'plan') return PLANNABLE.has(kind);
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
    });
  }
}
