import { Inject, Injectable } from '@nestjs/common';
import { KubeClient } from '@tofu-operator/reconcile-runtime';
import type { OperatorConfig } from '../config/operator-config.js';
import { OPERATOR_CONFIG } from '../kube/tokens.js';
import type { UserInfo } from '../http/access-review.service.js';
import { ApiError } from '../http/errors.js';
import { RefusalMessages, requiredAccess, type NamedReference, type ReferencingKind } from './reference-checks.js';

interface SubjectAccessReview {
  status?: { allowed?: boolean; denied?: boolean };
}

interface Attributes {
  verb: string;
  group: '' | 'batch';
  resource: string;
  namespace: string;
  name?: string;
}

/**
 * Checks what a REST write of a module or stack would have the operator do in the caller's name
 * (reference-checks.ts) with SubjectAccessReviews for the caller, before the operator writes it. The
 * admission policy deploy/rbac/reference-policy.yaml makes the same checks for writes that reach the
 * API server as their author; a REST write reaches it as the operator, which passes them all.
 */
@Injectable()
export class ReferenceAccessService {
  constructor(
    private readonly client: KubeClient,
    @Inject(OPERATOR_CONFIG) private readonly config: OperatorConfig,
  ) {}

  /** Throws 403 Forbidden naming the field and the object unless `user` may do all of it. */
  async check(
    user: UserInfo | undefined,
    kind: ReferencingKind,
    namespace: string,
    name: string,
    spec: unknown,
    oldSpec?: unknown,
  ): Promise<void> {
    if (this.config.insecureNoAuth) return;
    if (!user) throw new ApiError(401, 'Unauthorized', 'not authenticated');
    const access = requiredAccess(kind, spec, oldSpec);
    const obj = `${kind} ${namespace}/${name}`;
    const may = (a: Omit<Attributes, 'namespace'>) => this.allowed(user, { ...a, namespace });
    if ((access.podFields.length > 0 || access.ownSource) && !(await may({ verb: 'create', group: 'batch', resource: 'jobs' })))
      throw forbidden(RefusalMessages.podFields(obj, namespace, access));
    const out = access.outputsSecret;
    if (
      out &&
      !(
        (await may({ verb: 'create', group: '', resource: 'secrets' })) &&
        (await may({ verb: 'update', group: '', resource: 'secrets', name: out }))
      )
    )
      throw forbidden(RefusalMessages.outputs(obj, namespace, out));
    // One review for the whole namespace first: whoever may get every Secret there needs none by name.
    for (const resource of ['secrets', 'configmaps'] as const) {
      const refs: NamedReference[] = access.references.filter((r) => r.resource === resource);
      if (refs.length === 0 || (await may({ verb: 'get', group: '', resource }))) continue;
      for (const ref of refs)
        if (!(await may({ verb: 'get', group: '', resource, name: ref.name })))
          throw forbidden(RefusalMessages.reference(obj, namespace, ref));
    }
  }

  private async allowed(user: UserInfo, a: Attributes): Promise<boolean> {
    const review = await this.client.request<SubjectAccessReview>('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: user.username,
          ...(user.uid ? { uid: user.uid } : {}),
          ...(user.groups ? { groups: user.groups } : {}),
          ...(user.extra ? { extra: user.extra } : {}),
          resourceAttributes: a,
        },
      },
    });
    return Boolean(review.status?.allowed && !review.status.denied);
  }
}

const forbidden = (message: string): ApiError => new ApiError(403, 'Forbidden', message);
