import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { KubeClient, type Logger } from '@tofu-operator/reconcile-runtime';
import type { OperatorConfig } from '../config/operator-config.js';
import { LOGGER, OPERATOR_CONFIG, REVIEW_CLIENT } from '../kube/tokens.js';
import { ApiError } from './errors.js';
import { RejectedTokens, ReviewCache } from './review-cache.js';
import { ClientFailureLimiter, ReviewQueue } from './review-limits.js';
import { groupOf, isAuthenticatedOnly, isNonResource, type AuthzRequirement } from './authz.js';

/** The authenticated caller, as the TokenReview reports it. */
export interface UserInfo {
  username: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

interface TokenReview {
  status?: { authenticated?: boolean; user?: UserInfo; error?: string };
}

interface SubjectAccessReview {
  status?: { allowed?: boolean; denied?: boolean; reason?: string; evaluationError?: string };
}

/** Who every caller is when the development setting TOFU_OPERATOR_INSECURE_NO_AUTH is on. */
export const INSECURE_USER: UserInfo = { username: 'insecure-no-auth-developer' };

/** How long a successful TokenReview is trusted (the API server's webhook authenticator: 2 min). */
export const TOKEN_CACHE_TTL_MS = 60_000;
/**
 * How long a SubjectAccessReview answer is trusted: an allow 10 s, a denial 5 s (the API server's
 * webhook authorizer defaults are 5 min and 30 s), so a revoked RoleBinding takes effect within 10 s.
 */
export const ALLOWED_CACHE_TTL_MS = 10_000;
export const DENIED_CACHE_TTL_MS = 5_000;
/** How long a rejected token is answered 401 without another TokenReview. */
export const REJECTED_CACHE_TTL_MS = 10_000;
const CACHE_MAX = 10_000;
/** TokenReviews that rejected, per client address: 20 at once, then one every 2 s (429 beyond). */
export const CLIENT_FAILURE_BURST = 20;
export const CLIENT_FAILURE_PER_SECOND = 0.5;
const CLIENTS_MAX = 10_000;
/** Reviews waiting for the API server at once (beyond: 503 at once), and the longest one may take. */
export const REVIEW_QUEUE_MAX = 64;
export const REVIEW_TIMEOUT_MS = 10_000;

const unauthorized = (message: string) => new ApiError(401, 'Unauthorized', message);

/**
 * Authenticates callers with TokenReviews and authorises them with SubjectAccessReviews, both made
 * by the operator's own identity: the API server decides, with the cluster's own RBAC and tokens.
 * The reviews go through their own client (own rate budget), a bounded queue with a timeout, and a
 * per-address limit on failed authentications, so no API caller can delay reconciles or the Lease.
 */
@Injectable()
export class AccessReviewService {
  /** By the SHA-256 of a token (raw tokens are never kept): the user it authenticated, if it did. */
  private readonly tokens = new ReviewCache<UserInfo | undefined>(CACHE_MAX);
  /** By user and attributes: the authorizer's answer. */
  private readonly decisions = new ReviewCache<{ allowed: boolean; reason?: string }>(CACHE_MAX);
  private readonly rejected = new RejectedTokens(CACHE_MAX, REJECTED_CACHE_TTL_MS);
  private readonly failures = new ClientFailureLimiter(CLIENT_FAILURE_BURST, CLIENT_FAILURE_PER_SECOND, CLIENTS_MAX);
  private readonly queue = new ReviewQueue(REVIEW_QUEUE_MAX, REVIEW_TIMEOUT_MS);

  constructor(
    @Inject(REVIEW_CLIENT) private readonly client: KubeClient,
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(OPERATOR_CONFIG) private readonly config: OperatorConfig,
  ) {}

  /**
   * The user of a bearer token; throws 401 when the token is missing or not valid, 429 when the
   * client address (`client`) failed too often lately, 503 when the reviews are overloaded.
   */
  async authenticate(token: string | undefined, client?: string): Promise<UserInfo> {
    if (this.config.insecureNoAuth) return INSECURE_USER;
    const key = token ? createHash('sha256').update(token).digest('hex') : '';
    // A token accepted lately passes even from an address that failed often (a shared proxy).
    const known = token ? this.tokens.peek(key) : undefined;
    if (known) return known;
    // Answers that cost no review are not limited; a TokenReview that rejects counts against the address.
    if (!token) throw unauthorized('a bearer token is required (Authorization: Bearer <token>)');
    if (this.rejected.has(key)) throw unauthorized('the bearer token is not valid');
    this.failures.check(client);
    const user = await this.tokens.get(
      key,
      () =>
        this.queue.run(async (signal) => {
          const review = await this.client.request<TokenReview>('POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
            body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } },
            signal,
          });
          const u = review.status?.user;
          return review.status?.authenticated && u?.username ? u : undefined;
        }),
      // Rejections are kept apart (this.rejected), briefly: a token that just became valid works soon.
      (u) => (u ? TOKEN_CACHE_TTL_MS : 0),
    );
    if (!user) {
      this.rejected.add(key);
      this.failures.fail(client);
      this.log.debug({ tokenSha256: key.slice(0, 12) }, 'token review rejected a token');
      throw unauthorized('the bearer token is not valid');
    }
    return user;
  }

  /**
   * Throws 403 with the authorizer's reason unless the user may do `req`: on one of our resources in
   * the namespace (and by name), or on a non-resource URL (namespace and name do not apply).
   * `maxAgeMs`: accept a cached answer only if younger (the re-checks of live subscriptions).
   */
  async authorize(
    user: UserInfo,
    req: AuthzRequirement,
    namespace: string | undefined,
    name: string | undefined,
    opts: { maxAgeMs?: number } = {},
  ): Promise<void> {
    if (this.config.insecureNoAuth || isAuthenticatedOnly(req)) return;
    const attributes = isNonResource(req)
      ? { nonResourceAttributes: { verb: req.verb, path: req.path } }
      : {
          resourceAttributes: {
            verb: req.verb,
            group: groupOf(req.resource),
            resource: req.resource,
            ...(req.subresource ? { subresource: req.subresource } : {}),
            ...(namespace ? { namespace } : {}),
            ...(name ? { name } : {}),
          },
        };
    const spec = {
      user: user.username,
      ...(user.uid ? { uid: user.uid } : {}),
      ...(user.groups ? { groups: user.groups } : {}),
      ...(user.extra ? { extra: user.extra } : {}),
      ...attributes,
    };
    const decision = await this.decisions.get(
      JSON.stringify(spec),
      () =>
        this.queue.run(async (signal) => {
          const review = await this.client.request<SubjectAccessReview>('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
            body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec },
            signal,
          });
          return { allowed: Boolean(review.status?.allowed && !review.status.denied), reason: review.status?.reason };
        }),
      (d) => (d.allowed ? ALLOWED_CACHE_TTL_MS : DENIED_CACHE_TTL_MS),
      opts.maxAgeMs,
    );
    if (decision.allowed) return;
    const why = decision.reason ? `: ${decision.reason}` : '';
    if (isNonResource(req)) throw new ApiError(403, 'Forbidden', `user "${user.username}" cannot ${req.verb} path "${req.path}"${why}`);
    const where = namespace ? ` in the namespace "${namespace}"` : '';
    const resource = req.subresource ? `${req.resource}/${req.subresource}` : req.resource;
    const what = name ? `${resource} "${name}"` : `resource "${resource}"`;
    const group = groupOf(req.resource);
    throw new ApiError(403, 'Forbidden', `user "${user.username}" cannot ${req.verb} ${what} in API group "${group}"${where}${why}`);
  }
}
