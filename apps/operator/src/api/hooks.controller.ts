import { Controller, Headers, HttpCode, Param, Post, Req } from '@nestjs/common';
import { Public } from '../http/authz.js';
import type { HookRequest } from './hooks-body.js';
import { HooksService, type HookAccepted } from './hooks.service.js';

/**
 * Push webhooks of git hosts (docs/guides/polling.md). Public because git hosts send no bearer token;
 * each request is verified by the module's own HMAC secret instead, and the answer says nothing but
 * 202 (polled) or 401 (for every refusal: unsigned, wrong signature, unknown module, no secret).
 */
@Controller('hooks/git')
@Public("push webhooks carry no bearer token: each is verified by the module's webhook secret and answers only 202 or 401")
export class HooksController {
  constructor(private readonly hooks: HooksService) {}

  @Post(':ns/:module')
  @HttpCode(202)
  push(
    @Param('ns') ns: string,
    @Param('module') module: string,
    @Headers() headers: Record<string, string | string[] | undefined>,
    @Req() req: HookRequest,
  ): Promise<HookAccepted> {
    return this.hooks.push(ns, module, headers, req.body, req.socket.remoteAddress);
  }
}
