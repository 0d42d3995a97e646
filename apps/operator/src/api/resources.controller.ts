import { Body, Controller, Delete, Get, Param, Post, Put, Query, Res } from '@nestjs/common';
import type { PlanResponse } from '@tofu-operator/api-contracts';
import type { ServerResponse } from 'node:http';
import { LogsService, parseOffset } from './logs.service.js';
import { Authz } from './authz.js';
import { ResourcesService, type ListQuery, type ListResponse } from './resources.service.js';

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
  list(@Param('ns') ns: string, @Query() query: ListQuery): ListResponse {
    return this.resources.list('modules', ns, query);
  }

  @Get(':name')
  @Authz('get', 'tofumodules')
  get(@Param('ns') ns: string, @Param('name') name: string): unknown {
    return this.resources.get('modules', ns, name);
  }

  @Post()
  @Authz('create', 'tofumodules')
  create(@Param('ns') ns: string, @Body() body: unknown): Promise<unknown> {
    return this.resources.create('modules', ns, body);
  }

  @Put(':name')
  @Authz('update', 'tofumodules')
  update(@Param('ns') ns: string, @Param('name') name: string, @Body() body: unknown): Promise<unknown> {
    return this.resources.update('modules', ns, name, body);
  }

  @Delete(':name')
  @Authz('delete', 'tofumodules')
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
  list(@Param('ns') ns: string, @Query() query: ListQuery): ListResponse {
    return this.resources.list('stacks', ns, query);
  }

  @Get(':name')
  @Authz('get', 'tofustacks')
  get(@Param('ns') ns: string, @Param('name') name: string): unknown {
    return this.resources.get('stacks', ns, name);
  }

  @Post()
  @Authz('create', 'tofustacks')
  create(@Param('ns') ns: string, @Body() body: unknown): Promise<unknown> {
    return this.resources.create('stacks', ns, body);
  }

  @Put(':name')
  @Authz('update', 'tofustacks')
  update(@Param('ns') ns: string, @Param('name') name: string, @Body() body: unknown): Promise<unknown> {
    return this.resources.update('stacks', ns, name, body);
  }

  @Delete(':name')
  @Authz('delete', 'tofustacks')
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
  list(@Param('ns') ns: string, @Query() query: ListQuery): ListResponse {
    return this.resources.list('executions', ns, query);
  }

  @Get(':name')
  @Authz('get', 'tofuexecutions')
  get(@Param('ns') ns: string, @Param('name') name: string): unknown {
    return this.resources.get('executions', ns, name);
  }

  @Delete(':name')
  @Authz('delete', 'tofuexecutions')
  delete(@Param('ns') ns: string, @Param('name') name: string): Promise<unknown> {
    return this.resources.delete('executions', ns, name);
  }

  /**
   * The runner's log as text: whole (from line `offset`), or with `follow=true` a chunked stream
   * that ends when the run ends (the plain-HTTP fallback for clients whose proxies break websockets).
   */
  @Get(':name/logs')
  @Authz('get', 'tofuexecutions')
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
