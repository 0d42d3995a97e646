import { Module } from '@nestjs/common';
import { OutputsStore } from './outputs-store.service.js';
import { PlanStore } from './plan-store.service.js';
import { RunnerApiServer } from './runner-api.server.js';
import { RunnerKeyService } from './runner-key.service.js';
import { StateStore } from './state-store.service.js';

/**
 * The runner API (docs/adr/0007-apply-approval-and-state.md): OpenTofu state, saved plans and
 * outputs in Secrets, served to runner pods that prove their execution with a per-execution token.
 * Exports the stores (for the reconcilers and the REST API) and the key service (to mint a runner's token).
 */
@Module({
  providers: [RunnerKeyService, StateStore, PlanStore, OutputsStore, RunnerApiServer],
  exports: [RunnerKeyService, StateStore, PlanStore, OutputsStore],
})
export class RunnerApiModule {}
