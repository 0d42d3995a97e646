import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AccessReviewService } from './access-review.service.js';
import { AuthzGuard } from './authz.guard.js';
import { DocsModule } from './docs.module.js';
import { ApiExceptionFilter } from './errors.js';
import { LogsModule } from '../logs/logs.module.js';
import { EventsGateway } from './events.gateway.js';
import { LogsService } from './logs.service.js';
import { ExecutionsController, ModulesController, StacksController } from './resources.controller.js';
import { ResourcesService } from './resources.service.js';
import { SelfController } from './self.controller.js';
import { SelfService } from './self.service.js';

/** The REST API under /api/v1: authenticated by TokenReview, authorised per route by SubjectAccessReview. */
@Module({
  imports: [DocsModule, LogsModule],
  controllers: [SelfController, ModulesController, StacksController, ExecutionsController],
  providers: [
    LogsService,
    EventsGateway,
    AccessReviewService,
    ResourcesService,
    SelfService,
    // Global: every route of the application passes the guard, so a route without @Authz is refused.
    { provide: APP_GUARD, useClass: AuthzGuard },
    { provide: APP_FILTER, useClass: ApiExceptionFilter },
  ],
})
export class ApiModule {}
