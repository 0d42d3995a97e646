import { SetMetadata } from '@nestjs/common';

/** Resources of the tofu-operator.io API group that routes act on (the plural names RBAC uses). */
export type ApiResource = 'tofumodules' | 'tofustacks' | 'tofuexecutions';

/** Kubernetes verbs a route can require. */
export type ApiVerb = 'get' | 'list' | 'create' | 'update' | 'patch' | 'delete';

/** What a route needs the caller to be allowed to do; namespace and name come from the path (:ns, :name). */
export interface AuthzRequirement {
  verb: ApiVerb;
  resource: ApiResource;
}

export const AUTHZ_METADATA = 'tofu-operator:authz';

/**
 * Declares the permission a route requires: the guard runs a SubjectAccessReview for the caller with
 * this verb and resource, the namespace from the :ns path parameter and the name from :name (if any).
 * A route without this declaration is refused (see AuthzGuard), and the route-table test fails.
 */
export const Authz = (verb: ApiVerb, resource: ApiResource): MethodDecorator =>
  SetMetadata<string, AuthzRequirement>(AUTHZ_METADATA, { verb, resource });
