import { Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import type { TofuExecution } from '@tofu-operator/api-types';
import { ApiDoc } from '../http/api-doc.js';
import { Authz } from '../http/authz.js';
import type { ApiRequest } from '../http/authz.guard.js';
import { ApiError } from '../http/errors.js';
import { ApprovalsService } from './approvals.service.js';

/** The authenticated caller's name (the guard sets it before any handler runs). */
function username(req: ApiRequest): string {
  if (!req.user) throw new ApiError(401, 'Unauthorized', 'not authenticated');
  return req.user.username;
}

/**
 * Approving and rejecting a plan execution, bound to the digest of the plan the caller reviewed.
 * Authorised by the custom verb `approve` on tofuexecutions, so `edit` alone does not approve.
 */
@Controller('api/v1/namespaces/:ns/executions')
export class ApprovalsController {
  constructor(private readonly approvals: ApprovalsService) {}

  @Post(':name/approve')
  @Authz('approve', 'tofuexecutions')
  @ApiDoc({
    summary: 'Approve a plan',
    description:
      'Body `{"planDigest": "sha256:…"}`: the `status.plan.digest` of the plan that was reviewed. Creates the apply (or, for a destroy plan, destroy) execution `<plan>-apply` that carries out exactly that saved plan, annotated `tofu-operator.io/approved-by` with the caller. 422 when the digest is not the plan\'s (field `planDigest`); 409 when the plan is not its owner\'s newest, has no changes, was applied, rejected or superseded, or a run of its owner is in progress (also when a second approval races the first). Needs the verb `approve` on `tofuexecutions`.',
    request: 'ApproveRequest',
    response: 'TofuExecution',
    responseDescription: 'The apply execution that was created.',
    errors: [404, 409, 422],
  })
  approve(@Param('ns') ns: string, @Param('name') name: string, @Body() body: unknown, @Req() req: ApiRequest): Promise<TofuExecution> {
    return this.approvals.approve(ns, name, body, username(req));
  }

  @Post(':name/reject')
  @HttpCode(200)
  @Authz('approve', 'tofuexecutions')
  @ApiDoc({
    summary: 'Reject a plan',
    description:
      'Body `{"planDigest": "sha256:…"}`. Records `status.approval` Rejected (by the caller, when, the digest) on the plan: it is never applied, and a later approval answers 409. 422 and 409 as for approve. Needs the verb `approve` on `tofuexecutions`.',
    request: 'ApproveRequest',
    response: 'TofuExecution',
    responseDescription: 'The plan with its decision.',
    errors: [404, 409, 422],
  })
  reject(@Param('ns') ns: string, @Param('name') name: string, @Body() body: unknown, @Req() req: ApiRequest): Promise<TofuExecution> {
    return this.approvals.reject(ns, name, body, username(req));
  }
}
