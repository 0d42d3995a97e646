import { Injectable } from '@nestjs/common';
import { Annotations, nameOf, TofuExecutions, type TofuExecution } from '@tofu-operator/api-types';
import { isConflict, isNotFound, KubeClient } from '@tofu-operator/reconcile-runtime';
import { isTerminal } from '../execution/finished.js';
import { ApiError, notFound } from '../http/errors.js';
import { ClusterCache } from '../kube/cluster-cache.js';
import { API_FIELD_MANAGER } from './resources.service.js';

/**
 * Cancelling a run: the request is the annotation tofu-operator.io/cancel-requested-at on the
 * execution (the execution reconciler records it Failed/Cancelled and deletes its Job). The patch
 * carries the resourceVersion the check read, so a run that finishes meanwhile is checked again and
 * answered 409 instead of being marked.
 */
@Injectable()
export class CancelService {
  constructor(
    private readonly cache: ClusterCache,
    private readonly client: KubeClient,
  ) {}

  /** Marks the unfinished execution `name` cancelled; answers it as written. */
  async cancel(ns: string, name: string): Promise<TofuExecution> {
    let execution = this.cache.executions.get(ns, name);
    const requestedAt = new Date().toISOString();
    for (let attempt = 0; ; attempt++) {
      if (!execution) throw notFound(`tofuexecutions.tofu-operator.io "${name}" not found`);
      if (isTerminal(execution))
        throw new ApiError(409, 'Conflict', `execution ${name} has finished (${execution.status?.phase}): there is nothing to cancel`);
      const already = execution.metadata.annotations?.[Annotations.cancelRequestedAt];
      if (already) return execution;
      const patch = {
        metadata: { resourceVersion: execution.metadata.resourceVersion, annotations: { [Annotations.cancelRequestedAt]: requestedAt } },
      };
      try {
        return await this.client.mergePatch<TofuExecution>(TofuExecutions, ns, name, patch, { fieldManager: API_FIELD_MANAGER });
      } catch (err) {
        if (isNotFound(err)) throw notFound(`tofuexecutions.tofu-operator.io "${name}" not found`);
        if (!isConflict(err) || attempt >= 4) throw err;
        execution = await this.fresh(ns, nameOf(execution));
      }
    }
  }

  private async fresh(ns: string, name: string): Promise<TofuExecution | undefined> {
    try {
      return await this.client.get<TofuExecution>(TofuExecutions, ns, name);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}
