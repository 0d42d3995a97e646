import { Module } from '@nestjs/common';
import { KubeModule } from '../kube/kube.module.js';
import { OutputsStore } from '../runner-api/outputs-store.service.js';
import { RunnerApiModule } from '../runner-api/runner-api.module.js';
import { SourceModule } from '../source/source.module.js';
import { ControllerManager } from './controller-manager.service.js';
import { ExecutionReconciler } from './execution.reconciler.js';
import { InputsResolver, OUTPUTS_READER } from './inputs-resolver.js';
import { ExecutionInputsWriter } from './inputs-secret.js';
import { JobPreparer } from './job-preparer.js';
import { OwnerOutputs } from './owner-outputs-sync.js';
import { PlanDecisions } from './plan-decisions.js';
import { ModuleReconciler } from './module.reconciler.js';
import { RunQueue } from './run-queue.js';
import { RunResolver } from './run-resolver.js';
import { StackReconciler } from './stack.reconciler.js';

/** The reconcilers of TofuModule, TofuStack and TofuExecution, run while this replica leads. */
@Module({
  imports: [KubeModule, RunnerApiModule, SourceModule],
  providers: [
    { provide: OUTPUTS_READER, useExisting: OutputsStore },
    InputsResolver,
    ExecutionInputsWriter,
    OwnerOutputs,
    RunResolver,
    JobPreparer,
    RunQueue,
    PlanDecisions,
    ModuleReconciler,
    StackReconciler,
    ExecutionReconciler,
    ControllerManager,
  ],
  exports: [ControllerManager],
})
export class ReconcileModule {}
