import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AccessReviewService } from './access-review.service.js';
import { AuthzGuard } from './authz.guard.js';
import { ApiExceptionFilter } from './errors.js';

/**
 * What every HTTP route of the service shares: authentication (TokenReview) and authorisation
 * (SubjectAccessReview) by the global guard, and one error shape by the global filter.
 */
@Module({
  providers: [
    AccessReviewService,
    // Global: every route of the application passes the guard, so a route without @Authz is refused.
    { provide: APP_GUARD, useClass: AuthzGuard },
    { provide: APP_FILTER, useClass: ApiExceptionFilter },
  ],
  exports: [AccessReviewService],
})
export class HttpModule {}
