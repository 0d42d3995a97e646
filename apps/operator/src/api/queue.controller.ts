import { Controller, Get, Param, Req } from '@nestjs/common';
import type { QueueList } from '@tofu-operator/api-contracts';
import { ApiDoc } from '../http/api-doc.js';
import { Authz, AuthzAuthenticated } from '../http/authz.js';
import type { ApiRequest } from '../http/authz.guard.js';
import { ApiError } from '../http/errors.js';
import { ContinuousService } from './continuous.service.js';

const QUEUE_TEXT =
  "Executions waiting for a free run slot (their `status.queue` is set), ordered by position: which cap they wait for (`Operator`: MAX_CONCURRENT_RUNS, `Namespace`: the namespace's cap), their place, how many wait, since when. From the operator's cache.";

/** The run queue of one namespace: authorised like the list of its executions. */
@Controller('api/v1/namespaces/:ns/queue')
export class NamespaceQueueController {
  constructor(private readonly continuous: ContinuousService) {}

  @Get()
  @Authz('list', 'tofuexecutions')
  @ApiDoc({ summary: 'List the runs waiting in a namespace', description: QUEUE_TEXT, response: 'QueueList' })
  queue(@Param('ns') ns: string): QueueList {
    return this.continuous.queue(ns);
  }
}

/** The run queue of every namespace the caller may list executions in. */
@Controller('api/v1/queue')
export class QueueController {
  constructor(private readonly continuous: ContinuousService) {}

  @Get()
  @AuthzAuthenticated('the answer lists only the runs of namespaces where the caller may list executions')
  @ApiDoc({
    summary: 'List the waiting runs of every namespace',
    description: `${QUEUE_TEXT} Only namespaces where the caller may \`list\` \`tofuexecutions\` (SubjectAccessReviews for the caller, cached 10 s).`,
    response: 'QueueList',
  })
  queue(@Req() req: ApiRequest): Promise<QueueList> {
    if (!req.user) throw new ApiError(401, 'Unauthorized', 'not authenticated');
    return this.continuous.queueOfAll(req.user);
  }
}
