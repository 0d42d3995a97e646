import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import type { TofuExecution } from '@tofu-operator/api-types';
import { ApiDoc } from '../http/api-doc.js';
import { Authz } from '../http/authz.js';
import { CancelService } from './cancel.service.js';

/** Cancelling a run in progress: authorised like a re-plan request, by `patch` on tofuexecutions. */
@Controller('api/v1/namespaces/:ns/executions')
export class CancelController {
  constructor(private readonly cancels: CancelService) {}

  @Post(':name/cancel')
  @HttpCode(200)
  @Authz('patch', 'tofuexecutions')
  @ApiDoc({
    summary: 'Cancel a run',
    description:
      'Sets the annotation `tofu-operator.io/cancel-requested-at` (the time of the request) on an unfinished execution. The operator then records it `Failed` with `failureCategory` `Cancelled` (conditions Ready and Reconciling False, reason `Cancelled`, a Warning Event `Cancelled`) and deletes its Job in the foreground, which stops the runner pod. A second request while that happens answers the execution unchanged. 409 when the execution has finished. Needs the verb `patch` on `tofuexecutions`.',
    response: 'TofuExecution',
    responseDescription: 'The execution with the cancel request.',
    errors: [404, 409],
  })
  cancel(@Param('ns') ns: string, @Param('name') name: string): Promise<TofuExecution> {
    return this.cancels.cancel(ns, name);
  }
}
