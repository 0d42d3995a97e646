import { Module } from '@nestjs/common';
import { HttpModule } from '../http/http.module.js';
import { LogsModule } from '../logs/logs.module.js';
import { RunnerApiModule } from '../runner-api/runner-api.module.js';
import { SourceModule } from '../source/source.module.js';
import { ApprovalsController } from './approvals.controller.js';
import { ApprovalsService } from './approvals.service.js';
import { CancelController } from './cancel.controller.js';
import { CancelService } from './cancel.service.js';
import { ContinuousService } from './continuous.service.js';
import { ModuleDriftCheckController, StackDriftCheckController } from './drift-check.controller.js';
import { DocsModule } from './docs.module.js';
import { EventsGateway } from './events.gateway.js';
import { HooksController } from './hooks.controller.js';
import { HooksService } from './hooks.service.js';
import { LogsService } from './logs.service.js';
import { PickersController } from './pickers.controller.js';
import { PickersService } from './pickers.service.js';
import { PlanDiffController } from './plan-diff.controller.js';
import { NamespaceQueueController, QueueController } from './queue.controller.js';
import { ExecutionsController, ModulesController, StacksController } from './resources.controller.js';
import { ReferenceAccessService } from './reference-access.service.js';
import { ResourcesService } from './resources.service.js';
import { SelfController } from './self.controller.js';
import { SelfService } from './self.service.js';

/** The REST API under /api/v1 and the websocket: authenticated by TokenReview, authorised per route by SubjectAccessReview. */
@Module({
  imports: [HttpModule, DocsModule, LogsModule, RunnerApiModule, SourceModule],
  controllers: [
    HooksController,
    SelfController,
    ModulesController,
    StacksController,
    ExecutionsController,
    PlanDiffController,
    ApprovalsController,
    CancelController,
    PickersController,
    ModuleDriftCheckController,
    StackDriftCheckController,
    NamespaceQueueController,
    QueueController,
  ],
  providers: [
    HooksService,
    LogsService,
    EventsGateway,
    ResourcesService,
    ReferenceAccessService,
    SelfService,
    ApprovalsService,
    CancelService,
    PickersService,
    ContinuousService,
  ],
})
export class ApiModule {}
