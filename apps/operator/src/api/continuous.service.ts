import { Injectable } from '@nestjs/common';
import { Annotations, TofuModules, TofuStacks, type TofuModule, type TofuStack } from '@tofu-operator/api-types';
import { isNotFound, KubeClient } from '@tofu-operator/reconcile-runtime';
import { queueEntries, type DriftCheckResponse, type PlannableKind, type QueueList } from '@tofu-operator/api-contracts';
import { AccessReviewService, type UserInfo } from '../http/access-review.service.js';
import { ApiError, notFound } from '../http/errors.js';
import { ClusterCache } from '../kube/cluster-cache.js';
import { API_FIELD_MANAGER } from './resources.service.js';

/**
 * "Check drift now" and the run queue (issue 13). A drift check is requested like a plan, by an
 * annotation on the owner (tofu-operator.io/drift-check-requested-at) that the owner's reconciler
 * answers; the queue is read from the executions' status.queue in the cache.
 */
@Injectable()
export class ContinuousService {
  constructor(
    private readonly cache: ClusterCache,
    private readonly client: KubeClient,
    private readonly reviews: AccessReviewService,
  ) {}

  /**
   * Sets the drift-check request annotation on a module or stack whose drift detection is on (a
   * stack's own driftDetection, or else its module's); 409 when it is off.
   */
  async requestDriftCheck(kind: PlannableKind, ns: string, name: string): Promise<DriftCheckResponse> {
    const rt = kind === 'modules' ? TofuModules : TofuStacks;
    const informer = kind === 'modules' ? this.cache.modules : this.cache.stacks;
    if (!informer.hasSynced) throw new ApiError(503, 'ServiceUnavailable', `the ${rt.plural} cache has not synced yet`);
    const owner = informer.get(ns, name);
    if (!owner) throw notFound(`${rt.plural}.${rt.group} "${name}" not found`);
    if (!this.driftDetectionOn(kind, ns, owner)) {
      const whose =
        kind === 'stacks' ? ' (neither the stack nor its module sets spec.driftDetection)' : ' (spec.driftDetection is not set)';
      throw new ApiError(409, 'Conflict', `drift detection is off for ${kind === 'modules' ? 'module' : 'stack'} "${name}"${whose}`);
    }
    const requestedAt = new Date().toISOString();
    try {
      await this.client.mergePatch(
        rt,
        ns,
        name,
        { metadata: { annotations: { [Annotations.driftCheckRequestedAt]: requestedAt } } },
        {
          fieldManager: API_FIELD_MANAGER,
        },
      );
    } catch (err) {
      if (isNotFound(err)) throw notFound(`${rt.plural}.${rt.group} "${name}" not found`);
      throw err;
    }
    return { requestedAt };
  }

  private driftDetectionOn(kind: PlannableKind, ns: string, owner: TofuModule | TofuStack): boolean {
    if (owner.spec.driftDetection) return true;
    if (kind === 'modules') return false;
    const moduleName = (owner as TofuStack).spec.moduleRef.name;
    return Boolean(this.cache.modules.get(ns, moduleName)?.spec.driftDetection);
  }

  /** The waiting executions of one namespace (the route checked `list` on executions there). */
  queue(ns: string): QueueList {
    return { kind: 'QueueList', items: queueEntries(this.executions(ns)) };
  }

  /**
   * The waiting executions of every namespace where the caller may list executions: each namespace
   * with a waiting run is checked with a SubjectAccessReview (cached, like GET /api/v1/namespaces).
   */
  async queueOfAll(user: UserInfo): Promise<QueueList> {
    const entries = queueEntries(this.executions(undefined));
    const namespaces = [...new Set(entries.map((e) => e.namespace))];
    const allowed = new Set<string>();
    await Promise.all(
      namespaces.map(async (ns) => {
        try {
          await this.reviews.authorize(user, { verb: 'list', resource: 'tofuexecutions' }, ns, undefined);
          allowed.add(ns);
        } catch (err) {
          if (!(err instanceof ApiError && err.status === 403)) throw err;
        }
      }),
    );
    return { kind: 'QueueList', items: entries.filter((e) => allowed.has(e.namespace)) };
  }

  private executions(ns: string | undefined) {
    if (!this.cache.executions.hasSynced) throw new ApiError(503, 'ServiceUnavailable', 'the tofuexecutions cache has not synced yet');
    return this.cache.executions.list(ns);
  }
}
