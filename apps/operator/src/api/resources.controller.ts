import { Body, Controller, Delete, Get, Param, Post, Put, Query, Req, Res, type Type } from '@nestjs/common';
import type { PlannableKind, PlanResponse } from '@tofu-operator/api-contracts';
import type { ServerResponse } from 'node:http';
import { LogsService, parseOffset } from './logs.service.js';
import { wantsDestroyPlan } from './plan-request.js';
import { ApiDoc, LIST_QUERY, type QueryParam } from '../http/api-doc.js';
import { Authz } from '../http/authz.js';
import { bearerToken, type ApiRequest } from '../http/authz.guard.js';
import { ApiError } from '../http/errors.js';
import { ResourcesService, type ListQuery, type ListResponse } from './resources.service.js';

/** The query parameters of the log route (see LogsService). */
const LOGS_QUERY: readonly QueryParam[] = [
  { name: 'follow', type: 'boolean', description: '`true`: stream the log as it is written, until the run ends.' },
  { name: 'offset', type: 'integer', minimum: 0, description: 'Skip the first N lines.' },
];

/** Answers a plan request: 201 with the new execution, 202 when it has not appeared yet. */
function sendPlanAnswer(res: ServerResponse, answer: PlanResponse): void {
  res.statusCode = answer.execution ? 201 : 202;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(answer));
}

// Every handler declares its permission with @Authz (the global AuthzGuard refuses routes without).
// The namespace of the check is the :ns path parameter, the name the :name parameter.

/** What differs between the module and the stack routes. */
interface OwnerKind {
  key: PlannableKind;
  resource: 'tofumodules' | 'tofustacks';
  /** The object's kind and its list kind, as schema names of the OpenAPI document. */
  type: 'TofuModule' | 'TofuStack';
  list: 'TofuModuleList' | 'TofuStackList';
  /** "module" or "stack", for the documentation. */
  one: string;
  controllerName: string;
}

/**
 * The routes of modules or stacks (the same six for both): list, get, create, update, delete and plan.
 * One definition, so the two kinds cannot drift apart.
 */
function ownerController(k: OwnerKind): Type {
  @Controller(`api/v1/namespaces/:ns/${k.key}`)
  class OwnerController {
    constructor(private readonly resources: ResourcesService) {}

    @Get()
    @Authz('list', k.resource)
    @ApiDoc({
      summary: `List ${k.key}`,
      description: "From the operator's cache, sorted by name.",
      response: k.list,
      query: LIST_QUERY,
      errors: [400],
    })
    list(@Param('ns') ns: string, @Query() query: ListQuery): ListResponse {
      return this.resources.list(k.key, ns, query);
    }

    @Get(':name')
    @Authz('get', k.resource)
    @ApiDoc({ summary: `Read a ${k.one}`, description: "From the operator's cache.", response: k.type, errors: [404] })
    get(@Param('ns') ns: string, @Param('name') name: string): unknown {
      return this.resources.get(k.key, ns, name);
    }

    @Post()
    @Authz('create', k.resource)
    @ApiDoc({
      summary: `Create a ${k.one}`,
      description:
        'The body is the whole object or just `metadata.name` and `spec`. `apiVersion`, `kind` and `metadata.namespace` are set from the path; a different value in the body is a 400.',
      request: k.type,
      response: k.type,
      responseDescription: `The created ${k.one}.`,
      errors: [400, 409, 422],
    })
    create(@Param('ns') ns: string, @Body() body: unknown, @Req() req: ApiRequest): Promise<unknown> {
      return this.resources.create(k.key, ns, body, req.user);
    }

    @Put(':name')
    @Authz('update', k.resource)
    @ApiDoc({
      summary: `Replace the spec of a ${k.one}`,
      description:
        'Replaces `spec`, and `metadata.labels` / `metadata.annotations` when the body has them. With `metadata.resourceVersion` in the body that version is the precondition (409 when stale); without it, the last write wins.',
      request: k.type,
      response: k.type,
      responseDescription: `The updated ${k.one}.`,
      errors: [400, 404, 409, 422],
    })
    update(@Param('ns') ns: string, @Param('name') name: string, @Body() body: unknown, @Req() req: ApiRequest): Promise<unknown> {
      return this.resources.update(k.key, ns, name, body, req.user);
    }

    @Delete(':name')
    @Authz('delete', k.resource)
    @ApiDoc({
      summary: `Delete a ${k.one}`,
      description: 'Background propagation: its executions and their Jobs go with it.',
      response: k.type,
      responseDescription: `The ${k.one} as the API server answered its deletion.`,
      errors: [404],
    })
    delete(@Param('ns') ns: string, @Param('name') name: string): Promise<unknown> {
      return this.resources.delete(k.key, ns, name);
    }

    /**
     * Starts a plan now (with `{"destroy": true}`, a destroy plan) and answers 201 with the new
     * execution (202 without it when the controller did not create it in time); 409 naming the run in
     * progress. Sets the requested-at (destroy-requested-at) annotation, hence the patch verb.
     */
    @Post(':name/plan')
    @Authz('patch', k.resource)
    @ApiDoc({
      summary: `Plan a ${k.one} now`,
      description:
        `Sets the \`tofu-operator.io/requested-at\` annotation and waits briefly for the operator to create the execution. ` +
        `With the body \`{"destroy": true}\` it sets \`tofu-operator.io/destroy-requested-at\` instead, and the execution is a destroy plan ` +
        `(\`spec.destroy: true\`, \`tofu plan -destroy\`): it waits for approval like any plan (applied at once with autoApply), and approving it runs a \`destroy\` execution. ` +
        `422 with the field \`destroy\` when it is not a boolean. While a run of this ${k.one} is in progress, 409 with \`running\` naming it; ` +
        `a destroy of a ${k.one} being deleted is a 409 too (its deletionPolicy decides).`,
      request: 'PlanRequest',
      requestOptional: true,
      response: 'PlanResponse',
      responseDescription: 'The plan was requested and its execution created.',
      otherResponses: {
        202: {
          body: 'PlanResponse',
          description:
            'The plan was requested; the execution was not created within the wait (no `execution`). It runs when the operator picks the request up.',
        },
      },
      errors: [400, 404, 409, 422],
    })
    async plan(@Param('ns') ns: string, @Param('name') name: string, @Body() body: unknown, @Res() res: ServerResponse): Promise<void> {
      const destroy = wantsDestroyPlan(body);
      sendPlanAnswer(res, await this.resources.plan(k.key, ns, name, destroy));
    }
  }
  // Named per kind: logs, the route table and the OpenAPI operation ids use the class name.
  Object.defineProperty(OwnerController, 'name', { value: k.controllerName });
  return OwnerController;
}

/** TofuModules: /api/v1/namespaces/{ns}/modules */
export const ModulesController = ownerController({
  key: 'modules',
  resource: 'tofumodules',
  type: 'TofuModule',
  list: 'TofuModuleList',
  one: 'module',
  controllerName: 'ModulesController',
});

/** TofuStacks: /api/v1/namespaces/{ns}/stacks */
export const StacksController = ownerController({
  key: 'stacks',
  resource: 'tofustacks',
  type: 'TofuStack',
  list: 'TofuStackList',
  one: 'stack',
  controllerName: 'StacksController',
});

/** TofuExecutions: /api/v1/namespaces/{ns}/executions (created by the operator, not by callers). */
@Controller('api/v1/namespaces/:ns/executions')
export class ExecutionsController {
  constructor(
    private readonly resources: ResourcesService,
    private readonly logsService: LogsService,
  ) {}

  @Get()
  @Authz('list', 'tofuexecutions')
  @ApiDoc({
    summary: 'List executions',
    description: "From the operator's cache, sorted by name.",
    response: 'TofuExecutionList',
    query: LIST_QUERY,
    errors: [400],
  })
  list(@Param('ns') ns: string, @Query() query: ListQuery): ListResponse {
    return this.resources.list('executions', ns, query);
  }

  @Get(':name')
  @Authz('get', 'tofuexecutions')
  @ApiDoc({ summary: 'Read a execution', description: "From the operator's cache.", response: 'TofuExecution', errors: [404] })
  get(@Param('ns') ns: string, @Param('name') name: string): unknown {
    return this.resources.get('executions', ns, name);
  }

  @Delete(':name')
  @Authz('delete', 'tofuexecutions')
  @ApiDoc({
    summary: 'Delete a execution',
    description: 'Background propagation: its Job and pod go with it.',
    response: 'TofuExecution',
    responseDescription: 'The execution as the API server answered its deletion.',
    errors: [404],
  })
  delete(@Param('ns') ns: string, @Param('name') name: string): Promise<unknown> {
    return this.resources.delete('executions', ns, name);
  }

  /**
   * The runner's log as text: whole (from line `offset`), or with `follow=true` a chunked stream
   * that ends when the run ends (the plain-HTTP fallback for clients whose proxies break websockets).
   */
  @Get(':name/logs')
  // Plan output can reveal data: its own permission, as pods/log is (ADR 0010).
  @Authz('get', 'tofuexecutions', 'log')
  @ApiDoc({
    summary: 'Read the log of an execution',
    description:
      "The runner's log as text: whole, from line `offset`, or with `follow=true` streamed (chunked) as it is written until the run ends. Before the runner starts, a followed response stays open and waits. The log outlives the runner pod (the log store).",
    response: 'text',
    query: LOGS_QUERY,
    errors: [400, 404],
  })
  async logs(
    @Param('ns') ns: string,
    @Param('name') name: string,
    @Query('follow') follow: unknown,
    @Query('offset') offset: unknown,
    @Req() req: ApiRequest,
    @Res() res: ServerResponse,
  ): Promise<void> {
    const from = parseOffset(offset);
    if (follow === 'true') {
      // The guard authenticated the caller: req.user is set.
      if (!req.user) throw new ApiError(401, 'Unauthorized', 'a bearer token is required');
      return this.logsService.follow(ns, name, from, res, { user: req.user, token: bearerToken(req) });
    }
    await this.logsService.send(ns, name, from, res);
  }
}
