/** Injection tokens of values that are not classes. */
export const OPERATOR_CONFIG = Symbol('OPERATOR_CONFIG');
export const LOGGER = Symbol('LOGGER');
/**
 * The KubeClient of the API's TokenReviews and SubjectAccessReviews: its own rate budget, so a flood
 * of API callers never delays reconciles or Lease renewals.
 */
export const REVIEW_CLIENT = Symbol('REVIEW_CLIENT');
