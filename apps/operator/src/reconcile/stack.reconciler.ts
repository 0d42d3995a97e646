import { Inject, Injectable } from '@nestjs/common';
import { nameOf, namespaceOf, tofuStackCrd, TofuStacks, type TofuExecution, type TofuStack } from '@tofu-operator/api-types';
import { EventRecorder, KubeClient, type Controller, type Informer, type Logger } from '@tofu-operator/reconcile-runtime';
import { ClusterCache } from '../kube/cluster-cache.js';
import { LOGGER } from '../kube/tokens.js';
import { StateStore } from '../runner-api/state-store.service.js';
import { OwnerReconciler } from './owner.reconciler.js';
import { effectiveAutoApply, mergeTemplates } from './template-merge.js';
import { RunResolver, sourceWithDefaults, type ResolvedRun, type Unresolved } from './run-resolver.js';
import { specChanged, type Queues } from './watches.js';

/** Stacks by "namespace/module": the stacks a module change concerns. */
const STACKS_BY_MODULE = 'stacksByModule';

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
    states: StateStore,
  ) {
    super(cache, client, events, log, states);
  }

  /** Besides what every owner watches: its module's spec (generation), not its status or annotations. */
  override setupWatches(queues: Queues): void {
    super.setupWatches(queues);
    this.cache.stacks.addIndex(STACKS_BY_MODULE, (s) => [`${namespaceOf(s)}/${s.spec.moduleRef.name}`]);
    this.cache.modules.onEvent((e, m, old) => {
      if (!specChanged(e, m, old)) return;
      for (const s of this.cache.stacks.byIndex(STACKS_BY_MODULE, `${namespaceOf(m)}/${nameOf(m)}`))
        queues.stacks.enqueue(s.metadata.namespace, s.metadata.name);
    });
  }

  protected informer(): Informer<TofuStack> {
    return this.cache.stacks;
  }

  protected queue(queues: Queues): Controller {
    return queues.stacks;
  }

  protected referencedOwner(execution: TofuExecution): string | undefined {
    return execution.spec.stackRef?.name;
  }

  protected resolve(stack: TofuStack): ResolvedRun | Unresolved {
    return this.resolver.forStack(stack);
  }

  /**
   * A stack being deleted plans its destroy with its module even while that module is being deleted
   * too (deleting a namespace deletes both at once): the module object stays while it has a finalizer.
   */
  protected override resolveForDestroy(stack: TofuStack): ResolvedRun | Unresolved {
    const module = this.cache.modules.get(namespaceOf(stack), stack.spec.moduleRef.name);
    if (!module) return this.resolver.forStack(stack);
    const source = sourceWithDefaults(module.spec.source);
    return { source, template: mergeTemplates(module.spec.executionTemplate, stack.spec.executionTemplate), module };
  }

  protected moduleGeneration(run: ResolvedRun): number {
    return run.module.metadata.generation ?? 0;
  }

  protected refs(stack: TofuStack, run: ResolvedRun): Pick<TofuExecution['spec'], 'moduleRef' | 'stackRef'> {
    return { moduleRef: { name: nameOf(run.module) }, stackRef: { name: nameOf(stack) } };
  }

  /** The stack's spec.autoApply when set, else its module's. */
  protected autoApply(stack: TofuStack, run: ResolvedRun): boolean {
    return effectiveAutoApply(run.module, stack);
  }
}
