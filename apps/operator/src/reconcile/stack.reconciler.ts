import { Inject, Injectable } from '@nestjs/common';
import { tofuStackCrd, TofuStacks, type TofuExecution, type TofuStack } from '@tofu-operator/api-types';
import { EventRecorder, KubeClient, type Informer, type Logger } from '@tofu-operator/reconcile-runtime';
import { ClusterCache } from '../kube/cluster-cache.js';
import { LOGGER } from '../kube/tokens.js';
import { OwnerReconciler } from './owner.reconciler.js';
import { RunResolver, type ResolvedRun, type Unresolved } from './run-resolver.js';

/**
 * Plans a TofuStack on creation, on spec changes, when its module changes and on re-plan requests,
 * with the module's template and the stack's overrides merged.
 */
@Injectable()
export class StackReconciler extends OwnerReconciler<TofuStack> {
  readonly kind = 'TofuStack';
  protected readonly resource = TofuStacks;
  protected readonly specSchema = tofuStackCrd.spec;

  constructor(
    cache: ClusterCache,
    client: KubeClient,
    events: EventRecorder,
    @Inject(LOGGER) log: Logger,
    private readonly resolver: RunResolver,
  ) {
    super(cache, client, events, log);
  }

  protected informer(): Informer<TofuStack> {
    return this.cache.stacks;
  }

  protected resolve(stack: TofuStack): ResolvedRun | Unresolved {
    return this.resolver.forStack(stack);
  }

  protected moduleGeneration(run: ResolvedRun): number {
    return run.module.metadata.generation ?? 0;
  }

  protected refs(stack: TofuStack, run: ResolvedRun): Pick<TofuExecution['spec'], 'moduleRef' | 'stackRef'> {
    return { moduleRef: { name: run.module.metadata.name ?? '' }, stackRef: { name: stack.metadata.name ?? '' } };
  }
}
