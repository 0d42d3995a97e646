import { Module } from '@nestjs/common';
import { KubeModule } from '../kube/kube.module.js';
import { RunnerApiModule } from '../runner-api/runner-api.module.js';
import { ControllerManager } from './controller-manager.service.js';
import { ExecutionReconciler } from './execution.reconciler.js';
import { JobPreparer } from './job-preparer.js';
import { PlanDecisions } from './plan-decisions.js';
import { ModuleReconciler } from './module.reconciler.js';
import { RunResolver } from './run-resolver.js';
import { StackReconciler } from './stack.reconciler.js';

/** The reconcilers of TofuModule, TofuStack and TofuExecution, run while this replica leads. */
@Module({
  imports: [KubeModule, RunnerApiModule],
  providers: [RunResolver, JobPreparer, PlanDecisions, ModuleReconciler, StackReconciler, ExecutionReconciler, ControllerManager],
  exports: [ControllerManager],
})
export class ReconcileModule {}
