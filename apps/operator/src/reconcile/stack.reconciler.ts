import { Inject, Injectable, Optional } from '@nestjs/common';
import { nameOf, namespaceOf, tofuStackCrd, TofuStacks, type TofuExecution, type TofuStack } from '@tofu-operator/api-types';
import { EventRecorder, KubeClient, type Controller, type Informer, type Logger } from '@tofu-operator/reconcile-runtime';
import { ClusterCache } from '../kube/cluster-cache.js';
import { LOGGER } from '../kube/tokens.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { PlanStore } from '../runner-api/plan-store.service.js';
import { StateStore } from '../runner-api/state-store.service.js';
import { SOURCE_VIEW, type SourceView } from '../source/source-view.js';
import { dependencyNames, evaluateDependencies } from './dependencies.js';
import { InputsResolver } from './inputs-resolver.js';
import { inputObjectKeys, inputsGateOf, type InputsGate } from './owner-inputs.js';
import { OwnerOutputs } from './owner-outputs-sync.js';
import { OwnerReconciler } from './owner.reconciler.js';
import { effectiveAutoApply, mergeTemplates } from './template-merge.js';
import { RunResolver, sourceWithDefaults, type ResolvedRun, type Unresolved } from './run-resolver.js';
import { onInputObjectChange, specChanged, type Queues } from './watches.js';

/** Stacks by "namespace/module": the stacks a module change concerns. */
const STACKS_BY_MODULE = 'stacksByModule';
/** Stacks by "namespace/stack" of each stack they depend on (spec.dependsOn, spec.inputsFrom). */
const STACKS_BY_DEPENDENCY = 'stacksByDependency';
/** Modules by the "namespace/Kind/name" of the ConfigMaps and Secrets their varsFrom names (their stacks use them too). */
const MODULES_BY_INPUT = 'modulesByInput:TofuStack';

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
    outputs: OwnerOutputs,
    private readonly inputs: InputsResolver,
    @Optional() @Inject(SOURCE_VIEW) sources?: SourceView,
    @Optional() plans?: PlanStore,
    @Optional() metrics?: MetricsService,
  ) {
    super(cache, client, events, log, states, outputs, sources, plans, metrics);
  }

  /**
   * Besides what every owner watches: its module's spec (generation), not its status or annotations;
   * the ConfigMaps and Secrets its module's varsFrom names; and the stacks it depends on (their
   * appearance, deletion and new outputs).
   */
  override setupWatches(queues: Queues): void {
    super.setupWatches(queues);
    const { stacks, modules } = this.cache;
    const enqueueOf = (module: string) => {
      for (const s of stacks.byIndex(STACKS_BY_MODULE, module)) queues.stacks.enqueue(s.metadata.namespace, s.metadata.name);
    };
    stacks.addIndex(STACKS_BY_MODULE, (s) => [`${namespaceOf(s)}/${s.spec.moduleRef.name}`]);
    modules.onEvent((e, m, old) => {
      if (specChanged(e, m, old)) enqueueOf(`${namespaceOf(m)}/${nameOf(m)}`);
    });
    modules.addIndex(MODULES_BY_INPUT, inputObjectKeys);
    onInputObjectChange(this.cache, (key) => {
      for (const m of modules.byIndex(MODULES_BY_INPUT, key)) enqueueOf(`${namespaceOf(m)}/${nameOf(m)}`);
    });
    stacks.addIndex(STACKS_BY_DEPENDENCY, (s) => dependencyNames(s).map((d) => `${namespaceOf(s)}/${d}`));
    stacks.onEvent((e, s, old) => {
      const outputs = old?.status?.outputsInfo?.digest !== s.status?.outputsInfo?.digest;
      if (e === 'update' && !outputs && !specChanged(e, s, old)) return;
      for (const d of stacks.byIndex(STACKS_BY_DEPENDENCY, `${namespaceOf(s)}/${nameOf(s)}`))
        queues.stacks.enqueue(d.metadata.namespace, d.metadata.name);
    });
  }

  /** Its dependencies first (DependenciesReady), then the inputs of its module and its own. */
  protected inputsGate(stack: TofuStack, run: ResolvedRun): Promise<InputsGate> {
    const ns = namespaceOf(stack);
    const deps = evaluateDependencies(stack, (name) => this.cache.stacks.get(ns, name));
    return inputsGateOf(this.inputs, run.module, stack, deps);
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
