import { Controller, Get, Param, Req } from '@nestjs/common';
import type { NamespaceList, Permissions } from '@tofu-operator/api-contracts';
import type { ApiRequest } from '../http/authz.guard.js';
import { ApiDoc } from '../http/api-doc.js';
import { AuthzAuthenticated } from '../http/authz.js';
import { ApiError } from '../http/errors.js';
import { SelfService } from './self.service.js';

/** Routes about the caller: which namespaces they see, what they may do (for the dashboard). */
@Controller('api/v1/namespaces')
export class SelfController {
  constructor(private readonly self: SelfService) {}

  /** The namespaces where the caller may list modules, stacks or executions. */
  @Get()
  @ApiDoc({
    summary: 'List the namespaces the caller may see',
    description:
      'Namespaces where the caller may `list` modules, stacks or executions, decided by SubjectAccessReviews for the caller (cached 10 s).',
    response: 'NamespaceList',
  })
  @AuthzAuthenticated('the answer lists only the namespaces the caller may list our kinds in')
  namespaces(@Req() req: ApiRequest): Promise<NamespaceList> {
    return this.self.namespaces(user(req));
  }

  /** What the caller may do with modules, stacks and executions in the namespace. */
  @Get(':ns/permissions')
  @ApiDoc({
    summary: "The caller's permissions in a namespace",
    description:
      'For each kind, whether the caller may list, get, watch, create, update, delete and plan (patch) it, and for executions approve (the custom verb `approve`: approving or rejecting a plan): the same SubjectAccessReviews the API makes, so a client can hide what would be refused (cached 10 s).',
    response: 'Permissions',
    errors: [400],
  })
  @AuthzAuthenticated("the answer is the caller's own permissions, like a SelfSubjectAccessReview")
  permissions(@Req() req: ApiRequest, @Param('ns') ns: string): Promise<Permissions> {
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns) || ns.length > 63)
      throw new ApiError(400, 'BadRequest', `"${ns}" is not a namespace name`);
    return this.self.permissions(user(req), ns);
  }
}

function user(req: ApiRequest) {
  if (!req.user) throw new ApiError(401, 'Unauthorized', 'not authenticated');
  return req.user;
}
