import type { Logger } from '@tofu-operator/reconcile-runtime';
import type { AccessReviewService, UserInfo } from './access-review.service.js';
import type { ResourceRequirement } from './authz.js';
import { ApiError } from './errors.js';

/** One permission a live delivery needs: a verb on a resource in a namespace (and by name). */
export interface LiveCheck {
  req: ResourceRequirement;
  namespace: string;
  name?: string;
}

/** Something delivered to a caller for as long as the caller may still do every check. */
export interface LiveGrant {
  user: UserInfo;
  /** The bearer token, when the grant should also end once the token is no longer valid. */
  token?: string;
  checks: LiveCheck[];
  /** Ends the delivery and tells the caller why (called at most once, after the grant is dropped). */
  end(reason: ApiError): void;
}

/** The 403 a review answered, or undefined when it allowed; any other failure is thrown. */
export async function refusal(review: Promise<void>): Promise<ApiError | undefined> {
  try {
    await review;
    return undefined;
  } catch (err) {
    if (err instanceof ApiError && err.status === 403) return err;
    throw err;
  }
}

/** Grants checked at once per round: the reviews share the API's bounded review queue. */
const PARALLEL = 4;

/**
 * Checks the access of live deliveries (websocket subscriptions, followed logs) again every
 * `periodMs`, with SubjectAccessReview answers no older than the period, and ends those refused:
 * a subscription authorised once must not outlive the RoleBinding that allowed it. A check that
 * cannot be made (the API server slow, 503) keeps the grant and is tried again the next round.
 */
export class LiveAccess {
  private readonly grants = new Set<LiveGrant>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly reviews: Pick<AccessReviewService, 'authorize' | 'authenticate'>,
    private readonly periodMs: number,
    private readonly log: Pick<Logger, 'info' | 'warn'>,
  ) {}

  /** Live grants now. */
  get size(): number {
    return this.grants.size;
  }

  /** Watches `grant` until the returned function is called (the delivery ended on its own). */
  add(grant: LiveGrant): () => void {
    this.grants.add(grant);
    return () => void this.grants.delete(grant);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      // A round still running (reviews waiting) is not doubled.
      this.running ??= this.recheck().finally(() => (this.running = undefined));
    }, this.periodMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round: every live grant checked, the refused ones ended. */
  async recheck(): Promise<void> {
    const queue = [...this.grants];
    const worker = async () => {
      for (let g = queue.shift(); g; g = queue.shift()) await this.checkOne(g);
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, queue.length) }, worker));
  }

  private async checkOne(grant: LiveGrant): Promise<void> {
    if (!this.grants.has(grant)) return;
    try {
      if (grant.token !== undefined) await this.reviews.authenticate(grant.token);
      for (const c of grant.checks) await this.reviews.authorize(grant.user, c.req, c.namespace, c.name, { maxAgeMs: this.periodMs });
    } catch (err) {
      if (!(err instanceof ApiError) || (err.status !== 401 && err.status !== 403)) {
        this.log.warn(
          { err, user: grant.user.username },
          'could not check the access of a live subscription again; keeping it until the next round',
        );
        return;
      }
      if (!this.grants.delete(grant)) return;
      this.log.info(
        { user: grant.user.username, checks: grant.checks.map((c) => `${c.req.verb} ${c.req.resource} ${c.namespace}/${c.name ?? '*'}`) },
        `live subscription ended: ${err.message}`,
      );
      grant.end(err);
    }
  }
}
