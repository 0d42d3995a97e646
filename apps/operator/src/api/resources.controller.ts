import { Body, Controller, Delete, Get, Param, Post, Put, Query, Res } from '@nestjs/common';
import type { PlanResponse } from '@tofu-operator/api-contracts';
import type { ServerResponse } from 'node:http';
import { LogsService, parseOffset } from './logs.service.js';
import { ApiDoc, LIST_QUERY, type QueryParam } from './api-doc.js';
import { Authz } from './authz.js';
import { ResourcesService, type ListQuery, type ListResponse } from './resources.service.js';

/** The query parameters of the log route (see LogsService). */
const LOGS_QUERY: readonly QueryParam[] = [
  { name: 'follow', type: 'boolean', description: '`true`: stream the log as it is written, until the run ends.' },
  { name: 'offset', type: 'integer', minimum: 0, description: 'Skip the first N lines.' },
];

/** Answers a plan request: 201 with the new execution, 202 when it has not appeared yet. */
function sendJson(res: ServerResponse, answer: PlanResponse): void {
  res.statusCode = answer.execution ? 201 : 202;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(answer));
}

// Every handler declares its permission with @Authz (the global AuthzGuard refuses routes without).
// The namespace of the check is the :ns path parameter, the name the :name parameter.

/** TofuModules: /api/v1/namespaces/{ns}/modules */
@Controller('api/v1/namespaces/:ns/modules')
export class ModulesController {
  constructor(private readonly resources: ResourcesService) {}

  @Get()
  @Authz('list', 'tofumodules')
  @ApiDoc({
    summary: 'List modules',
    description: "From the operator's cache, sorted by name.",
    response: 'TofuModuleList',
    query: LIST_QUERY,
    errors: [400],
  })
  list(@Param('ns') ns: string, @Query() query: ListQuery): ListResponse {
    return this.resources.list('modules', ns, query);
  }

  @Get(':name')
  @Authz('get', 'tofumodules')
  @ApiDoc({ summary: 'Read a module', description: "From the operator's cache.", response: 'TofuModule', errors: [404] })
  get(@Param('ns') ns: string, @Param('name') name: string): unknown {
    return this.resources.get('modules', ns, name);
  }

  @Post()
  @Authz('create', 'tofumodules')
  @ApiDoc({
    summary: 'Create a module',
    description:
      'The body is the whole object or just `metadata.name` and `spec`. `apiVersion`, `kind` and `metadata.namespace` are set from the path; a different value in the body is a 400.',
    request: 'TofuModule',
    response: 'TofuModule',
    responseDescription: 'The created module.',
    errors: [400, 409, 422],
  })
  create(@Param('ns') ns: string, @Body() body: unknown): Promise<unknown> {
    return this.resources.create('modules', ns, body);
  }

  @Put(':name')
  @Authz('update', 'tofumodules')
  @ApiDoc({
    summary: 'Replace the spec of a module',
    description:
      'Replaces `spec`, and `metadata.labels` / `metadata.annotations` when the body has them. With `metadata.resourceVersion` in the body that version is the precondition (409 when stale); without it, the last write wins.',
    request: 'TofuModule',
    response: 'TofuModule',
    responseDescription: 'The updated module.',
    errors: [400, 404, 409, 422],
  })
  update(@Param('ns') ns: string, @Param('name') name: string, @Body() body: unknown): Promise<unknown> {
    return this.resources.update('modules', ns, name, body);
  }

  @Delete(':name')
  @Authz('delete', 'tofumodules')
  @ApiDoc({
    summary: 'Delete a module',
    description: 'Background propagation: its executions and their Jobs go with it.',
    response: 'TofuModule',
    responseDescription: 'The module as the API server answered its deletion.',
    errors: [404],
  })
  delete(@Param('ns') ns: string, @Param('name') name: string): Promise<unknown> {
    return this.resources.delete('modules', ns, name);
  }

  /**
   * Starts a plan now and answers 201 with the new execution (202 without it when the controller did
   * not create it in time); 409 naming the run in progress. Sets the requested-at annotation, hence
   * the patch verb.
   */
  @Post(':name/plan')
  @Authz('patch', 'tofumodules')
  @ApiDoc({
    summary: 'Plan a module now',
    description:
      'Sets the `tofu-operator.io/requested-at` annotation and waits briefly for the operator to create the execution. While a run of this module is in progress, 409 with `running` naming it.',
    response: 'PlanResponse',
    responseDescription: 'The plan was requested and its execution created.',
    otherResponses: {
      202: {
        body: 'PlanResponse',
        description:
          'The plan was requested; the execution was not created within the wait (no `execution`). It runs when the operator picks the request up.',
      },
    },
    errors: [404, 409],
  })
  async plan(@Param('ns') ns: string, @Param('name') name: string, @Res() res: ServerResponse): Promise<void> {
    sendJson(res, await this.resources.plan('modules', ns, name));
  }
}

/** TofuStacks: /api/v1/namespaces/{ns}/stacks */
@Controller('api/v1/namespaces/:ns/stacks')
export class StacksController {
  constructor(private readonly resources: ResourcesService) {}

  @Get()
  @Authz('list', 'tofustacks')
  @ApiDoc({
    summary: 'List stacks',
    description: "From the operator's cache, sorted by name.",
    response: 'TofuStackList',
    query: LIST_QUERY,
    errors: [400],
  })
  list(@Param('ns') ns: string, @Query() query: ListQuery): ListResponse {
    return this.resources.list('stacks', ns, query);
  }

  @Get(':name')
  @Authz('get', 'tofustacks')
  @ApiDoc({ summary: 'Read a stack', description: "From the operator's cache.", response: 'TofuStack', errors: [404] })
  get(@Param('ns') ns: string, @Param('name') name: string): unknown {
    return this.resources.get('stacks', ns, name);
  }

  @Post()
  @Authz('create', 'tofustacks')
  @ApiDoc({
    summary: 'Create a stack',
    description:
      'The body is the whole object or just `metadata.name` and `spec`. `apiVersion`, `kind` and `metadata.namespace` are set from the path; a different value in the body is a 400.',
    request: 'TofuStack',
    response: 'TofuStack',
    responseDescription: 'The created stack.',
    errors: [400, 409, 422],
  })
  create(@Param('ns') ns: string, @Body() body: unknown): Promise<unknown> {
    return this.resources.create('stacks', ns, body);
  }

  @Put(':name')
  @Authz('update', 'tofustacks')
  @ApiDoc({
    summary: 'Replace the spec of a stack',
    description:
      'Replaces `spec`, and `metadata.labels` / `metadata.annotations` when the body has them. With `metadata.resourceVersion` in the body that version is the precondition (409 when stale); without it, the last write wins.',
    request: 'TofuStack',
    response: 'TofuStack',
    responseDescription: 'The updated stack.',
    errors: [400, 404, 409, 422],
  })
  update(@Param('ns') ns: string, @Param('name') name: string, @Body() body: unknown): Promise<unknown> {
    return this.resources.update('stacks', ns, name, body);
  }

  @Delete(':name')
  @Authz('delete', 'tofustacks')
  @ApiDoc({
    summary: 'Delete a stack',
    description: 'Background propagation: its executions and their Jobs go with it.',
    response: 'TofuStack',
    responseDescription: 'The stack as the API server answered its deletion.',
    errors: [404],
  })
  delete(@Param('ns') ns: string, @Param('name') name: string): Promise<unknown> {
    return this.resources.delete('stacks', ns, name);
  }

  /**
   * Starts a plan now and answers 201 with the new execution (202 without it when the controller did
   * not create it in time); 409 naming the run in progress. Sets the requested-at annotation, hence
   * the patch verb.
   */
  @Post(':name/plan')
  @Authz('patch', 'tofustacks')
  @ApiDoc({
    summary: 'Plan a stack now',
    description:
      'Sets the `tofu-operator.io/requested-at` annotation and waits briefly for the operator to create the execution. While a run of this stack is in progress, 409 with `running` naming it.',
    response: 'PlanResponse',
    responseDescription: 'The plan was requested and its execution created.',
    otherResponses: {
      202: {
        body: 'PlanResponse',
        description:
          'The plan was requested; the execution was not created within the wait (no `execution`). It runs when the operator picks the request up.',
      },
    },
    errors: [404, 409],
  })
  async plan(@Param('ns') ns: string, @Param('name') name: string, @Res() res: ServerResponse): Promise<void> {
    sendJson(res, await this.resources.plan('stacks', ns, name));
  }
}

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
  @Authz('get', 'tofuexecutions')
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
    @Res() res: ServerResponse,
  ): Promise<void> {
    const from = parseOffset(offset);
    if (follow === 'true') return this.logsService.follow(ns, name, from, res);
    const text = await this.logsService.text(ns, name, from);
    res.setHeader('content-type', 'text/plain; charset=utf-8');
    res.end(text);
  }
}
