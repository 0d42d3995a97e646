import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Logger } from '@tofu-operator/reconcile-runtime';
import { LOGGER } from '../kube/tokens.js';
import { AccessReviewService, type UserInfo } from './access-review.service.js';
import { AUTHZ_METADATA, isPublicController, type AuthzRequirement } from './authz.js';
import { ApiError } from './errors.js';

/** The parts of an HTTP request the guard reads. */
export interface ApiRequest {
  headers: Record<string, string | string[] | undefined>;
  /** The peer's address (per-address limits); not X-Forwarded-For, which any caller can write. */
  socket?: { remoteAddress?: string };
  params?: Record<string, string | undefined>;
  user?: UserInfo;
}

/** The bearer token of the Authorization header, if any. */
export function bearerToken(req: ApiRequest): string | undefined {
  const h = req.headers['authorization'];
  const value = Array.isArray(h) ? h[0] : h;
  const m = value ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  return m?.[1];
}

/**
 * The global guard: authenticates the caller (TokenReview) and checks the route's @Authz or
 * @AuthzNonResource declaration with a SubjectAccessReview. Fails closed: a route without a
 * declaration is refused. Controllers marked @Public (the probes, the API docs, which hold no data)
 * are served without authentication.
 */
@Injectable()
export class AuthzGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly reviews: AccessReviewService,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return false;
    const controller = context.getClass();
    if (isPublicController(controller)) return true;
    const requirement = this.reflector.get<AuthzRequirement | undefined>(AUTHZ_METADATA, context.getHandler());
    if (!requirement) {
      this.log.error({ controller: controller.name, handler: context.getHandler().name }, 'route has no @Authz declaration; refused');
      throw new ApiError(403, 'Forbidden', 'this route declares no authorization requirement and is refused');
    }
    const req = context.switchToHttp().getRequest<ApiRequest>();
    const user = await this.reviews.authenticate(bearerToken(req), req.socket?.remoteAddress);
    await this.reviews.authorize(user, requirement, req.params?.['ns'], req.params?.['name']);
    req.user = user;
    return true;
  }
}
