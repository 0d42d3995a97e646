import { SetMetadata } from '@nestjs/common';
import { API_GROUP } from '@tofu-operator/api-types';

/**
 * Resources routes act on (the plural names RBAC uses): ours, of the tofu-operator.io API group, and
 * the core ConfigMaps and Secrets whose names and key names the dashboard's pickers list.
 */
export type ApiResource = 'tofumodules' | 'tofustacks' | 'tofuexecutions' | CoreResource;

/** Core (API group "") resources a route may name. */
export type CoreResource = 'configmaps' | 'secrets';

/** The API group of a resource: "" for the core ones, tofu-operator.io for ours. */
export const groupOf = (resource: ApiResource): string => (resource === 'configmaps' || resource === 'secrets' ? '' : API_GROUP);

/**
 * Kubernetes verbs a route can require. `approve` is a custom verb (RBAC allows any, as certificate
 * approval does): approving or rejecting a plan, which `edit` does not imply.
 */
export type ApiVerb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'approve';

/** Verbs of non-resource URLs: the lower-case HTTP method, as the API server's authorizer sees it. */
export type NonResourceVerb = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Subresources a route may name: `log` of tofuexecutions, reading a run's log (ADR 0010). */
export type ApiSubresource = 'log';

/** A verb on one of our resources; namespace and name come from the path (:ns, :name). */
export interface ResourceRequirement {
  verb: ApiVerb;
  resource: ApiResource;
  /** A subresource, as RBAC names it after a slash (`tofuexecutions/log`). */
  subresource?: ApiSubresource;
}

/**
 * A verb on a non-resource URL such as /metrics, as RBAC's `nonResourceURLs` grant it (the way
 * kube-rbac-proxy and controller-runtime's secure metrics authorise scrapes).
 */
export interface NonResourceRequirement {
  verb: NonResourceVerb;
  path: string;
}

/**
 * Any authenticated caller; the handler itself answers only with what the caller may see (for routes
 * about the caller: which namespaces, which permissions). `why` says why no single permission fits.
 */
export interface AuthenticatedRequirement {
  authenticated: true;
  why: string;
}

/** What a route needs the caller to be allowed to do. */
export type AuthzRequirement = ResourceRequirement | NonResourceRequirement | AuthenticatedRequirement;

/** Whether a requirement only asks for an authenticated caller. */
export const isAuthenticatedOnly = (req: AuthzRequirement): req is AuthenticatedRequirement => 'authenticated' in req;

/** Whether a requirement names a non-resource URL rather than one of our resources. */
export const isNonResource = (req: AuthzRequirement): req is NonResourceRequirement => 'path' in req;

/** Whether a requirement names a verb on one of our resources. */
export const isResource = (req: AuthzRequirement): req is ResourceRequirement => 'resource' in req;

export const AUTHZ_METADATA = 'tofu-operator:authz';

/**
 * Declares the permission a route requires: the guard runs a SubjectAccessReview for the caller with
 * this verb and resource (and subresource), the namespace from the :ns path parameter and the name
 * from :name (if any). A route without this declaration is refused (see AuthzGuard), and the
 * route-table test fails.
 */
export const Authz = (verb: ApiVerb, resource: ApiResource, subresource?: ApiSubresource): MethodDecorator =>
  SetMetadata<string, AuthzRequirement>(AUTHZ_METADATA, subresource ? { verb, resource, subresource } : { verb, resource });

/**
 * Declares that a route requires `verb` on the non-resource URL `path` (the route's own path): the
 * guard runs a SubjectAccessReview with nonResourceAttributes, which RBAC answers from ClusterRoles
 * with `nonResourceURLs`.
 */
export const AuthzNonResource = (verb: NonResourceVerb, path: string): MethodDecorator =>
  SetMetadata<string, AuthzRequirement>(AUTHZ_METADATA, { verb, path });

/**
 * Declares a route open to every authenticated caller, because it answers about the caller and filters
 * its answer with SubjectAccessReviews itself (like Kubernetes' SelfSubjectAccessReview).
 */
export const AuthzAuthenticated = (why: string): MethodDecorator =>
  SetMetadata<string, AuthzRequirement>(AUTHZ_METADATA, { authenticated: true, why });

export const PUBLIC_METADATA = 'tofu-operator:public';

/**
 * Serves every route of a controller without authentication: only for routes that expose no cluster
 * data (the probes, the API documentation). `why` says why it is safe; the route-table test lists the
 * public controllers, so adding one is a reviewed change.
 */
export const Public = (why: string): ClassDecorator => SetMetadata<string, string>(PUBLIC_METADATA, why);

/** Whether a controller class is marked @Public. */
export const isPublicController = (controller: object): boolean => Reflect.getMetadata(PUBLIC_METADATA, controller) !== undefined;
