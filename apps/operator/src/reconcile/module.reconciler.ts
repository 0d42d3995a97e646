import { Inject, Injectable, Optional } from '@nestjs/common';
import { nameOf, tofuModuleCrd, TofuModules, type TofuExecution, type TofuModule } from '@tofu-operator/api-types';
import { EventRecorder, KubeClient, type Controller, type Informer, type Logger } from '@tofu-operator/reconcile-runtime';
import { ClusterCache } from '../kube/cluster-cache.js';
import { LOGGER } from '../kube/tokens.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { PlanStore } from '../runner-api/plan-store.service.js';
import { StateStore } from '../runner-api/state-store.service.js';
import { SOURCE_VIEW, type SourceView } from '../source/source-view.js';
import { InputsResolver } from './inputs-resolver.js';
import { inputsGateOf, type InputsGate } from './owner-inputs.js';
import { OwnerOutputs } from './owner-outputs-sync.js';
import { OwnerReconciler } from './owner.reconciler.js';
import { effectiveAutoApply } from './template-merge.js';
import { RunResolver, type ResolvedRun } from './run-resolver.js';
import type { Queues } from './watches.js';

/** Plans a TofuModule on creation, on spec changes and on re-plan requests. */
@Injectable()
export class ModuleReconciler extends OwnerReconciler<TofuModule> {
  readonly kind = 'TofuModule';
  protected readonly resource = TofuModules;
  protected readonly specSchema = tofuModuleCrd.spec;

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

  protected informer(): Informer<TofuModule> {
    return this.cache.modules;
  }

  protected queue(queues: Queues): Controller {
    return queues.modules;
  }

  /** A hand-made execution with a stackRef belongs to the stack, even when it names the module too. */
  protected referencedOwner(execution: TofuExecution): string | undefined {
    return execution.spec.stackRef ? undefined : execution.spec.moduleRef?.name;
  }

  protected resolve(module: TofuModule): ResolvedRun {
    return this.resolver.forModule(module);
  }

  protected inputsGate(module: TofuModule): Promise<InputsGate> {
    return inputsGateOf(this.inputs, module);
  }

  protected moduleGeneration(): undefined {
    return undefined;
  }

  protected refs(module: TofuModule): Pick<TofuExecution['spec'], 'moduleRef'> {
    return { moduleRef: { name: nameOf(module) } };
  }

  protected autoApply(module: TofuModule): boolean {
    return effectiveAutoApply(module);
  }
}
