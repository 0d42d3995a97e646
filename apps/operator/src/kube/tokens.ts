/** Injection tokens of values that are not classes. */
export const OPERATOR_CONFIG = Symbol('OPERATOR_CONFIG');
export const LOGGER = Symbol('LOGGER');
