import { Module } from '@nestjs/common';
import { HttpModule } from '../http/http.module.js';
import { LogsModule } from '../logs/logs.module.js';
import { DocsModule } from './docs.module.js';
import { EventsGateway } from './events.gateway.js';
import { LogsService } from './logs.service.js';
import { ExecutionsController, ModulesController, StacksController } from './resources.controller.js';
import { ResourcesService } from './resources.service.js';
import { SelfController } from './self.controller.js';
import { SelfService } from './self.service.js';

/** The REST API under /api/v1 and the websocket: authenticated by TokenReview, authorised per route by SubjectAccessReview. */
@Module({
  imports: [HttpModule, DocsModule, LogsModule],
  controllers: [SelfController, ModulesController, StacksController, ExecutionsController],
  providers: [LogsService, EventsGateway, ResourcesService, SelfService],
})
export class ApiModule {}
